package dev.launchpad.platform.artifact;

import dev.launchpad.platform.store.TestDatabases;

/** The local store contract with its records in PostgreSQL (the V3 migration and its SQL on that dialect). */
class LocalArtifactStorePostgresTest extends LocalArtifactStoreTest {
    @Override
    String databaseUrl() {
        return TestDatabases.newPostgresUrl();
    }
}
