package dev.launchpad.bench.tracking;

import dev.launchpad.bench.ScratchDirectory;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.store.Database;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.ServerConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load driver for the tracking server over HTTP on loopback:
 * <ol>
 *   <li>log-batch ingestion: 8 clients each posting batches of 1000 metrics for a fixed time, in metrics/s;</li>
 *   <li>the limit: the same 1000-row batches inserted by raw JDBC batch (one transaction each) into the same database;</li>
 *   <li>search-runs latency (p50/p99) over 100 000 runs with a metric filter and order_by.</li>
 * </ol>
 * Usage: {@code TrackingLoadDriver [sqlite|postgresql|both] [seconds per phase] [runs for search]}.
 */
public final class TrackingLoadDriver {
    private static final int CLIENTS = 8;
    private static final int BATCH = 1000;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private TrackingLoadDriver() {
    }

    public static void main(String[] args) throws Exception {
        var which = args.length > 0 ? args[0] : "both";
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int searchRuns = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        System.out.printf("machine: %d cores, java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        // the servers' homes and the SQLite database: deleted at the end, kept when something fails
        ScratchDirectory.run("launchpad-bench-tracking-", dir -> {
            if (which.equals("sqlite") || which.equals("both")) {
                run("SQLite", ServerConfig.sqliteUrl(dir), seconds, searchRuns, Files.createDirectories(dir.resolve("home-sqlite")));
            }
            if (which.equals("postgresql") || which.equals("both")) {
                try (var pg = EmbeddedPostgres.builder().start()) {
                    run("PostgreSQL", pg.getJdbcUrl("postgres", "postgres"), seconds, searchRuns,
                            Files.createDirectories(dir.resolve("home-postgresql")));
                }
            }
        });
    }

    private static void run(String label, String url, int seconds, int searchRuns, Path home) throws Exception {
        try (var server = Launchpad.start(new ServerConfig("127.0.0.1", 0, home, url, home.resolve("a").toString()))) {
            var base = server.url() + "/api/2.0/mlflow/";
            var runIds = new ArrayList<String>();
            for (int i = 0; i < CLIENTS; i++) {
                var body = post(base + "runs/create", "{\"experiment_id\":\"0\"}");
                runIds.add(Json.mapper().readTree(body).path("run").path("info").path("run_id").asText());
            }
            ingest(base, runIds, 3); // warm-up
            var httpRate = ingest(base, runIds, seconds);
            var jdbcRate = rawJdbc(server.database(), runIds, seconds);
            System.out.printf("%s log-batch over HTTP: %,.0f metrics/s (%d clients x %d metrics per batch)%n", label,
                    httpRate, CLIENTS, BATCH);
            System.out.printf("%s raw JDBC batch insert: %,.0f metrics/s -> HTTP reaches %.0f%% of the limit%n", label,
                    jdbcRate, 100 * httpRate / jdbcRate);
            search(label, server, searchRuns);
        }
    }

    /** 8 clients post log-batch with 1000 metrics each, as fast as the server answers, for {@code seconds}. */
    private static double ingest(String base, List<String> runIds, int seconds) throws Exception {
        var logged = new AtomicLong();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        try (var pool = Executors.newFixedThreadPool(CLIENTS)) {
            var futures = new ArrayList<Future<?>>();
            for (var runId : runIds) {
                futures.add(pool.submit(() -> {
                    long step = 0;
                    while (System.nanoTime() < deadline) {
                        var body = batchJson(runId, step);
                        step += BATCH / 10;
                        var response = postRaw(base + "runs/log-batch", body);
                        if (response.statusCode() != 200) {
                            throw new IllegalStateException("log-batch failed: " + response.body());
                        }
                        logged.addAndGet(BATCH);
                    }
                    return null;
                }));
            }
            for (var f : futures) {
                f.get();
            }
        }
        return logged.get() / ((System.nanoTime() - start) / 1e9);
    }

    /** 10 metric keys x 100 steps: the shape of a training loop logging per step. */
    private static String batchJson(String runId, long firstStep) {
        var sb = new StringBuilder(64 * BATCH).append("{\"run_id\":\"").append(runId).append("\",\"metrics\":[");
        long now = System.currentTimeMillis();
        for (int i = 0; i < BATCH; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"key\":\"metric_").append(i % 10).append("\",\"value\":").append(Math.sin(i) * 100)
                    .append(",\"timestamp\":").append(now).append(",\"step\":").append(firstStep + i / 10).append('}');
        }
        return sb.append("]}").toString();
    }

    /** The same batches straight into the metrics table with JDBC batches, one transaction per batch. */
    private static double rawJdbc(Database db, List<String> runIds, int seconds) throws Exception {
        var logged = new AtomicLong();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        var sqliteLock = new Object();
        boolean sqlite = db.dialect() == dev.launchpad.platform.store.Dialect.SQLITE;
        try (var pool = Executors.newFixedThreadPool(CLIENTS)) {
            var futures = new ArrayList<Future<?>>();
            for (var runId : runIds) {
                futures.add(pool.submit(() -> {
                    try (Connection c = db.dataSource().getConnection()) {
                        c.setAutoCommit(sqlite);
                        try (var ps = c.prepareStatement("INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp,"
                                + " step) VALUES (?, ?, ?, 0, ?, ?)")) {
                            long step = 1_000_000_000L;
                            while (System.nanoTime() < deadline) {
                                long now = System.currentTimeMillis();
                                for (int i = 0; i < BATCH; i++) {
                                    ps.setString(1, runId);
                                    ps.setString(2, "metric_" + (i % 10));
                                    ps.setDouble(3, Math.sin(i) * 100);
                                    ps.setLong(4, now);
                                    ps.setLong(5, step + i / 10);
                                    ps.addBatch();
                                }
                                step += BATCH / 10;
                                if (sqlite) {
                                    // One writer at a time, as Database.write does; BEGIN IMMEDIATE inside the lock.
                                    synchronized (sqliteLock) {
                                        c.setAutoCommit(false);
                                        ps.executeBatch();
                                        c.commit();
                                        c.setAutoCommit(true);
                                    }
                                } else {
                                    ps.executeBatch();
                                    c.commit();
                                }
                                logged.addAndGet(BATCH);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (var f : futures) {
                f.get();
            }
        }
        return logged.get() / ((System.nanoTime() - start) / 1e9);
    }

    /** Fills the database with {@code count} runs, then times search-runs with a metric filter and order_by. */
    private static void search(String label, Launchpad server, int count) throws Exception {
        var experimentId = Json.mapper().readTree(post(server.url() + "/api/2.0/mlflow/experiments/create",
                "{\"name\":\"search-bench\"}")).path("experiment_id").asText();
        long fillStart = System.nanoTime();
        SearchDataset.fill(server.database(), Long.parseLong(experimentId), count);
        System.out.printf("%s filled %,d runs (each with 3 metrics, 2 params, 2 tags) in %.1f s%n", label, count,
                (System.nanoTime() - fillStart) / 1e9);
        var body = "{\"experiment_ids\":[\"" + experimentId + "\"],\"filter\":\"metrics.acc > 0.5 AND params.model"
                + " = 'xgb'\",\"order_by\":[\"metrics.acc DESC\"],\"max_results\":100}";
        var url = server.url() + "/api/2.0/mlflow/runs/search";
        time(label, count, url, body, 200, "filter metrics.acc > 0.5 AND params.model = 'xgb', order_by metrics.acc DESC");
        // The unfiltered first page, ordered by start_time (what the MLflow UI asks first).
        time(label, count, url, "{\"experiment_ids\":[\"" + experimentId + "\"],\"max_results\":100}", 200,
                "no filter, default order");
        // Ordering by a metric with no filter on it must sort every run (missing values last): the slow path.
        time(label, count, url, "{\"experiment_ids\":[\"" + experimentId + "\"],\"order_by\":[\"metrics.acc DESC\"],"
                + "\"max_results\":100}", 50, "no filter, order_by metrics.acc DESC");
    }

    private static void time(String label, int count, String url, String body, int n, String what) throws Exception {
        for (int i = 0; i < 10; i++) {
            post(url, body);
        }
        var latencies = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            var response = postRaw(url, body);
            latencies[i] = (System.nanoTime() - t) / 1e6;
            if (response.statusCode() != 200) {
                throw new IllegalStateException(response.body());
            }
        }
        Arrays.sort(latencies);
        System.out.printf("%s search-runs over %,d runs (%s, 100 per page): p50 %.1f ms, p99 %.1f ms (%d requests)%n",
                label, count, what, latencies[n / 2], latencies[(int) Math.ceil(n * 0.99) - 1], n);
    }

    private static String post(String url, String body) throws Exception {
        var response = postRaw(url, body);
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " -> " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    private static HttpResponse<String> postRaw(String url, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Bulk-writes runs shaped as the tracking service writes them, for the search benchmark. */
    static final class SearchDataset {
        private SearchDataset() {
        }

        static void fill(Database db, long experimentId, int count) throws Exception {
            var random = new Random(42);
            try (Connection c = db.dataSource().getConnection()) {
                c.setAutoCommit(false);
                try (var runs = c.prepareStatement("INSERT INTO runs (run_uuid, name, experiment_id, user_id, status,"
                        + " start_time, lifecycle_stage, artifact_uri) VALUES (?, ?, ?, 'bench', 'FINISHED', ?,"
                        + " 'active', ?)");
                     var metrics = c.prepareStatement("INSERT INTO latest_metrics (run_uuid, key, value, is_nan,"
                             + " timestamp, step) VALUES (?, ?, ?, 0, ?, 0)");
                     var history = c.prepareStatement("INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp,"
                             + " step) VALUES (?, ?, ?, 0, ?, 0)");
                     var params = c.prepareStatement("INSERT INTO params (run_uuid, key, value) VALUES (?, ?, ?)");
                     var tags = c.prepareStatement("INSERT INTO tags (run_uuid, key, value) VALUES (?, ?, ?)")) {
                    for (int i = 0; i < count; i++) {
                        var id = dev.launchpad.core.id.Ids.newHexId();
                        long start = 1_700_000_000_000L + i;
                        runs.setString(1, id);
                        runs.setString(2, "run-" + i);
                        runs.setLong(3, experimentId);
                        runs.setLong(4, start);
                        runs.setString(5, "mlflow-artifacts:/" + experimentId + "/" + id + "/artifacts");
                        runs.addBatch();
                        for (var key : List.of("acc", "loss", "auc")) {
                            double value = random.nextDouble();
                            for (var ps : List.of(metrics, history)) {
                                ps.setString(1, id);
                                ps.setString(2, key);
                                ps.setDouble(3, value);
                                ps.setLong(4, start);
                                ps.addBatch();
                            }
                        }
                        for (var kv : List.of(new String[] {"model", random.nextBoolean() ? "xgb" : "mlp"},
                                new String[] {"depth", Integer.toString(random.nextInt(10))})) {
                            params.setString(1, id);
                            params.setString(2, kv[0]);
                            params.setString(3, kv[1]);
                            params.addBatch();
                        }
                        for (var kv : List.of(new String[] {"mlflow.runName", "run-" + i},
                                new String[] {"team", "team-" + random.nextInt(20)})) {
                            tags.setString(1, id);
                            tags.setString(2, kv[0]);
                            tags.setString(3, kv[1]);
                            tags.addBatch();
                        }
                        if (i % 5000 == 4999 || i == count - 1) {
                            for (var ps : List.of(runs, metrics, history, params, tags)) {
                                ps.executeBatch();
                            }
                            c.commit();
                        }
                    }
                }
                try (var st = c.createStatement()) {
                    st.execute(db.dialect() == dev.launchpad.platform.store.Dialect.SQLITE ? "ANALYZE" : "ANALYZE");
                }
                c.commit();
            }
        }
    }
}
