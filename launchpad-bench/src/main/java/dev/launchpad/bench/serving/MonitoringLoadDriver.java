package dev.launchpad.bench.serving;

import dev.launchpad.bench.ScratchDirectory;
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
import dev.launchpad.server.ServerConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * What monitoring costs. (1) Serving with prediction logging on and off in the same run: two servers, each in a
 * JVM of its own, one started with {@code -Dlaunchpad.monitoring=off}, serve the same MLP to 16 clients (in this
 * JVM) sending OIP requests of 1 and of 32 rows; the clients switch server every slice (see
 * {@link AlternatingLoad}), giving paired throughput ratios and each server's CPU per request, of which the
 * monitored server's monitoring threads (ingest, flush, scheduled checks). {@code calibrate} runs the same with
 * monitoring off on both servers: what the method itself reads as a difference. {@code toggle} instead switches
 * logging on and off between the slices of one server (see {@link ToggledLoad}), in fresh JVMs per fork, which
 * takes the JIT differences between two JVMs out of each pair, for requests of 1 and 32 rows or the sizes given after
 * its forks, pairs and slice length ({@code toggle 4 20 2000 8,16,32}); {@code toggle calibrate} leaves it off. (2) The
 * monitoring thread's CPU per request of 1 and 32 rows × 30 features on one otherwise idle thread (profiles,
 * samples, prediction extraction). (3) The time of one monitor run for a deployment with 1 000 000 logged predictions × 30
 * features (60 minute windows, rolled up into an hour): read the span, drift of every feature, data quality,
 * latency, error rate, and performance over the 1 000 000 logged predictions, 100 000 of them labelled;
 * {@code ingest} and {@code checks} run (2) and (3) alone; {@code performance-day} times the performance check's reads over
 * a day of predictions stored at the per-minute cap (28.8 million); {@code prune} times the hourly prune of logged
 * predictions as it was and as it is.
 */
public final class MonitoringLoadDriver {
    private static final String INFER = "/v2/models/mlp/infer";

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("ingest")) {
            ingestCost();
            System.exit(0);
        }
        // every mode's servers, models and databases live in one temporary directory, deleted when the mode ends
        // well; kept when it fails (each server's home holds its server.log and gc.log) or with -Dlaunchpad.bench.keep
        String mode = args.length == 0 || !args[0].matches("[a-z-]+") ? "bench" : args[0];
        ScratchDirectory.run("launchpad-monitoring-" + mode + "-", dir -> run(args, dir));
        System.exit(0);
    }

    private static void run(String[] args, Path dir) throws Exception {
        if (args.length > 0 && args[0].equals("checks")) {
            checkTime(dir);
            return;
        }
        if (args.length > 0 && args[0].equals("performance-day")) {
            boolean postgres = args.length > 1 && args[1].equals("postgresql");
            int first = postgres ? 2 : 1;
            int minutes = args.length > first ? Integer.parseInt(args[first]) : 1_440;
            int perMinute = args.length > first + 1 ? Integer.parseInt(args[first + 1])
                    : PredictionIngestor.Config.DEFAULT_PREDICTIONS_PER_MINUTE;
            if (postgres) {
                try (var pg = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                        .setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true).start()) {
                    performanceOverADay(pg.getJdbcUrl("postgres", "postgres"), minutes, perMinute);
                }
            } else {
                performanceOverADay(ServerConfig.sqliteUrl(dir), minutes, perMinute);
            }
            return;
        }
        if (args.length > 0 && args[0].equals("prune")) {
            boolean postgres = args.length > 1 && args[1].equals("postgresql");
            int first = postgres ? 2 : 1;
            int minutes = args.length > first ? Integer.parseInt(args[first]) : 240;
            if (postgres) {
                try (var pg = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                        .setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true).start()) {
                    pruneTime(pg.getJdbcUrl("postgres", "postgres"), minutes);
                }
            } else {
                pruneTime(ServerConfig.sqliteUrl(dir), minutes);
            }
            return;
        }
        if (args.length > 0 && args[0].equals("toggle")) {
            boolean calibrate = args.length > 1 && args[1].equals("calibrate");
            int first = calibrate ? 2 : 1;
            toggled(calibrate, args.length > first ? Integer.parseInt(args[first]) : 4,
                    args.length > first + 1 ? Integer.parseInt(args[first + 1]) : 20,
                    args.length > first + 2 ? Integer.parseInt(args[first + 2]) : 2_000,
                    args.length > first + 3 ? rowCounts(args[first + 3]) : new int[] {1, 32}, dir);
            return;
        }
        if (args.length > 0 && args[0].equals("dedicated")) {
            dedicated(Integer.parseInt(args[1]), Integer.parseInt(args[2]), !(args.length > 3 && args[3].equals("off")),
                    dir);
            return;
        }
        boolean calibrate = args.length > 0 && args[0].equals("calibrate");
        int first = calibrate ? 1 : 0;
        int forks = args.length > first ? Integer.parseInt(args[first]) : 6;
        int pairs = args.length > first + 1 ? Integer.parseInt(args[first + 1]) : 10;
        int sliceMillis = args.length > first + 2 ? Integer.parseInt(args[first + 2]) : 2_000;
        System.out.printf("machine: %d cores, java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        Path mlpFile = OnnxTestModels.mlp(30, 64, 1).write(dir.resolve("mlp.onnx"));
        String[] names = calibrate ? new String[] {"off", "off too"} : new String[] {"off", "on"};
        int[] sizes = {1, 32};
        var measured = new Measured[sizes.length][forks];
        for (int fork = 0; fork < forks; fork++) {
            // fresh JVMs for each fork, started in turn in either order: JIT decisions differ between JVMs
            var homes = new Path[] {dir.resolve(fork + "-off"), dir.resolve(fork + "-on")};
            var servers = new ServerProcess[2];
            try {
                for (int i = 0; i < 2; i++) {
                    int s = fork % 2 == 0 ? i : 1 - i;
                    servers[s] = server(homes[s], mlpFile, s == 1 && !calibrate);
                }
            } catch (RuntimeException e) {
                for (var started : servers) {
                    if (started != null) {
                        started.close();
                    }
                }
                throw e;
            }
            try (var off = servers[0]; var on = servers[1]) {
                for (int rows : sizes) {
                    // unmeasured: until the JIT has compiled both request sizes' paths, monitoring's included
                    AlternatingLoad.run(new ServerProcess[] {off, on}, INFER, payload(rows), 16, 0, sliceMillis, 15_000);
                }
                for (int k = 0; k < sizes.length; k++) {
                    var result = AlternatingLoad.run(new ServerProcess[] {off, on}, INFER, payload(sizes[k]), 16, pairs,
                            sliceMillis, 10_000);
                    System.out.printf("fork %d, %d row(s)/request, 16 clients, %d pairs of %d ms slices:", fork + 1,
                            sizes[k], pairs, sliceMillis);
                    measured[k][fork] = report(names, result);
                }
            }
        }
        for (int k = 0; k < sizes.length; k++) {
            var m = measured[k];
            var t = AlternatingLoad.meanAndHalfWidth(Arrays.stream(m).mapToDouble(Measured::throughputRatio).toArray());
            var c = AlternatingLoad.meanAndHalfWidth(Arrays.stream(m).mapToDouble(x -> x.cpu[0] / x.cpu[1]).toArray());
            var a = AlternatingLoad.meanAndHalfWidth(Arrays.stream(m).mapToDouble(x -> x.cpu[0]).toArray());
            var b = AlternatingLoad.meanAndHalfWidth(Arrays.stream(m).mapToDouble(x -> x.cpu[1]).toArray());
            var share = AlternatingLoad.meanAndHalfWidth(Arrays.stream(m).mapToDouble(Measured::monitoringShare).toArray());
            System.out.printf("%d row(s)/request over %d forks: %s/%s throughput %.1f %% ± %.1f %%, when CPU-bound %.1f %% ±"
                            + " %.1f %% (95 %% CI over forks); server CPU per request %s %.1f ± %.1f us, %s %.1f ± %.1f us;"
                            + " %s's monitoring threads take %.1f %% ± %.1f %% of its CPU%n",
                    sizes[k], forks, names[1], names[0], 100 * t[0], 100 * t[1], 100 * c[0], 100 * c[1], names[0],
                    a[0] / 1e3, a[1] / 1e3, names[1], b[0] / 1e3, b[1] / 1e3, names[1], 100 * share[0], 100 * share[1]);
        }
        if (!calibrate) {
            ingestCost();
            checkTime(dir.resolve("check"));
        }
    }

    /**
     * What one fork measured for one request size: the mean on/off throughput ratio of its pairs, each server's CPU
     * per request (ns), and the share of the second server's CPU its monitoring threads took beyond the first's.
     */
    private record Measured(double throughputRatio, double[] cpu, double monitoringShare) {
    }

    /** Prints a fork's result for one request size (throughput, CPU, GC, threads) and returns what it measured. */
    private static Measured report(String[] names, AlternatingLoad.Result result) {
        var ratios = result.pairRatios(0, 1);
        var ci = AlternatingLoad.meanAndHalfWidth(ratios);
        System.out.printf(" throughput %s %.0f, %s %.0f req/s; %s/%s per pair: mean %.1f %% ± %.1f %% (95 %% CI), median"
                        + " %.1f %%%n", names[0], result.meanRequestsPerSecond(0), names[1], result.meanRequestsPerSecond(1),
                names[1], names[0], 100 * ci[0], 100 * ci[1], 100 * AlternatingLoad.median(ratios));
        for (int s = 0; s < 2; s++) {
            var spent = result.spent(s);
            long requests = Math.max(1, result.requests(s));
            System.out.printf("  %s: server process CPU per request %.1f us, of which monitoring threads %.1f us;"
                            + " %d GCs, %d ms of pauses per 100 000 requests; observations accepted %d, dropped %d,"
                            + " unprofiled %d; requests that failed %d%n", names[s], result.cpuPerRequest(s) / 1e3,
                    result.monitoringCpuPerRequest(s) / 1e3, spent.gcCount() * 100_000 / requests,
                    spent.gcMillis() * 100_000 / requests, spent.accepted(), spent.dropped(), spent.unprofiled(),
                    result.failed()[s]);
        }
        printThreads(names, result.threadCpuPerRequest(0), result.threadCpuPerRequest(1));
        double[] cpu = {result.cpuPerRequest(0), result.cpuPerRequest(1)};
        System.out.printf("  %s/%s throughput when CPU-bound (CPU per request %s / %s): %.1f %%%n", names[1], names[0],
                names[0], names[1], 100 * cpu[0] / cpu[1]);
        return new Measured(ci[0], cpu,
                (result.monitoringCpuPerRequest(1) - result.monitoringCpuPerRequest(0)) / cpu[1]);
    }

    /** Both sides' CPU per request by thread name, the largest differences first (JIT, GC, request threads, ...). */
    private static void printThreads(String[] names, java.util.Map<String, Double> a, java.util.Map<String, Double> b) {
        var all = new java.util.TreeSet<>(a.keySet());
        all.addAll(b.keySet());
        var sorted = new ArrayList<>(all);
        sorted.sort(java.util.Comparator.comparingDouble(n -> -Math.abs(b.getOrDefault(n, 0.0) - a.getOrDefault(n, 0.0))));
        System.out.printf("  CPU per request by thread (us), %s -> %s:", names[0], names[1]);
        for (var name : sorted.subList(0, Math.min(14, sorted.size()))) {
            System.out.printf(" [%s] %.1f -> %.1f;", name, a.getOrDefault(name, 0.0), b.getOrDefault(name, 0.0));
        }
        System.out.println();
    }

    /** Rows per request, as {@code 8,16,32}. */
    private static int[] rowCounts(String list) {
        try {
            var sizes = Arrays.stream(list.split(",")).mapToInt(s -> Integer.parseInt(s.strip())).toArray();
            if (sizes.length > 0 && Arrays.stream(sizes).allMatch(n -> n > 0)) {
                return sizes;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("rows per request are positive numbers separated by commas, as in 1,8,32,"
                + " not '" + list + "'");
    }

    /**
     * Logging switched on and off between slices on one server (see {@link ToggledLoad}), in {@code forks} fresh
     * server JVMs, for requests of each of {@code sizes} rows; {@code calibrate} leaves it off on both sides.
     */
    private static void toggled(boolean calibrate, int forks, int pairs, int sliceMillis, int[] sizes, Path dir)
            throws Exception {
        System.out.printf("machine: %d cores, java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        Path mlpFile = OnnxTestModels.mlp(30, 64, 1).write(dir.resolve("mlp.onnx"));
        String[] names = calibrate ? new String[] {"off", "off too"} : new String[] {"off", "on"};
        var ratios = new double[sizes.length][forks];
        var cpuRatios = new double[sizes.length][forks];
        var pooled = new ArrayList<List<Double>>();
        for (int k = 0; k < sizes.length; k++) {
            pooled.add(new ArrayList<>());
        }
        for (int fork = 0; fork < forks; fork++) {
            try (var server = server(dir.resolve("toggle-" + fork), mlpFile, true)) {
                for (int rows : sizes) {
                    // unmeasured: until the JIT has compiled both request sizes' paths, logging on and off
                    ToggledLoad.run(server, INFER, payload(rows), 16, 0, sliceMillis, 15_000, calibrate);
                }
                for (int k = 0; k < sizes.length; k++) {
                    var result = ToggledLoad.run(server, INFER, payload(sizes[k]), 16, pairs, sliceMillis, 5_000, calibrate);
                    var pair = result.pairRatios();
                    var ci = AlternatingLoad.meanAndHalfWidth(pair);
                    var a = result.sideByPosition(false);
                    var b = result.sideByPosition(true);
                    var cpu = result.cpuPerRequest();
                    var attributed = result.attributedCpuPerRequest();
                    var monitoring = result.monitoringCpuPerRequest();
                    System.out.printf("fork %d, %d row(s)/request, 16 clients, %d pairs of %d ms slices, one server,"
                                    + " logging %s | %s: throughput %.0f | %.0f req/s; %s/%s per pair: mean %.1f %% ± %.1f %%"
                                    + " (95 %% CI), median %.1f %%; requests that failed %d%n", fork + 1, sizes[k], pairs,
                            sliceMillis, names[0], names[1], ToggledLoad.Result.meanRequestsPerSecond(a),
                            ToggledLoad.Result.meanRequestsPerSecond(b), names[1], names[0], 100 * ci[0], 100 * ci[1],
                            100 * AlternatingLoad.median(pair), result.failed());
                    var spentA = ToggledLoad.Result.spent(a);
                    var spentB = ToggledLoad.Result.spent(b);
                    System.out.printf("  server CPU per request %.1f | %.1f us (monitoring threads %.1f | %.1f us as spent);"
                                    + " with the monitoring threads' CPU in '%s' slices beyond their baseline and the last"
                                    + " flush charged to '%s':"
                                    + " %.1f | %.1f us, %s/%s when CPU-bound %.1f %%; GCs per 100 000 requests %d | %d;"
                                    + " observations accepted %d, dropped %d, unprofiled %d%n",
                            cpu[0] / 1e3, cpu[1] / 1e3, monitoring[0] / 1e3, monitoring[1] / 1e3, names[0], names[1],
                            attributed[0] / 1e3, attributed[1] / 1e3, names[1], names[0],
                            100 * attributed[0] / attributed[1],
                            spentA.gcCount() * 100_000 / Math.max(1, ToggledLoad.Result.requests(a)),
                            spentB.gcCount() * 100_000 / Math.max(1, ToggledLoad.Result.requests(b)),
                            spentB.accepted() + result.tail().accepted(), spentB.dropped(), spentB.unprofiled());
                    printThreads(names, result.threadCpuPerRequest(false), result.threadCpuPerRequest(true));
                    ratios[k][fork] = ci[0];
                    cpuRatios[k][fork] = attributed[0] / attributed[1];
                    for (double r : pair) {
                        pooled.get(k).add(r);
                    }
                }
            }
        }
        for (int k = 0; k < sizes.length; k++) {
            var t = AlternatingLoad.meanAndHalfWidth(ratios[k]);
            var c = AlternatingLoad.meanAndHalfWidth(cpuRatios[k]);
            var all = AlternatingLoad.meanAndHalfWidth(pooled.get(k).stream().mapToDouble(Double::doubleValue).toArray());
            System.out.printf("%d row(s)/request, %d forks: %s/%s throughput %.1f %% ± %.1f %% (95 %% CI over forks; forks"
                            + " %.1f - %.1f %%), all %d pairs %.1f %% ± %.1f %%; when CPU-bound %.1f %% ± %.1f %%%n",
                    sizes[k], forks, names[1], names[0], 100 * t[0], 100 * t[1],
                    100 * java.util.Arrays.stream(ratios[k]).min().orElse(0),
                    100 * java.util.Arrays.stream(ratios[k]).max().orElse(0), pooled.get(k).size(), 100 * all[0],
                    100 * all[1], 100 * c[0], 100 * c[1]);
        }
    }

    /**
     * One monitored server alone under load for {@code seconds}: its monitoring threads' CPU per request, where the
     * costs that come per minute (checks, stored prediction rows) are shared by all the requests of that minute.
     */
    private static void dedicated(int rows, int seconds, boolean logging, Path dir) throws Exception {
        Path mlpFile = OnnxTestModels.mlp(30, 64, 1).write(dir.resolve("mlp.onnx"));
        try (var on = server(dir.resolve("on"), mlpFile, logging)) {
            var result = AlternatingLoad.run(new ServerProcess[] {on}, INFER, payload(rows), 16, 1, seconds * 500, 10_000);
            var spent = result.spent(0);
            System.out.printf("dedicated server, logging %s, %d row(s)/request, %d s: %.0f req/s; server process CPU per"
                            + " request %.1f us, of which monitoring threads %.1f us (%.1f %%); %d dropped, %d unprofiled,"
                            + " %d requests failed%n",
                    logging ? "on" : "off", rows, seconds, result.meanRequestsPerSecond(0), result.cpuPerRequest(0) / 1e3,
                    result.monitoringCpuPerRequest(0) / 1e3,
                    100 * result.monitoringCpuPerRequest(0) / result.cpuPerRequest(0), spent.dropped(), spent.unprofiled(),
                    result.failed()[0]);
        }
    }

    /**
     * An OIP infer request of {@code rows} rows × 30 features: JSON, or with {@code -Dlaunchpad.bench.binary=true} the
     * same tensor as binary data (the binary tensor extension), which costs the server far less per value to read.
     */
    private static RequestBody payload(int rows) {
        var random = new Random(7);
        if (Boolean.getBoolean("launchpad.bench.binary")) {
            var data = java.nio.ByteBuffer.allocate(rows * 30 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < rows; r++) {
                for (float v : randomRow(random)) {
                    data.putFloat(v);
                }
            }
            return RequestBody.binary("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[" + rows
                    + ",30],\"parameters\":{\"binary_data_size\":" + data.capacity() + "}}]}", data.array());
        }
        var data = new StringBuilder("[");
        for (int r = 0; r < rows; r++) {
            var row = Arrays.toString(randomRow(random));
            data.append(r == 0 ? "" : ",").append(row, 1, row.length() - 1);
        }
        return RequestBody.json("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[" + rows
                + ",30],\"data\":" + data.append(']') + "}]}");
    }

    /** A server in its own JVM serving the MLP as {@code mlp}, with prediction logging on or off; GC log in its home. */
    private static ServerProcess server(Path home, Path model, boolean monitoring) throws Exception {
        return ServerProcess.start(home, model, monitoring, List.of("-Xlog:gc:file=" + home.resolve("gc.log")));
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

    /**
     * The hourly prune of logged predictions: {@code minutes} minutes of predictions at the per-minute cap for two
     * deployments, then the oldest 30 minutes of each pruned as the prune did before (one statement a table, each
     * reading the whole table) and the next 30 as it does now ({@code MonitorService.prune}: each deployment's rows
     * through its index, a batch a transaction), the clock 30 days past them; then, now's way, all but the last 30
     * minutes at once, as after a server down for that long. Times each, and the longest wait of a writer storing a
     * row every 5 ms meanwhile (on SQLite every write waits for the one under way).
     */
    private static void pruneTime(String url, int minutes) throws Exception {
        long start = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();
        int perMinute = PredictionIngestor.Config.DEFAULT_PREDICTIONS_PER_MINUTE;
        try (var db = Database.open(url)) {
            var store = new WindowStore(db);
            long t0 = System.nanoTime();
            for (var deployment : List.of("bench", "bench-2")) {
                for (int m = 0; m < minutes; m++) {
                    long minute = start + m * 60_000L;
                    var rows = new ArrayList<WindowStore.PredictionRow>(perMinute);
                    for (int r = 0; r < perMinute; r++) {
                        rows.add(new WindowStore.PredictionRow("req-" + m + "-" + r, 0, 1,
                                minute + r * 60_000L / perMinute, r % 2 == 0 ? "1" : "0", 0.5));
                    }
                    store.flush(deployment, 1, minute, WindowData.empty(10, m), rows, minute + 60_000);
                }
            }
            System.out.printf("stored %d predictions (%d a minute for %d minutes, two deployments) in %.1f s%n",
                    2L * minutes * perMinute, perMinute, minutes, (System.nanoTime() - t0) / 1e9);
            var retention = MonitorService.Retention.defaults();
            long days30 = retention.predictions().toMillis();
            long probeTime = start + minutes * 60_000L + days30; // the probe's rows are never old enough to go
            // before: the statements of the prune until 2026-12-07, with its cut-offs
            long before = start + 30 * 60_000L + days30;
            long lag = 2 * 3_600_000L;
            var old = whileWriting(db, probeTime, () -> {
                int n = 0;
                for (var delete : List.of(
                        "DELETE FROM monitor_windows WHERE granularity = 'minute' AND window_start < " + (before - retention.minutes().toMillis() - lag),
                        "DELETE FROM monitor_windows WHERE granularity = 'hour' AND window_start < " + (before - retention.hours().toMillis() - lag),
                        "DELETE FROM monitor_predictions WHERE predicted_at < " + (before - days30),
                        "DELETE FROM monitor_feedback WHERE received_at < " + (before - days30),
                        "DELETE FROM monitor_results WHERE window_to < " + (before - retention.results().toMillis()))) {
                    n += db.write(h -> h.createUpdate(delete).execute()); // one transaction a table
                }
                return n;
            });
            var now = whileWriting(db, probeTime, () -> monitors(db, start + 60 * 60_000L + days30).prune(retention));
            var backlog = whileWriting(db, probeTime,
                    () -> monitors(db, start + (minutes - 30) * 60_000L + days30).prune(retention));
            System.out.printf("before, one statement a table: %d rows in %.2f s, the longest wait of a writer %.0f ms%n",
                    old[0], old[1] / 1e9, old[2] / 1e6);
            System.out.printf("now, by deployment, a batch a transaction: %d rows in %.2f s, the longest wait of a"
                    + " writer %.0f ms%n", now[0], now[1] / 1e9, now[2] / 1e6);
            System.out.printf("now, a backlog of %d minutes: %d rows in %.2f s (%.2f s a million), the longest wait of a"
                    + " writer %.0f ms%n", minutes - 90, backlog[0], backlog[1] / 1e9, backlog[1] / 1e3 / backlog[0],
                    backlog[2] / 1e6);
        }
    }

    /** A monitor service on {@code db} whose clock stands at {@code at} (only its prune is used). */
    private static MonitorService monitors(Database db, long at) {
        var clock = Clock.fixed(Instant.ofEpochMilli(at), ZoneOffset.UTC);
        var registry = new RegistryService(db, clock, new RunService(db, clock, new ExperimentService(db, clock)));
        return new MonitorService(db, clock, new DeploymentService(db, clock, registry), new WindowStore(db),
                new Baselines(db, clock), new Feedback(db, clock), () -> { });
    }

    /**
     * Runs {@code prune} while another thread writes a row (received at {@code probeTime}) every 5 ms; returns rows
     * deleted, its nanoseconds, and the longest write's.
     */
    private static long[] whileWriting(Database db, long probeTime, java.util.function.IntSupplier prune) throws Exception {
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        var longest = new java.util.concurrent.atomic.AtomicLong();
        var writer = Thread.ofPlatform().start(() -> {
            for (int i = 0; !stop.get(); i++) {
                int id = i;
                long w0 = System.nanoTime();
                db.writeVoid(h -> h.createUpdate("INSERT INTO monitor_feedback (deployment, request_id, row_index, label,"
                        + " received_at) VALUES ('probe', :r, 0, '1', :t)").bind("r", "probe-" + id + "-" + w0)
                        .bind("t", probeTime).execute());
                longest.accumulateAndGet(System.nanoTime() - w0, Math::max);
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
        });
        Thread.sleep(200);
        longest.set(0);
        long p0 = System.nanoTime();
        int rows = prune.getAsInt();
        long took = System.nanoTime() - p0;
        stop.set(true);
        writer.join();
        return new long[] {rows, took, longest.get()};
    }

    /**
     * The performance check's reads at the most a deployment stores: {@code perMinute} prediction rows (default the
     * per-minute cap) in each of {@code minutes} minutes (default a day, the check's default look-back), the last
     * hour's every twentieth labelled; times {@link Feedback#total} (what the scheduled check reads every minute) and
     * {@link Feedback#performance} by hour (the API's series), on the database at {@code url}.
     */
    private static void performanceOverADay(String url, int minutes, int perMinute) throws Exception {
        long start = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();
        long end = start + minutes * 60_000L;
        try (var db = Database.open(url)) {
            var store = new WindowStore(db);
            var random = new Random(1);
            long t0 = System.nanoTime();
            for (int m = 0; m < minutes; m++) {
                long minute = start + m * 60_000L;
                var rows = new ArrayList<WindowStore.PredictionRow>(perMinute);
                for (int r = 0; r < perMinute; r++) {
                    double score = random.nextDouble();
                    rows.add(new WindowStore.PredictionRow("req-" + m + "-" + r, 0, 1, minute + r * 60_000L / perMinute,
                            score >= 0.5 ? "1" : "0", score));
                }
                store.flush("bench", 1, minute, WindowData.empty(10, m), rows, minute + 60_000);
            }
            System.out.printf("stored %d predictions (%d a minute for %d minutes) in %.1f s%n", (long) minutes * perMinute,
                    perMinute, minutes, (System.nanoTime() - t0) / 1e9);
            var feedback = new Feedback(db, Clock.fixed(Instant.ofEpochMilli(end), ZoneOffset.UTC));
            var labels = new ArrayList<Feedback.Label>();
            for (int m = Math.max(0, minutes - 60); m < minutes; m++) {
                for (int r = 0; r < perMinute; r += 20) {
                    labels.add(new Feedback.Label("req-" + m + "-" + r, 0, random.nextBoolean() ? "1" : "0"));
                }
            }
            record(feedback, labels);
            for (int run = 0; run < 3; run++) {
                long c0 = System.nanoTime();
                var total = feedback.total("bench", start, end);
                long c1 = System.nanoTime();
                var hours = feedback.performance("bench", start, end, dev.launchpad.platform.monitor.Granularity.HOUR);
                long c2 = System.nanoTime();
                System.out.printf("Feedback.total over the %d minutes (%d predictions, %d labelled): %.2f s;"
                                + " Feedback.performance by hour (%d windows): %.2f s%n", minutes, total.predictions(),
                        total.labelled(), (c1 - c0) / 1e9, hours.size(), (c2 - c1) / 1e9);
            }
        }
    }

    /** Records {@code labels} for the deployment {@code bench} in calls of at most {@link Feedback#MAX_ITEMS}, as a client must. */
    private static void record(Feedback feedback, List<Feedback.Label> labels) {
        for (int i = 0; i < labels.size(); i += Feedback.MAX_ITEMS) {
            feedback.record("bench", labels.subList(i, Math.min(labels.size(), i + Feedback.MAX_ITEMS)));
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
            // a baseline belongs to a registered version (V14)
            var experiments = new ExperimentService(db, clock);
            var registry = new RegistryService(db, clock, new RunService(db, clock, experiments));
            registry.createRegisteredModel("bench-model", null, List.of());
            registry.createModelVersion("bench-model", "file:///bench", null, List.of(), null, null, null);
            var baselines = new Baselines(db, clock);
            baselines.put("bench-model", 1, "csv", ref.profile(), ref.sample());
            var feedback = new Feedback(db, clock);
            // late labels for every tenth prediction (100 000), as a labelling job would send them
            long l0 = System.nanoTime();
            var labels = new ArrayList<Feedback.Label>();
            var labelRandom = new Random(5);
            for (int i = 0; i < logged; i += 10) {
                labels.add(new Feedback.Label("req-" + i, 0, labelRandom.nextBoolean() ? "1" : "0"));
            }
            record(feedback, labels);
            System.out.printf("recorded %d labels in %.1f s%n", logged / 10, (System.nanoTime() - l0) / 1e9);
            // the same through the scheduler's entry point: flush hook, every check, results stored, alert rules
            var deployments = new DeploymentService(db, clock, registry);
            deployments.create("bench", new DeploymentService.Spec("bench-model", 1, null, BatchingSettings.DEFAULTS, null));
            var monitors = new MonitorService(db, clock, deployments, store, baselines, feedback, () -> { });
            var alerts = new Alerts(db, clock);
            monitors.addListener((deployment, results, again) -> alerts.onResults(deployment, results));
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
