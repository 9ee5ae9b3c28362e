package dev.launchpad.server.mlflow;

import dev.launchpad.platform.store.TestDatabases;

/** The tracking API contract on the embedded default, SQLite. */
class SqliteTrackingApiTest extends TrackingApiContract {
    @Override
    String databaseUrl() {
        return TestDatabases.newSqliteUrl();
    }
}
