package dev.launchpad.platform.store;

import dev.launchpad.platform.TestDirectories;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fresh, empty databases for tests: a SQLite file in a temporary directory (deleted at exit), or a new database in one
 * embedded PostgreSQL server (io.zonky) started once per JVM and stopped at exit.
 */
public final class TestDatabases {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private TestDatabases() {
    }

    /** The two dialects, for parameterised tests. */
    public enum Backend {
        SQLITE, POSTGRESQL;

        public String newDatabaseUrl() {
            return this == SQLITE ? newSqliteUrl() : newPostgresUrl();
        }
    }

    public static String newSqliteUrl() {
        return "jdbc:sqlite:" + TestDirectories.create("launchpad-test-").resolve("launchpad.db");
    }

    public static synchronized String newPostgresUrl() {
        var server = postgres();
        var name = "launchpad_test_" + COUNTER.incrementAndGet();
        try (var connection = server.getPostgresDatabase().getConnection();
             var statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create test database " + name, e);
        }
        return server.getJdbcUrl("postgres", name);
    }

    private static EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return postgres;
    }
}
