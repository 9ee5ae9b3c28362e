package dev.launchpad.platform.artifact;

import dev.launchpad.platform.artifact.S3ArtifactStore.S3Location;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store contract on S3, against an in-process s3proxy (transient backend) reached over HTTP by
 * the real AWS SDK client. Streamed uploads use 5 MiB parts so that the multipart path is exercised.
 */
class S3ArtifactStoreTest extends ArtifactStoreContract {
    static final String BUCKET = "launchpad-test";
    static final AtomicInteger COUNTER = new AtomicInteger();
    static TestS3 s3;
    static S3Client client;

    @TempDir
    Path spool;
    Database db;
    S3ArtifactStore store;
    String prefix;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = TestS3.start();
        client = s3.client();
        client.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void stopS3() throws Exception {
        client.close();
        s3.close();
    }

    @BeforeEach
    void open() {
        db = Database.open(TestDatabases.newSqliteUrl());
        prefix = "tests/" + COUNTER.incrementAndGet() + "/artifacts";
        store = new S3ArtifactStore(client, false, new S3Location(BUCKET, prefix), db, Clock.systemUTC(), spool,
                5 * MIB);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        db.close();
        try (var left = Files.list(spool)) {
            assertThat(left).as("spooled temp files left behind").isEmpty();
        }
    }

    @Override
    ArtifactStore store() {
        return store;
    }

    @Override
    void overwriteStoredBytes(String path, byte[] bytes) {
        client.putObject(b -> b.bucket(BUCKET).key(prefix + "/" + path), RequestBody.fromBytes(bytes));
    }

    @Override
    byte[] storedBytes(String path) {
        return client.getObjectAsBytes(b -> b.bucket(BUCKET).key(prefix + "/" + path)).asByteArray();
    }

    @Override
    void removeStoredBytes(String path) {
        client.deleteObject(b -> b.bucket(BUCKET).key(prefix + "/" + path));
    }

    @Test
    void objectsLiveUnderThePrefix() throws Exception {
        put("x/y.txt", "hi".getBytes());
        var keys = client.listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix + "/")).contents();
        assertThat(keys).extracting(o -> o.key()).containsExactly(prefix + "/x/y.txt");
        store.delete("x");
        assertThat(client.listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix + "/")).contents()).isEmpty();
    }

    @Test
    void aStreamThatIsNotReadToTheEndStillCleansUp() throws Exception {
        put("partial.bin", randomBytes(100_000, 3));
        try (var in = store.open("partial.bin")) {
            assertThat(in.readNBytes(10)).hasSize(10);
        }
    }

    @Test
    void locationsParse() {
        assertThat(S3Location.parse("s3://bucket")).isEqualTo(new S3Location("bucket", ""));
        assertThat(S3Location.parse("s3://bucket/a/b/")).isEqualTo(new S3Location("bucket", "a/b"));
        assertThat(S3Location.parse("s3://bucket/a/b").toString()).isEqualTo("s3://bucket/a/b");
        assertThatThrownBy(() -> S3Location.parse("s3:///x")).hasMessageContaining("bucket is missing");
        assertThatThrownBy(() -> S3Location.parse("s3://b/../x")).hasMessageContaining("not allowed");
    }
}
