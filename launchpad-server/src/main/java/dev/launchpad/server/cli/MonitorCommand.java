package dev.launchpad.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code launchpad monitor baseline|status|run}: set a model version's baseline from its reference data
 * (CSV) or a profile, see a deployment's latest check results, run its checks now.
 */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = "Production monitoring: baselines and monitor checks.",
        subcommands = {MonitorCommand.Baseline.class, MonitorCommand.Status.class, MonitorCommand.Run.class})
public final class MonitorCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        CommandGroups.missingSubcommand(spec);
    }

    // not mixinStandardHelpOptions: its --version would clash with the model version's, and picocli would then drop
    // --help as well
    @Command(name = "baseline",
            description = "Set a model version's baseline from reference data (CSV with a header, or Parquet) or a profile.")
    static final class Baseline implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Option(names = "--model", required = true, description = "Registered model name.")
        String model;

        @Option(names = "--version", required = true, description = "Model version.")
        int version;

        @Option(names = "--data", description = "Reference data as CSV or Parquet (training or validation data).")
        Path data;

        @Option(names = "--profile", description = "A dataset profile (Launchpad's binary profile format) instead of data.")
        Path profile;

        @Option(names = "--server", description = "Launchpad server URL (default: $LAUNCHPAD_URL or http://127.0.0.1:8080).")
        String server;

        @Override
        public Integer call() throws Exception {
            var err = spec.commandLine().getErr();
            if ((data == null) == (profile == null)) {
                err.println("Give --data FILE.csv or --profile FILE.");
                return 2;
            }
            var file = data != null ? data : profile;
            if (Files.isDirectory(file)) {
                err.println(file + " is a directory; give one file (a dataset Spark wrote as a directory of part files:"
                        + " one part, or profile it yourself and give --profile).");
                return 2;
            }
            if (!Files.isRegularFile(file)) {
                err.println("No such file: " + file);
                return 2;
            }
            if (!Files.isReadable(file)) {
                err.println("Cannot read " + file + " (permissions).");
                return 2;
            }
            var type = data == null ? "application/octet-stream" : ServerClient.referenceDataType(file);
            if (type == null) {
                err.println("--data must be a .csv or .parquet file.");
                return 2;
            }
            var tooLarge = ServerClient.tooLargeForBaseline(file, data == null);
            if (tooLarge != null) {
                err.println(tooLarge);
                return 2;
            }
            return ServerClient.answer(spec, server, (client, out) -> {
                var body = client.putFile("/api/v1/models/" + ServerClient.encode(model) + "/versions/" + version
                        + "/baseline", type, file);
                out.printf("Baseline of %s version %d: %d rows, %d columns (%s)%n", model, version, body.path("rows").asLong(),
                        body.path("columns").size(), body.path("source").asText());
            });
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "The latest result of each check of a deployment.")
    static final class Status implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--deployment", required = true, description = "Deployment name.")
        String deployment;

        @Option(names = "--server", description = "Launchpad server URL.")
        String server;

        @Override
        public Integer call() throws Exception {
            return ServerClient.answer(spec, server, (client, out) -> {
                var monitor = client.get("/api/v1/deployments/" + ServerClient.encode(deployment) + "/monitor");
                boolean enabled = monitor.path("settings").path("enabled").asBoolean(true);
                if (!enabled) {
                    out.println("Monitoring is switched off: scheduled checks do not run (the results below are the"
                            + " last ones; switch it on with PATCH .../monitor {\"enabled\": true}).");
                }
                print(out, monitor.path("latest"));
                var schedule = monitor.path("schedule");
                if (schedule.has("last_checked_to")) {
                    out.printf("Checked up to %s%n", java.time.Instant.ofEpochMilli(schedule.path("last_checked_to").asLong()));
                }
                if (enabled && schedule.has("next_run_at")) {
                    out.printf("Next run at %s%n", java.time.Instant.ofEpochMilli(schedule.path("next_run_at").asLong()));
                }
                if (schedule.has("last_error")) {
                    int attempts = schedule.path("failed_attempts").asInt();
                    out.printf("Last scheduled run failed%s: %s%n", attempts > 0 ? " (" + attempts + " attempts, retrying)" : "",
                            schedule.path("last_error").asText());
                }
            });
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run a deployment's checks now over the last interval.")
    static final class Run implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--deployment", required = true, description = "Deployment name.")
        String deployment;

        @Option(names = "--server", description = "Launchpad server URL.")
        String server;

        @Override
        public Integer call() throws Exception {
            return ServerClient.answer(spec, server, (client, out) -> print(out,
                    client.post("/api/v1/deployments/" + ServerClient.encode(deployment) + "/monitor/run",
                            dev.launchpad.core.json.Json.mapper().createObjectNode()).path("results")));
        }
    }

    /**
     * The results as a table: each check's status, metric and threshold, the span it looked at (UTC), and a note —
     * the features that breached, that the metric is a CBPE estimate, or why there was no data.
     */
    static void print(java.io.PrintWriter out, com.fasterxml.jackson.databind.JsonNode results) {
        out.printf("%-18s %-8s %-12s %-12s %-23s %s%n", "CHECK", "STATUS", "METRIC", "THRESHOLD", "SPAN (UTC)", "NOTE");
        // (a span over midnight, or off the minute, is wider than its column: the note moves right)
        for (var r : results) {
            var note = new StringBuilder();
            r.path("breached_features").forEach(f -> note.append(note.isEmpty() ? "" : ",").append(f.asText()));
            if (r.path("details").path("estimated").asBoolean()) {
                note.append(note.isEmpty() ? "" : "; ").append("estimated (CBPE, no labels yet)");
            }
            if (r.path("status").asText().equals("no_data") && r.path("details").has("reason")) {
                note.append(note.isEmpty() ? "" : "; ").append(r.path("details").path("reason").asText());
            }
            out.printf("%-18s %-8s %-12s %-12s %-23s %s%n", r.path("check").asText(), r.path("status").asText(),
                    number(r.path("metric")), number(r.path("threshold")), span(r), note);
        }
    }

    private static String number(com.fasterxml.jackson.databind.JsonNode n) {
        return n.isNumber() ? String.format(Locale.ROOT, "%.4g", n.asDouble()) : "-";
    }

    /** A span as "yyyy-MM-dd HH:mm–HH:mm", or with the end's date too when it ends another day. */
    private static String span(com.fasterxml.jackson.databind.JsonNode r) {
        if (!r.has("from") || !r.has("to")) {
            return "-";
        }
        var from = java.time.Instant.ofEpochMilli(r.path("from").asLong()).atZone(java.time.ZoneOffset.UTC);
        var to = java.time.Instant.ofEpochMilli(r.path("to").asLong()).atZone(java.time.ZoneOffset.UTC);
        boolean seconds = from.getSecond() != 0 || to.getSecond() != 0;
        var day = java.time.format.DateTimeFormatter.ofPattern(seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm");
        var time = java.time.format.DateTimeFormatter.ofPattern(seconds ? "HH:mm:ss" : "HH:mm");
        return day.format(from) + "–" + (from.toLocalDate().equals(to.toLocalDate()) ? time : day).format(to);
    }
}
