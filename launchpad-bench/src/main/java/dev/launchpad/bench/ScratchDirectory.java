package dev.launchpad.bench;

import dev.launchpad.core.files.FileTrees;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The temporary directory a load driver works in (servers' homes and logs, models, databases): deleted when the
 * driver's work ends well, kept and named when it fails (its logs tell why) or with {@code -Dlaunchpad.bench.keep=true}.
 */
public final class ScratchDirectory {
    /** A driver's work in a directory. */
    public interface Work {
        void run(Path dir) throws Exception;
    }

    private ScratchDirectory() {
    }

    /** Runs {@code work} in a new temporary directory named after {@code prefix}. */
    public static void run(String prefix, Work work) throws Exception {
        var dir = Files.createTempDirectory(prefix);
        try {
            work.run(dir);
        } catch (Exception | Error e) {
            System.err.println("kept " + dir + " (the logs of what failed are in it)");
            throw e;
        }
        if (Boolean.getBoolean("launchpad.bench.keep")) {
            System.out.println("kept " + dir);
        } else if (!FileTrees.deleteQuietly(dir)) {
            System.err.println("could not delete all of " + dir);
        }
    }
}
