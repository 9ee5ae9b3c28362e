package dev.launchpad.server.mlflow;

import dev.launchpad.platform.store.TestDatabases;

/** The tracking API contract on PostgreSQL (embedded, started by the test). */
class PostgresTrackingApiTest extends TrackingApiContract {
    @Override
    String databaseUrl() {
        return TestDatabases.newPostgresUrl();
    }
}
