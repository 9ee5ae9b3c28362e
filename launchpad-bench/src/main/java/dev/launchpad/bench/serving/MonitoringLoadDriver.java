package dev.launchpad.bench.serving;

import dev.launchpad.inference.model.OnnxTestModels;
import dev.launchpad.platform.deploy.BatchingSettings;
import dev.launchpad.platform.deploy.DeploymentService;
import dev.launchpad.platform.monitor.Alerts;
import dev.launchpad.platform.monitor.Baselines;
import dev.launchpad.platform.monitor.FeatureBatch;
import dev.launchpad.platform.monitor.Feedback;
import dev.launchpad.platform.monitor.MonitorChecks;
import dev.launchpad.platform.monitor.MonitorService;
import dev.launchpad.platform.monitor.MonitorSettings;
import dev.launchpad.platform.monitor.PredictionIngestor;
import dev.launchpad.platform.monitor.Predictions;
import dev.launchpad.platform.monitor.WindowData;
import dev.launchpad.platform.monitor.WindowStore;
import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.tracking.ExperimentService;
import dev.launchpad.platform.tracking.RunService;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.ServerConfig;
import dev.launchpad.server.cli.LaunchpadCli;
import dev.launchpad.server.monitor.Monitoring;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What monitoring costs. (1) Serving with prediction logging on and off in the same run: two servers in this
 * process (one started with {@code -Dlaunchpad.monitoring=off}) serve the same MLP to 16 clients sending OIP
 * requests of 1 and of 32 rows; the clients switch server every slice (see {@link AlternatingLoad}), giving
 * paired throughput ratios and each server's CPU per request, and the monitored server's monitoring threads
 * (ingest, flush, scheduled checks) are accounted separately. (2) The monitoring thread's CPU per request of
 * 1 and 32 rows × 30 features on one otherwise idle thread (profiles, samples, prediction extraction).
 * (3) The time of one monitor run for a deployment with 1 000 000 logged predictions × 30 features (60 minute
 * windows, rolled up into an hour): read the span, drift of every feature, data quality, latency, error rate,
 * and performance over the 1 000 000 logged predictions, 100 000 of them labelled.
 */
public final class MonitoringLoadDriver {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("ingest")) {
            ingestCost();
            System.exit(0);
        }
        if (args.length > 0 && args[0].equals("dedicated")) {
            dedicated(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            System.exit(0);
        }
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int sliceMillis = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        System.out.printf("machine: %d cores, java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        var dir = Files.createTempDirectory("launchpad-monitoring-bench-");
        var mlp = OnnxTestModels.mlp(30, 64, 1);
        Path mlpFile = mlp.write(dir.resolve("mlp.onnx"));
        System.setProperty(Monitoring.LOGGING_PROPERTY, "off");
        var off = start(dir.resolve("off"), mlpFile);
        var before = AlternatingLoad.threadsNamed("launchpad-", java.util.Set.of());
        System.setProperty(Monitoring.LOGGING_PROPERTY, "on");
        var on = start(dir.resolve("on"), mlpFile);
        var monitoring = AlternatingLoad.threadsNamed("launchpad-monitor", before); // the monitored server's
        for (int rows : new int[] {1, 32}) {
            var payload = payload(rows);
            var ingestor = on.monitoring().ingestor();
            var start = ingestor.stats();
            var result = AlternatingLoad.run(new String[] {off.url() + "/v2/models/mlp/infer", on.url() + "/v2/models/mlp/infer"},
                    payload, 16, pairs, sliceMillis, 10_000, monitoring, ingestor::flushNow);
            var ratios = result.pairRatios(0, 1);
            var ci = AlternatingLoad.meanAndHalfWidth(ratios);
            double cpuOff = result.serverCpuPerRequest(0, 1);
            double cpuOn = result.serverCpuPerRequest(1, 1);
            var stats = ingestor.stats();
            System.out.printf("%d row(s)/request, 16 clients, %d pairs of %d ms slices: throughput off %.0f, on %.0f req/s;"
                            + " on/off per pair: mean %.1f %% ± %.1f %% (95 %% CI), median %.1f %%%n", rows, pairs, sliceMillis,
                    result.meanRequestsPerSecond(0), result.meanRequestsPerSecond(1), 100 * ci[0], 100 * ci[1],
                    100 * AlternatingLoad.median(ratios));
            System.out.printf("  server CPU per request (process minus load generator): off %.1f us, on %.1f us -> on/off"
                            + " throughput when CPU-bound %.1f %%; monitoring threads %.1f us per request%n",
                    cpuOff / 1e3, cpuOn / 1e3, 100 * cpuOff / cpuOn, result.watchedCpuPerRequest(1) / 1e3);
            var mx = java.lang.management.ManagementFactory.getThreadMXBean();
            for (var t : Thread.getAllStackTraces().keySet()) {
                if (monitoring.contains(t.threadId())) {
                    System.out.printf("  %s: %.0f ms of CPU so far%n", t.getName(), mx.getThreadCpuTime(t.threadId()) / 1e6);
                }
            }
            System.out.printf("  observations accepted %d, dropped %d, unprofiled %d, prediction rows not kept %d%n",
                    stats.accepted() - start.accepted(), stats.dropped() - start.dropped(),
                    stats.unprofiled() - start.unprofiled(), stats.droppedPredictions() - start.droppedPredictions());
        }
        off.close();
        on.close();

        ingestCost();
        checkTime(dir.resolve("check"));
        System.exit(0);
    }

    /**
     * One monitored server alone under load for {@code seconds}: its monitoring threads' CPU per request, where the
     * costs that come per minute (checks, stored prediction rows) are shared by all the requests of that minute.
     */
    private static void dedicated(int rows, int seconds) throws Exception {
        var dir = Files.createTempDirectory("launchpad-monitoring-dedicated-");
        Path mlpFile = OnnxTestModels.mlp(30, 64, 1).write(dir.resolve("mlp.onnx"));
        var before = AlternatingLoad.threadsNamed("launchpad-", java.util.Set.of());
        System.setProperty(Monitoring.LOGGING_PROPERTY, "on");
        var on = start(dir.resolve("on"), mlpFile);
        var monitoring = AlternatingLoad.threadsNamed("launchpad-monitor", before);
        var ingestor = on.monitoring().ingestor();
        var result = AlternatingLoad.run(new String[] {on.url() + "/v2/models/mlp/infer", on.url() + "/v2/models/mlp/infer"},
                payload(rows), 16, 1, seconds * 500, 10_000, monitoring, ingestor::flushNow);
        long requests = 0;
        long wall = 0;
        long server = 0;
        long watched = result.tailWatchedCpu();
        for (var slice : result.slices()) {
            requests += slice.requests();
            wall += slice.wallNanos();
            server += slice.processCpu() - slice.clientCpu();
            watched += slice.watchedCpu();
        }
        System.out.printf("dedicated monitored server, %d row(s)/request, %d s: %.0f req/s; server CPU per request %.1f us,"
                        + " of which monitoring threads %.1f us%n", rows, seconds, requests / (wall / 1e9),
                (server + result.tailWatchedCpu()) / 1e3 / requests, watched / 1e3 / requests);
        on.close();
    }

    private static String payload(int rows) {
        var data = new StringBuilder("[");
        var random = new Random(7);
        for (int r = 0; r < rows; r++) {
            var row = java.util.Arrays.toString(randomRow(random));
            data.append(r == 0 ? "" : ",").append(row, 1, row.length() - 1);
        }
        return "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[" + rows + ",30],\"data\":"
                + data.append(']') + "}]}";
    }

    private static Launchpad start(Path home, Path model) {
        var config = new ServerConfig("127.0.0.1", 0, home, ServerConfig.sqliteUrl(home), home.resolve("artifacts").toString());
        var server = Launchpad.start(config);
        var err = new StringWriter();
        int code = LaunchpadCli.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                .execute("models", "register", "--name", "mlp", "--file", model.toString(), "--signature-from-model",
                        "--server", server.url());
        if (code != 0) {
            throw new IllegalStateException(err.toString());
        }
        try {
            var client = java.net.http.HttpClient.newHttpClient();
            client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + "/api/v1/deployments"))
                    .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers
                            .ofString("{\"name\":\"mlp\",\"model\":\"mlp\",\"version\":\"1\"}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return server;
    }

    private static float[] randomRow(Random random) {
        var row = new float[30];
        for (int i = 0; i < row.length; i++) {
            row[i] = (float) random.nextGaussian();
        }
        return row;
    }

    /**
     * CPU time the monitoring thread spends per request of 1 and 32 rows × 30 features (profiles, sample, prediction
     * rows) over a busy minute's window: about 10 000 requests of 1 row or 5 000 of 32 rows a second, the first
     * prediction rows up to the per-minute cap formatted for storage, as the ingest thread does.
     */
    private static void ingestCost() {
        for (int rows : new int[] {1, 32}) {
            var random = new Random(5);
            int n = rows == 1 ? 600_000 : 300_000;
            var batches = new ArrayList<FeatureBatch[]>(1000);
            var names = List.copyOf(java.util.stream.IntStream.range(0, 30).mapToObj(f -> "x_" + f).toList());
            for (int i = 0; i < 1000; i++) {
                // as serving hands them over: the request's [rows, 30] float tensor, read in place
                float[] x = new float[rows * 30];
                for (int v = 0; v < x.length; v++) {
                    x[v] = (float) random.nextGaussian();
                }
                double[] out = new double[rows];
                for (int r = 0; r < rows; r++) {
                    out[r] = random.nextDouble();
                }
                batches.add(new FeatureBatch[] {FeatureBatch.matrix(names, x, rows),
                        new FeatureBatch(rows, List.of(FeatureBatch.Feature.numeric("out", out)))});
            }
            for (int round = 0; round < 3; round++) {
                var w = WindowData.empty(1000, round);
                int kept = 0;
                int cap = PredictionIngestor.Config.DEFAULT_PREDICTIONS_PER_MINUTE;
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    var b = batches.get(i % batches.size());
                    w.add("ok", 1_000_000, b[0], b[1]);
                    if (kept < cap) {
                        kept += Predictions.rows(b[1], cap - kept).size();
                    }
                }
                w.release();
                long t = System.nanoTime() - t0;
                System.out.printf("profiling one request (%d row(s) x 30 features): %.2f us of CPU on the monitoring"
                        + " thread%n", rows, t / 1e3 / n);
            }
        }
    }

    /** Logs 1 000 000 predictions × 30 features into 60 minute windows, then times one full monitor run. */
    private static void checkTime(Path home) throws Exception {
        Files.createDirectories(home);
        var start = Instant.parse("2026-03-02T10:00:00Z");
        var clock = Clock.fixed(start.plusSeconds(3600), ZoneOffset.UTC);
        try (var db = Database.open(ServerConfig.sqliteUrl(home))) {
            var store = new WindowStore(db);
            var random = new Random(3);
            int total = 1_000_000;
            int perMinute = total / 60 + 1;
            int logged = 0;
            long t0 = System.nanoTime();
            for (int m = 0; m < 60 && logged < total; m++) {
                int n = Math.min(perMinute, total - logged);
                var w = WindowData.empty(1000, m);
                var predictions = new ArrayList<WindowStore.PredictionRow>(n);
                long minute = start.toEpochMilli() + m * 60_000L;
                for (int done = 0; done < n; done += 100) {
                    int rows = Math.min(100, n - done);
                    var features = new ArrayList<FeatureBatch.Feature>();
                    for (int f = 0; f < 30; f++) {
                        double[] v = new double[rows];
                        for (int r = 0; r < rows; r++) {
                            v[r] = random.nextGaussian() + (f < 3 ? 0.5 : 0);
                        }
                        features.add(FeatureBatch.Feature.numeric("f" + f, v));
                    }
                    double[] score = new double[rows];
                    for (int r = 0; r < rows; r++) {
                        score[r] = random.nextDouble();
                    }
                    var out = new FeatureBatch(rows, List.of(FeatureBatch.Feature.numeric("p_0", score.clone()),
                            FeatureBatch.Feature.numeric("p_1", score)));
                    w.add("ok", 1_000_000, new FeatureBatch(rows, features), out);
                    var pr = Predictions.rows(out);
                    for (int r = 0; r < rows; r++) {
                        predictions.add(new WindowStore.PredictionRow("req-" + (logged + done + r), 0, 1,
                                minute + r, pr.get(r).prediction(), pr.get(r).score()));
                    }
                }
                store.flush("bench", 1, minute, w, predictions, minute + 60_000);
                logged += n;
            }
            System.out.printf("logged %d predictions x 30 features in %.1f s%n", logged, (System.nanoTime() - t0) / 1e9);
            // the baseline: 100 000 reference rows
            var csv = new StringBuilder();
            for (int f = 0; f < 30; f++) {
                csv.append(f == 0 ? "" : ",").append("f").append(f);
            }
            csv.append('\n');
            for (int r = 0; r < 100_000; r++) {
                for (int f = 0; f < 30; f++) {
                    csv.append(f == 0 ? "" : ",").append(random.nextGaussian());
                }
                csv.append('\n');
            }
            var ref = Baselines.fromCsv(csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            var baselines = new Baselines(db, clock);
            baselines.put("bench-model", 1, "csv", ref.profile(), ref.sample());
            var feedback = new Feedback(db, clock);
            // late labels for every tenth prediction (100 000), as a labelling job would send them
            long l0 = System.nanoTime();
            var labels = new ArrayList<Feedback.Label>();
            var labelRandom = new Random(5);
            for (int i = 0; i < logged; i += 10) {
                labels.add(new Feedback.Label("req-" + i, 0, labelRandom.nextBoolean() ? "1" : "0"));
                if (labels.size() == Feedback.MAX_ITEMS) {
                    feedback.record("bench", labels);
                    labels.clear();
                }
            }
            if (!labels.isEmpty()) {
                feedback.record("bench", labels);
            }
            System.out.printf("recorded %d labels in %.1f s%n", logged / 10, (System.nanoTime() - l0) / 1e9);
            // the same through the scheduler's entry point: flush hook, every check, results stored, alert rules
            var experiments = new ExperimentService(db, clock);
            var registry = new RegistryService(db, clock, new RunService(db, clock, experiments));
            registry.createRegisteredModel("bench-model", null, List.of());
            registry.createModelVersion("bench-model", "file:///bench", null, List.of(), null, null, null);
            var deployments = new DeploymentService(db, clock, registry);
            deployments.create("bench", new DeploymentService.Spec("bench-model", 1, null, BatchingSettings.DEFAULTS, null));
            var monitors = new MonitorService(db, clock, deployments, store, baselines, feedback, () -> { });
            monitors.addListener(new Alerts(db, clock)::onResults);
            for (int run = 0; run < 3; run++) {
                long r0 = System.nanoTime();
                var stored = monitors.runChecks("bench", start.toEpochMilli(), start.toEpochMilli() + 3_600_000L);
                System.out.printf("MonitorService.runChecks over the hour (1 000 000 predictions x 30 features): %.2f s,"
                        + " %d results stored%n", (System.nanoTime() - r0) / 1e9, stored.size());
            }
            for (int run = 0; run < 3; run++) {
                long c0 = System.nanoTime();
                var from = start.toEpochMilli();
                var to = from + 3_600_000L;
                var current = store.summarize("bench", 1, from, to).orElseThrow();
                long c1 = System.nanoTime();
                var baseline = baselines.get("bench-model", 1).orElseThrow();
                var perf = feedback.total("bench", from, to);
                long c2 = System.nanoTime();
                var results = MonitorChecks.all(current, baseline, perf, MonitorSettings.defaults());
                long c3 = System.nanoTime();
                var drift = results.getFirst();
                long d0 = System.nanoTime();
                var minutes = store.summarize("bench", 1, from + 60_000, to).orElseThrow(); // 59 minute rows
                var driftOnly = MonitorChecks.drift(baseline, minutes.inputs(), minutes.inputSample(),
                        new ArrayList<>(minutes.inputs().columns().keySet()), MonitorSettings.defaults());
                long d1 = System.nanoTime();
                System.out.printf("drift of %d features, %d rows read from 59 minute windows (tested on their merged"
                                + " 1 000-row sample): %.2f s%n",
                        driftOnly.size(), minutes.rows(), (d1 - d0) / 1e9);
                System.out.printf("its parts over %d rows: %.2f s (read span %.2f s, performance %.2f s, checks %.2f s);"
                                + " drifted %s%n", current.rows(), (c3 - c0) / 1e9, (c1 - c0) / 1e9, (c2 - c1) / 1e9,
                        (c3 - c2) / 1e9, drift.features());
            }
        }
    }

}
