package dev.launchpad.platform.artifact;

import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store contract on a local directory (metadata in SQLite), plus what only the local layout shows. */
class LocalArtifactStoreTest extends ArtifactStoreContract {
    @TempDir
    Path root;
    Database db;
    LocalArtifactStore store;

    String databaseUrl() {
        return TestDatabases.newSqliteUrl();
    }

    @BeforeEach
    void open() {
        db = Database.open(databaseUrl());
        store = new LocalArtifactStore(root, db);
    }

    @AfterEach
    void close() {
        store.close();
        db.close();
    }

    @Override
    ArtifactStore store() {
        return store;
    }

    @Override
    void overwriteStoredBytes(String path, byte[] bytes) throws IOException {
        Files.write(store.file(path), bytes);
    }

    @Override
    byte[] storedBytes(String path) throws IOException {
        return Files.readAllBytes(store.file(path));
    }

    @Override
    void removeStoredBytes(String path) throws IOException {
        Files.delete(store.file(path));
    }

    @Test
    void filesLandUnderTheRootAndNoTempFilesStay() throws Exception {
        put("a/b/c.txt", "hello".getBytes());
        assertThat(root.resolve("a/b/c.txt")).hasContent("hello");
        var failing = new InputStream() {
            int left = 100;

            @Override
            public int read() throws IOException {
                if (left-- <= 0) {
                    throw new IOException("broken upload");
                }
                return 'x';
            }
        };
        assertThatThrownBy(() -> store.put("a/b/d.txt", failing)).isInstanceOf(IOException.class);
        var uploadId = store.createMultipartUpload("a/mpu.bin");
        var etag = store.uploadPart(uploadId, 1, new ByteArrayInputStream("part".getBytes()));
        store.completeMultipartUpload(uploadId, java.util.List.of(new ArtifactStore.UploadedPart(1, etag)));
        try (var tmp = Files.list(root.resolve(".launchpad-tmp")); var uploads = Files.list(root.resolve(".launchpad-uploads"))) {
            assertThat(tmp).isEmpty();
            assertThat(uploads).isEmpty();
        }
        assertThat(root.resolve("a/b/d.txt")).doesNotExist();
        assertThat(root.resolve("a/mpu.bin")).hasContent("part");
    }

    @Test
    void aStoreReopenedOnTheSameRootAndDatabaseSeesEverything() throws Exception {
        var bytes = randomBytes(4096, 9);
        put("kept/file.bin", bytes);
        var reopened = new LocalArtifactStore(root, db);
        try (var in = reopened.open("kept/file.bin")) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
    }
}
