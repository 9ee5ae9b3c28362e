package dev.launchpad.core.files;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;

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

    /**
     * Deletes the entries directly in {@code directory} last modified before {@code before}: leftovers of uploads or
     * writes that a crash interrupted. One that vanished meanwhile or cannot be deleted is passed over.
     *
     * @throws IOException when the directory cannot be listed
     */
    public static void deleteOlderThan(Path directory, Instant before) throws IOException {
        try (var entries = Files.list(directory)) {
            for (var entry : entries.toList()) {
                try {
                    if (Files.getLastModifiedTime(entry).toInstant().isBefore(before)) {
                        Files.deleteIfExists(entry);
                    }
                } catch (FileSystemException e) {
                    // gone already, or not ours to delete
                }
            }
        }
    }
}
