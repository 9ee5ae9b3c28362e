package dev.launchpad.server.registry;

import dev.launchpad.platform.store.TestDatabases;

/** The registry API contract on PostgreSQL (embedded, started by the test). */
class PostgresRegistryApiTest extends RegistryApiContract {
    @Override
    String databaseUrl() {
        return TestDatabases.newPostgresUrl();
    }
}
