package dev.launchpad.server.cli;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.govern.audit.AuditFilter;
import dev.launchpad.platform.govern.audit.AuditLog;
import dev.launchpad.platform.govern.audit.AuditVerification;
import dev.launchpad.platform.store.Database;
import dev.launchpad.server.ServerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;

/**
 * {@code launchpad audit verify|export}: checks the audit log's hash chain, or exports it as JSON lines,
 * reading the metadata database directly (no server needed, so a tampered server cannot lie about it).
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Verify or export the tamper-evident audit log, reading the database directly.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Export.class})
public final class AuditCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        CommandGroups.missingSubcommand(spec);
    }

    /** Where the database is: {@code --db URL}, or the SQLite file in {@code --home}. */
    static final class DatabaseOptions {
        @Option(names = "--home", description = "Launchpad's home directory (default: $LAUNCHPAD_HOME or ~/.launchpad).")
        Path home;

        @Option(names = "--db", description = "Metadata database JDBC URL (default: SQLite at <home>/launchpad.db).")
        String db;

        /** Opens the database; an embedded one must exist already (a typo must not create an empty, "intact" log). */
        Database open() {
            if (db != null) {
                return Database.open(db);
            }
            var base = home != null ? home : ServerConfig.defaultHome();
            if (!Files.isRegularFile(base.resolve("launchpad.db"))) {
                throw LaunchpadException.invalid("No Launchpad database at " + base.resolve("launchpad.db")
                        + " (use --home DIR or --db URL).");
            }
            return Database.open(ServerConfig.sqliteUrl(base));
        }
    }

    /** {@code launchpad audit verify}: exit 0 when the chain is intact, 1 naming the first broken row. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Walk the audit log's hash chain; print OK with the row count (exit 0) or the first"
                    + " broken row (exit 1).")
    static final class Verify implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        DatabaseOptions database = new DatabaseOptions();

        @Option(names = "--expect-head", paramLabel = "SEQ:HASH",
                description = "A head printed by an earlier verify: also fail if that row is gone or was rewritten.")
        String expectHead;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            var err = spec.commandLine().getErr();
            long expectSeq = 0;
            String expectHash = null;
            if (expectHead != null) {
                var parts = expectHead.split(":", 2);
                try {
                    expectSeq = Long.parseLong(parts[0]);
                } catch (NumberFormatException e) {
                    expectSeq = -1;
                }
                if (parts.length != 2 || expectSeq < 1 || !parts[1].matches("[0-9a-f]{64}")) {
                    err.println("launchpad audit verify: --expect-head must be SEQ:HASH, e.g. 42:<64 hex digits>");
                    return 2;
                }
                expectHash = parts[1];
            }
            AuditVerification result;
            try (var db = database.open()) {
                result = new AuditLog(db, Clock.systemUTC()).verify(expectSeq, expectHash);
            } catch (LaunchpadException e) {
                err.println("launchpad audit verify: " + e.getMessage());
                return 2;
            } catch (RuntimeException e) {
                err.println("launchpad audit verify: could not read the database: " + ServerCommand.rootMessage(e));
                return 2;
            }
            switch (result) {
                case AuditVerification.Intact intact -> {
                    out.println("OK: audit log intact, " + intact.rows() + " rows; head " + intact.headSeq() + ":"
                            + intact.headHash());
                    out.flush();
                    return 0;
                }
                case AuditVerification.Broken broken -> {
                    out.println("BROKEN: row " + broken.seq() + " (" + broken.problem() + "): " + broken.message());
                    out.println(broken.rowsVerified() + " rows before it verified.");
                    out.flush();
                    return 1;
                }
            }
        }
    }

    /** {@code launchpad audit export}: the audit log as JSON lines, to a file or standard output. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Export the audit log as JSON lines (one row per line, with its hashes).")
    static final class Export implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        DatabaseOptions database = new DatabaseOptions();

        @Option(names = "--out", description = "File to write (default: standard output).")
        Path out;

        @Option(names = "--actor", description = "Only rows of this actor.")
        String actor;

        @Option(names = "--action", description = "Only rows of this action, e.g. 'POST /api/v1/deployments'.")
        String action;

        @Option(names = "--resource", description = "Only rows whose resource starts with this prefix.")
        String resource;

        @Override
        public Integer call() {
            var err = spec.commandLine().getErr();
            try (var db = database.open()) {
                var filter = new AuditFilter(actor, action, resource, null, null);
                var log = new AuditLog(db, Clock.systemUTC());
                long rows;
                if (out == null) {
                    var stdout = new BufferedOutputStream(System.out);
                    rows = log.exportJsonLines(stdout, filter);
                    stdout.flush();
                } else {
                    var temp = Files.createTempFile(out.toAbsolutePath().getParent(), ".audit-", ".tmp");
                    try {
                        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(temp))) {
                            rows = log.exportJsonLines(file, filter);
                        }
                        Files.move(temp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    } finally {
                        Files.deleteIfExists(temp);
                    }
                    err.println("Exported " + rows + " audit rows to " + out);
                }
                return 0;
            } catch (LaunchpadException e) {
                err.println("launchpad audit export: " + e.getMessage());
                return 2;
            } catch (IOException | RuntimeException e) {
                err.println("launchpad audit export: " + ServerCommand.rootMessage(e));
                return 1;
            }
        }
    }
}
