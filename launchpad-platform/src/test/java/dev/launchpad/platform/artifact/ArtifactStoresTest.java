package dev.launchpad.platform.artifact;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtifactStoresTest {
    @TempDir
    Path dir;

    @Test
    void directoriesAndFileUrisOpenLocalStores() throws Exception {
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            try (var plain = ArtifactStores.open(dir.resolve("a").toString(), db)) {
                assertThat(plain).isInstanceOfSatisfying(LocalArtifactStore.class,
                        s -> assertThat(s.root()).isEqualTo(dir.resolve("a")));
            }
            try (var uri = ArtifactStores.open("file:" + dir.resolve("b"), db)) {
                assertThat(((LocalArtifactStore) uri).root()).isEqualTo(dir.resolve("b"));
            }
            try (var uri = ArtifactStores.open("file://" + dir.resolve("c"), db)) {
                assertThat(((LocalArtifactStore) uri).root()).isEqualTo(dir.resolve("c"));
            }
            assertThatThrownBy(() -> ArtifactStores.open("gs://bucket/x", db)).isInstanceOf(LaunchpadException.class)
                    .hasMessageContaining("Unsupported artifact root");
        }
    }

    @Test
    void s3RootsUseTheEndpointFromTheEnvironment() throws Exception {
        assertThat(ArtifactStores.endpoint(Map.of())).isNull();
        assertThat(ArtifactStores.endpoint(Map.of("MLFLOW_S3_ENDPOINT_URL", "http://minio:9000")))
                .isEqualTo(URI.create("http://minio:9000"));
        assertThat(ArtifactStores.endpoint(Map.of("MLFLOW_S3_ENDPOINT_URL", "http://b:1",
                "LAUNCHPAD_S3_ENDPOINT_URL", "http://a:1"))).isEqualTo(URI.create("http://a:1"));

        var previousKey = System.getProperty("aws.accessKeyId");
        var previousSecret = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.accessKeyId", TestS3.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", TestS3.SECRET_KEY);
        try (var s3 = TestS3.start(); var client = s3.client(); var db = Database.open(TestDatabases.newSqliteUrl())) {
            client.createBucket(b -> b.bucket("factory"));
            var env = Map.of("LAUNCHPAD_S3_ENDPOINT_URL", s3.endpoint().toString());
            try (var store = ArtifactStores.open("s3://factory/launchpad", db, env)) {
                store.put("x.txt", new java.io.ByteArrayInputStream("via env".getBytes()));
                assertThat(client.getObjectAsBytes(b -> b.bucket("factory").key("launchpad/x.txt")).asUtf8String())
                        .isEqualTo("via env");
            }
            assertThatThrownBy(() -> ArtifactStores.open("s3://no-such-bucket/x", db, env))
                    .isInstanceOf(LaunchpadException.class).hasMessageContaining("Cannot use artifact root s3://no-such-bucket/x");
        } finally {
            restore("aws.accessKeyId", previousKey);
            restore("aws.secretAccessKey", previousSecret);
        }
    }

    private static void restore(String name, String value) {
        if (value == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, value);
        }
    }
}
