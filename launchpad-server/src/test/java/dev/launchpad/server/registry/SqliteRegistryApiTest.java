package dev.launchpad.server.registry;

import dev.launchpad.platform.store.TestDatabases;

/** The registry API contract on SQLite. */
class SqliteRegistryApiTest extends RegistryApiContract {
    @Override
    String databaseUrl() {
        return TestDatabases.newSqliteUrl();
    }
}
