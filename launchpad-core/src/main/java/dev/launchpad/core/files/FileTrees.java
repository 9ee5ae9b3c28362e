package dev.launchpad.core.files;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Directory trees on the local disk. */
public final class FileTrees {
    private FileTrees() {
    }

    /**
     * Deletes {@code root} and everything under it, as far as it can: past a file it cannot delete or read (or that
     * vanished meanwhile) it goes on with the rest, and never throws. Links are deleted, not followed. Returns whether
     * {@code root} is gone. For scratch space (staging, temporary directories), where a leftover is harmless.
     */
    public static boolean deleteQuietly(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    file.toFile().delete();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException e) {
                    directory.toFile().delete();
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | RuntimeException e) {
            // not readable: what is left stays
        }
        return !Files.exists(root, LinkOption.NOFOLLOW_LINKS);
    }
}
