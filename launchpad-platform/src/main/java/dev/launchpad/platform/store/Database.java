package dev.launchpad.platform.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The metadata database: a connection pool, JDBI over it, and the schema brought up to date by
 * Flyway on open. Writes go through {@link #write}, one transaction each; on SQLite they are
 * serialised in-process as well, since SQLite admits one writer at a time and a queue in the JVM
 * is fairer and faster than busy-waiting on the file lock.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final Dialect dialect;
    private final ReentrantLock sqliteWriteLock = new ReentrantLock(true);

    private Database(HikariDataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.jdbi = Jdbi.create(dataSource);
    }

    /** Opens the database at a JDBC URL ({@code jdbc:sqlite:...} or {@code jdbc:postgresql:...}) and migrates it. */
    public static Database open(String jdbcUrl) {
        var dialect = Dialect.of(jdbcUrl);
        var config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName("launchpad-db");
        switch (dialect) {
            case SQLITE -> {
                config.setMaximumPoolSize(8);
                config.addDataSourceProperty("journal_mode", "WAL");
                config.addDataSourceProperty("synchronous", "NORMAL");
                config.addDataSourceProperty("busy_timeout", "30000");
                config.addDataSourceProperty("foreign_keys", "true");
                config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
                // MLflow's LIKE is case-sensitive; SQLite's is not unless told so.
                config.setConnectionInitSql("PRAGMA case_sensitive_like = ON");
            }
            case POSTGRESQL -> {
                config.setMaximumPoolSize(16);
                config.addDataSourceProperty("reWriteBatchedInserts", "true");
            }
        }
        var dataSource = new HikariDataSource(config);
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .placeholders(dialect.migrationPlaceholders())
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Database(dataSource, dialect);
    }

    public Dialect dialect() {
        return dialect;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Runs a read outside any explicit transaction. */
    public <R> R read(HandleCallback<R, RuntimeException> callback) {
        return jdbi.withHandle(callback);
    }

    /**
     * Runs {@code callback} for a read whose rows are streamed rather than held. On PostgreSQL in a read-only
     * transaction, as its driver fetches rows in batches of a query's fetch size only inside one (outside, it reads the
     * whole result first); on SQLite, which steps through rows anyway, as a plain read: its transactions begin
     * IMMEDIATE, taking the one writer's lock, and would hold every writer up for the whole read.
     */
    public <R> R readStreaming(HandleCallback<R, RuntimeException> callback) {
        if (dialect == Dialect.SQLITE) {
            return jdbi.withHandle(callback);
        }
        return jdbi.withHandle(h -> {
            h.setReadOnly(true);
            try {
                return h.inTransaction(callback);
            } finally {
                h.setReadOnly(false);
            }
        });
    }

    /** Runs {@code callback} in one write transaction, committed when it returns and rolled back when it throws. */
    public <R> R write(HandleCallback<R, RuntimeException> callback) {
        if (dialect != Dialect.SQLITE) {
            return jdbi.inTransaction(callback);
        }
        sqliteWriteLock.lock();
        try {
            return jdbi.inTransaction(callback);
        } finally {
            sqliteWriteLock.unlock();
        }
    }

    /** Runs {@code action} in one write transaction. */
    public void writeVoid(java.util.function.Consumer<Handle> action) {
        write(handle -> {
            action.accept(handle);
            return null;
        });
    }

    /** Whether a failure was caused by a unique or primary-key constraint (on either dialect). */
    public static boolean isUniqueViolation(Throwable failure) {
        return causedBy(failure, sql -> {
            var message = String.valueOf(sql.getMessage());
            return "23505".equals(sql.getSQLState()) || message.contains("UNIQUE constraint failed")
                    || message.contains("PRIMARY KEY constraint failed");
        });
    }

    /** Whether a failure was caused by a foreign-key constraint: the row referred to does not exist (either dialect). */
    public static boolean isForeignKeyViolation(Throwable failure) {
        return causedBy(failure, sql -> "23503".equals(sql.getSQLState())
                || String.valueOf(sql.getMessage()).contains("FOREIGN KEY constraint failed"));
    }

    /**
     * Whether a failure was PostgreSQL refusing a text value it cannot store (a NUL character, U+0000, which SQLite
     * stores): only a client sends such text, so it is the client's error.
     */
    public static boolean isUnstorableText(Throwable failure) {
        return causedBy(failure, sql -> "22021".equals(sql.getSQLState()) || "22P05".equals(sql.getSQLState()));
    }

    /** Whether an SQL exception among {@code failure} and its causes passes {@code test}. */
    private static boolean causedBy(Throwable failure, java.util.function.Predicate<java.sql.SQLException> test) {
        for (var t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && test.test(sql)) {
                return true;
            }
        }
        return false;
    }

    /** Reads a nullable BIGINT column. */
    public static Long nullableLong(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
