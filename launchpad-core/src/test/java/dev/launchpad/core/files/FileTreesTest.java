package dev.launchpad.core.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class FileTreesTest {
    @Test
    void deletesATreeButNotWhatALinkInItPointsTo(@TempDir Path tmp) throws Exception {
        var root = Files.createDirectories(tmp.resolve("root/a/b"));
        Files.writeString(root.resolve("f.txt"), "x");
        Files.writeString(tmp.resolve("root/g.txt"), "y");
        var outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "z");
        Files.createSymbolicLink(tmp.resolve("root/link"), outside);

        assertThat(FileTrees.deleteQuietly(tmp.resolve("root"))).isTrue();
        assertThat(tmp.resolve("root")).doesNotExist();
        assertThat(outside.resolve("keep.txt")).hasContent("z");
    }

    @Test
    void aMissingTreeIsGoneAlready(@TempDir Path tmp) {
        assertThat(FileTrees.deleteQuietly(tmp.resolve("never"))).isTrue();
    }

    @Test
    void goesOnPastWhatItCannotDeleteAndSaysSo(@TempDir Path tmp) throws Exception {
        var root = Files.createDirectories(tmp.resolve("root"));
        var locked = Files.createDirectories(root.resolve("locked"));
        Files.writeString(locked.resolve("inside.txt"), "x");
        Files.writeString(root.resolve("other.txt"), "y");
        locked.toFile().setWritable(false); // its entries cannot be removed (unless running as root)
        try {
            boolean gone = FileTrees.deleteQuietly(root);
            assertThat(root.resolve("other.txt")).doesNotExist();
            assertThat(gone).isEqualTo(!Files.exists(locked.resolve("inside.txt")));
        } finally {
            locked.toFile().setWritable(true);
        }
    }
}
