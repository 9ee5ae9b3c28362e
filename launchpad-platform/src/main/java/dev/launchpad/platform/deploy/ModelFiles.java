package dev.launchpad.platform.deploy;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.files.FileTrees;
import dev.launchpad.platform.artifact.ArtifactStore;
import dev.launchpad.platform.registry.ModelVersion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.UUID;

/**
 * A local copy of model versions' files, for runtimes that load from a directory. A version's files
 * are copied out of the artifact store once (every file verified against its recorded SHA-256 on the
 * way) into a fresh directory that is renamed into place only when complete, so a half-copied model
 * is never loaded; later calls reuse it.
 */
public final class ModelFiles {
    private static final String SCHEME = "mlflow-artifacts:/";

    private final ArtifactStore store;
    private final Path root;

    public ModelFiles(ArtifactStore store, Path root) {
        this.store = store;
        this.root = root;
    }

    /** The local directory holding {@code version}'s files, copying them from the store first if needed. */
    public Path materialize(ModelVersion version) {
        String location = version.storageLocation();
        if (location == null || !location.startsWith(SCHEME)) {
            throw LaunchpadException.invalid("Model version " + version.uri() + " is stored at '" + location
                    + "', outside Launchpad's artifact store; only models stored through the artifact proxy"
                    + " (mlflow-artifacts:/...) can be served.");
        }
        String prefix = trimSlashes(location.substring(SCHEME.length()));
        Path target = root.resolve(safe(version.name())).resolve(Integer.toString(version.version()))
                .resolve(safe(prefix));
        if (Files.isDirectory(target)) {
            return target;
        }
        Path staging = root.resolve(".staging-" + UUID.randomUUID());
        try {
            Files.createDirectories(staging);
            int copied = copyTree(prefix, prefix, staging);
            if (copied == 0) {
                throw LaunchpadException.invalid("Model version " + version.uri() + " has no files at '" + location + "'.");
            }
            Files.createDirectories(target.getParent());
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                // another thread finished the same copy first; theirs is as good as ours
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staging, target);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy the files of " + version.uri() + " to " + target, e);
        } finally {
            FileTrees.deleteQuietly(staging); // a leftover staging directory is harmless and is not reused
        }
    }

    private int copyTree(String base, String directory, Path into) throws IOException {
        int files = 0;
        for (var entry : store.list(directory)) {
            String relative = entry.path().substring(base.length()).replaceFirst("^/", "");
            Path local = into.resolve(relative).normalize();
            if (!local.startsWith(into)) {
                throw new IOException("Artifact path escapes the model directory: " + entry.path());
            }
            if (entry.isDir()) {
                files += copyTree(base, entry.path(), into);
            } else {
                Files.createDirectories(local.getParent());
                try (var in = store.open(entry.path())) {
                    Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
                }
                files++;
            }
        }
        return files;
    }

    /** A file-name-safe rendering of a model name or path: readable characters kept, the rest hex-escaped. */
    private static String safe(String value) {
        var out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '.' && out.length() > 0) {
                out.append(c);
            } else {
                out.append('_').append(HexFormat.of().toHexDigits(b));
            }
        }
        return out.toString();
    }

    private static String trimSlashes(String s) {
        return s.replaceAll("^/+", "").replaceAll("/+$", "");
    }

}
