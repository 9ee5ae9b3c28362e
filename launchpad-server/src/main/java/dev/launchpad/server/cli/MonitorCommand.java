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
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "baseline", mixinStandardHelpOptions = true,
            description = "Set a model version's baseline from reference data (CSV with a header, or Parquet) or a profile.")
    static final class Baseline implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

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
            if (!Files.isRegularFile(file)) {
                err.println("No such file: " + file);
                return 2;
            }
            var type = data == null ? "application/octet-stream" : ServerClient.referenceDataType(file);
            if (type == null) {
                err.println("--data must be a .csv or .parquet file.");
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
                print(out, monitor.path("latest"));
                var schedule = monitor.path("schedule");
                if (schedule.has("last_checked_to")) {
                    out.printf("Checked up to %s; next run at %s%n",
                            java.time.Instant.ofEpochMilli(schedule.path("last_checked_to").asLong()),
                            java.time.Instant.ofEpochMilli(schedule.path("next_run_at").asLong()));
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

    static void print(java.io.PrintWriter out, com.fasterxml.jackson.databind.JsonNode results) {
        out.printf("%-18s %-8s %-12s %s%n", "CHECK", "STATUS", "METRIC", "FEATURES");
        for (var r : results) {
            var features = new StringBuilder();
            r.path("breached_features").forEach(f -> features.append(features.isEmpty() ? "" : ",").append(f.asText()));
            out.printf("%-18s %-8s %-12s %s%n", r.path("check").asText(), r.path("status").asText(),
                    r.has("metric") ? String.format(Locale.ROOT, "%.4g", r.path("metric").asDouble()) : "-", features);
        }
    }
}
