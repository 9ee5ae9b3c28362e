package dev.launchpad.server.mlflow;

import dev.launchpad.platform.artifact.ArtifactStores;
import dev.launchpad.platform.artifact.S3ArtifactStore;
import dev.launchpad.platform.artifact.TestS3;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The artifact proxy with an S3 artifact root ({@code s3://bucket/prefix}), configured the way an
 * operator does (endpoint and AWS credentials from settings), against an in-process s3proxy.
 */
class S3ArtifactsApiTest extends ArtifactsApiContract {
    static final AtomicInteger COUNTER = new AtomicInteger();
    static TestS3 s3;
    static S3Client client;
    String prefix;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = TestS3.start();
        client = s3.client();
        client.createBucket(b -> b.bucket("proxy"));
        System.setProperty(ArtifactStores.ENDPOINT_PROPERTY, s3.endpoint().toString());
        System.setProperty("aws.accessKeyId", TestS3.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", TestS3.SECRET_KEY);
    }

    @AfterAll
    static void stopS3() throws Exception {
        System.clearProperty(ArtifactStores.ENDPOINT_PROPERTY);
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        client.close();
        s3.close();
    }

    @Override
    Launchpad startServer() {
        prefix = "launchpad-" + COUNTER.incrementAndGet();
        var server = TestServers.start(TestDatabases.newSqliteUrl(), "s3://proxy/" + prefix);
        if (!(server.artifacts() instanceof S3ArtifactStore)) {
            server.close();
            throw new AssertionError("expected an S3 store, got " + server.artifacts());
        }
        return server;
    }

    @Override
    void flipAByte(String path, int offset) {
        var key = prefix + "/" + path;
        var bytes = client.getObjectAsBytes(b -> b.bucket("proxy").key(key)).asByteArray();
        bytes[offset] ^= 0x40;
        client.putObject(b -> b.bucket("proxy").key(key), RequestBody.fromBytes(bytes));
    }
}
