package dev.launchpad.platform.artifact;

import dev.launchpad.core.error.LaunchpadException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtifactPathsTest {
    @Test
    void ordinaryPathsPass() {
        assertThat(ArtifactPaths.file("1/abc/artifacts/model/MLmodel")).isEqualTo("1/abc/artifacts/model/MLmodel");
        assertThat(ArtifactPaths.file("a b/ü.txt")).isEqualTo("a b/ü.txt");
        assertThat(ArtifactPaths.file("..hidden/x..y/.z")).isEqualTo("..hidden/x..y/.z");
        assertThat(ArtifactPaths.directory(null)).isEmpty();
        assertThat(ArtifactPaths.directory("")).isEmpty();
        assertThat(ArtifactPaths.directory("a/b/")).isEqualTo("a/b");
        assertThat(ArtifactPaths.join("", "x")).isEqualTo("x");
        assertThat(ArtifactPaths.join("a/b", "x")).isEqualTo("a/b/x");
        assertThat(ArtifactPaths.basename("a/b/x.txt")).isEqualTo("x.txt");
    }

    @Test
    void unsafePathsFailWithAMessageSayingWhy() {
        assertThatThrownBy(() -> ArtifactPaths.file("a/../../etc/passwd")).isInstanceOf(LaunchpadException.class)
                .hasMessage("Invalid artifact path 'a/../../etc/passwd': '..' segments are not allowed.");
        assertThatThrownBy(() -> ArtifactPaths.file("/etc/passwd")).hasMessageContaining("absolute");
        assertThatThrownBy(() -> ArtifactPaths.file("a\\b")).hasMessageContaining("backslash");
        assertThatThrownBy(() -> ArtifactPaths.file("a//b")).hasMessageContaining("empty segment");
        assertThatThrownBy(() -> ArtifactPaths.file("a\0b")).hasMessageContaining("NUL");
        assertThatThrownBy(() -> ArtifactPaths.file("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> ArtifactPaths.directory("/")).hasMessageContaining("absolute");
        assertThatThrownBy(() -> ArtifactPaths.file("x".repeat(2000))).hasMessageContaining("longer than");
    }
}
