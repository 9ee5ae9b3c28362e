package dev.launchpad.server.mlflow;

import dev.launchpad.platform.artifact.LocalArtifactStore;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.TestServers;

import java.nio.file.Files;

/** The artifact proxy over the default store: a local directory, metadata in SQLite. */
class LocalArtifactsApiTest extends ArtifactsApiContract {
    @Override
    Launchpad startServer() {
        return TestServers.start(TestDatabases.newSqliteUrl());
    }

    @Override
    void flipAByte(String path, int offset) throws Exception {
        var file = ((LocalArtifactStore) server.artifacts()).file(path);
        var bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x40;
        Files.write(file, bytes);
    }
}
