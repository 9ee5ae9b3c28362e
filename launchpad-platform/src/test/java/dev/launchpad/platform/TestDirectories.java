package dev.launchpad.platform;

import dev.launchpad.core.files.FileTrees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Temporary directories for tests (databases, servers' homes, models), deleted with everything in them when the
 * test JVM exits, so that running the suite does not leave hundreds of megabytes in the temporary directory each time.
 * Servers and databases may still hold files open then; on Linux and macOS deleting them is fine.
 */
public final class TestDirectories {
    private static final List<Path> CREATED = new ArrayList<>(); // guarded by itself

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestDirectories::deleteAll, "test-directories-cleanup"));
    }

    private TestDirectories() {
    }

    /** A new empty directory named after {@code prefix}, deleted at exit. */
    public static Path create(String prefix) {
        try {
            var dir = Files.createTempDirectory(prefix);
            synchronized (CREATED) {
                CREATED.add(dir);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteAll() {
        List<Path> dirs;
        synchronized (CREATED) {
            dirs = List.copyOf(CREATED);
        }
        dirs.forEach(FileTrees::deleteQuietly);
    }
}
