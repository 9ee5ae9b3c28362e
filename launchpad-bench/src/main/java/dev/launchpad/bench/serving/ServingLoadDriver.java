package dev.launchpad.bench.serving;

import dev.launchpad.bench.ScratchDirectory;
import dev.launchpad.inference.model.OnnxTestModels;
import dev.launchpad.inference.runtime.OnnxModel;
import dev.launchpad.inference.runtime.Tensor;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.ServerConfig;
import dev.launchpad.server.cli.LaunchpadCli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * Load driver for model serving over HTTP on loopback: Open Inference Protocol infer requests (one row
 * each, JSON) against a deployment of the 30-input MLP and of a 100-tree ensemble, at concurrency 1, 16
 * and 64, measuring requests/s and p50/p99 latency. In the same run it measures the limits: the same
 * server's no-op endpoint with the same payload (the HTTP stack alone), and ONNX Runtime called
 * in-process with the batch sizes the batcher formed (the model alone). With the Python packages
 * fastapi, uvicorn and onnxruntime installed it also drives the reference server
 * {@code launchpad-bench/src/main/python/serving_reference.py}; otherwise it says it skipped it.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp launchpad-bench/target/benchmarks.jar \
 *   dev.launchpad.bench.serving.ServingLoadDriver [seconds per point]
 * </pre>
 */
public final class ServingLoadDriver {
    private static final int[] CONCURRENCY = {1, 16, 64};
    private static final Pattern BATCH_COUNT = Pattern.compile(
            "launchpad_inference_batch_size_rows_count\\{[^}]*deployment=\"([^\"]+)\"[^}]*} ([0-9.E]+)");
    private static final Pattern BATCH_SUM = Pattern.compile(
            "launchpad_inference_batch_size_rows_sum\\{[^}]*deployment=\"([^\"]+)\"[^}]*} ([0-9.E]+)");

    private ServingLoadDriver() {
    }

    /** One measured point. */
    record Point(String target, int concurrency, double requestsPerSecond, double p50Millis, double p99Millis,
                 long errors) {
        @Override
        public String toString() {
            return String.format("%-28s c=%-3d %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d", target, concurrency,
                    requestsPerSecond, p50Millis, p99Millis, errors);
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        System.out.printf("machine: %d cores, java %s; %d s per point after %d s warm-up%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), seconds, 3);
        // models, the server's home and the Python reference's log: deleted at the end, kept when something fails
        ScratchDirectory.run("launchpad-serving-bench-", dir -> drive(dir, seconds));
        System.exit(0); // the JDK HTTP client's selector threads would keep the JVM alive
    }

    private static void drive(Path dir, int seconds) throws Exception {
        var mlp = OnnxTestModels.mlp(30, 64, 1);
        var forest = OnnxTestModels.forest(30, 100, 6, 2);
        Path mlpFile = mlp.write(dir.resolve("mlp.onnx"));
        Path forestFile = forest.write(dir.resolve("forest.onnx"));
        var home = dir.resolve("home");
        var config = new ServerConfig("127.0.0.1", 0, home, ServerConfig.sqliteUrl(home), home.resolve("artifacts").toString());
        var results = new ArrayList<Point>();
        try (var server = Launchpad.start(config)) {
            register(server, "mlp", mlpFile);
            register(server, "forest", forestFile);
            post(server.url() + "/api/v1/deployments", "{\"name\":\"mlp\",\"model\":\"mlp\",\"version\":\"1\"}");
            post(server.url() + "/api/v1/deployments", "{\"name\":\"forest\",\"model\":\"forest\",\"version\":\"1\"}");
            var payload = payload("x", 30);
            var forestPayload = payload("X", 30);
            for (int c : CONCURRENCY) {
                results.add(drive("no-op endpoint", server.url() + "/api/v1/noop", payload, c, seconds));
                var before = batches(server.url());
                results.add(drive("launchpad mlp", server.url() + "/v2/models/mlp/infer", payload, c, seconds));
                var mlpBatch = meanBatch(before, batches(server.url()), "mlp");
                results.add(ortLimit("ORT in-process mlp", mlpFile, "x", mlpBatch, c, seconds));
                before = batches(server.url());
                results.add(drive("launchpad forest", server.url() + "/v2/models/forest/infer", forestPayload, c, seconds));
                var forestBatch = meanBatch(before, batches(server.url()), "forest");
                results.add(ortLimit("ORT in-process forest", forestFile, "X", forestBatch, c, seconds));
            }
        }
        python(dir, mlpFile, forestFile, seconds, results);
        System.out.println();
        results.forEach(System.out::println);
    }

    private static void register(Launchpad server, String name, Path file) {
        var err = new StringWriter();
        int code = LaunchpadCli.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                .execute("models", "register", "--name", name, "--file", file.toString(), "--signature-from-model",
                        "--server", server.url());
        if (code != 0) {
            throw new IllegalStateException("cannot register " + name + ": " + err);
        }
    }

    private static String payload(String input, int width) {
        var random = new Random(7);
        var values = new float[width];
        for (int i = 0; i < width; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return "{\"inputs\":[{\"name\":\"" + input + "\",\"datatype\":\"FP32\",\"shape\":[1," + width + "],\"data\":"
                + Arrays.toString(values) + "}]}";
    }

    /** {@code c} clients sending {@code body} back to back: warm-up, then {@code seconds} measured. */
    static Point drive(String label, String url, String body, int c, int seconds) throws Exception {
        var clientThreads = Executors.newFixedThreadPool(Math.max(2, Math.min(c, 8)));
        var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads).build();
        var request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        var measuring = new AtomicBoolean(false);
        var stop = new AtomicBoolean(false);
        var latencies = new ArrayList<long[]>();
        var errors = new long[c];
        var counts = new int[c];
        for (int i = 0; i < c; i++) {
            latencies.add(new long[1 << 20]);
        }
        var done = new CountDownLatch(c);
        try (var threads = Executors.newFixedThreadPool(c); clientThreads; client) {
            for (int i = 0; i < c; i++) {
                int id = i;
                threads.submit(() -> {
                    try {
                        while (!stop.get()) {
                            long t0 = System.nanoTime();
                            int status;
                            try {
                                status = client.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
                            } catch (Exception e) {
                                status = -1;
                            }
                            long t = System.nanoTime() - t0;
                            if (measuring.get()) {
                                if (status != 200) {
                                    errors[id]++;
                                } else if (counts[id] < latencies.get(id).length) {
                                    latencies.get(id)[counts[id]++] = t;
                                }
                            }
                        }
                    } finally {
                        done.countDown();
                    }
                });
            }
            Thread.sleep(3000);
            measuring.set(true);
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            measuring.set(false);
            long elapsed = System.nanoTime() - start;
            stop.set(true);
            done.await(30, TimeUnit.SECONDS);
            int total = 0;
            for (int n : counts) {
                total += n;
            }
            var all = new long[total];
            int at = 0;
            for (int i = 0; i < c; i++) {
                System.arraycopy(latencies.get(i), 0, all, at, counts[i]);
                at += counts[i];
            }
            Arrays.sort(all);
            long errorCount = Arrays.stream(errors).sum();
            var point = new Point(label, c, total / (elapsed / 1e9), percentile(all, 0.50), percentile(all, 0.99), errorCount);
            System.out.println(point);
            return point;
        }
    }

    /** The model alone: {@code c}-way concurrent requests become batches of {@code batch} rows, run in-process one after another. */
    private static Point ortLimit(String label, Path file, String input, double batch, int c, int seconds) {
        int rows = Math.max(1, (int) Math.round(batch));
        var random = new Random(3);
        var x = new float[rows * 30];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        try (var model = OnnxModel.loadFile(file, null, OnnxModel.Options.DEFAULTS)) {
            var inputs = model.validate(List.of(Tensor.of(input, x, rows, 30)));
            long warm = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < warm) {
                model.run(inputs);
            }
            var times = new long[1 << 22];
            int n = 0;
            long start = System.nanoTime();
            long end = start + Duration.ofSeconds(seconds).toNanos();
            long now = start;
            while (now < end && n < times.length) {
                model.run(inputs);
                long after = System.nanoTime();
                times[n++] = after - now;
                now = after;
            }
            double elapsed = (now - start) / 1e9;
            var sorted = Arrays.copyOf(times, n);
            Arrays.sort(sorted);
            var point = new Point(label + " (batch " + rows + ")", c, n * rows / elapsed, percentile(sorted, 0.5),
                    percentile(sorted, 0.99), 0);
            System.out.println(point);
            return point;
        }
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6;
    }

    private static String batches(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The mean rows per model call between two scrapes of /metrics. */
    private static double meanBatch(String before, String after, String deployment) {
        double count = value(BATCH_COUNT, after, deployment) - value(BATCH_COUNT, before, deployment);
        double sum = value(BATCH_SUM, after, deployment) - value(BATCH_SUM, before, deployment);
        return count == 0 ? 1 : sum / count;
    }

    private static double value(Pattern pattern, String text, String deployment) {
        var m = pattern.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(deployment)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }

    private static void post(String url, String body) throws Exception {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " → " + response.statusCode() + " " + response.body());
        }
    }

    /** The Python reference server, when its packages are installed. */
    private static void python(Path dir, Path mlp, Path forest, int seconds, List<Point> results) throws Exception {
        var check = new ProcessBuilder("python3", "-c", "import fastapi, uvicorn, onnxruntime").redirectErrorStream(true).start();
        var why = new String(check.getInputStream().readAllBytes()).strip();
        if (check.waitFor() != 0) {
            System.out.println("Python reference skipped: python3 cannot import fastapi, uvicorn and onnxruntime ("
                    + (why.isEmpty() ? "no python3" : why.lines().reduce((a, b) -> b).orElse(why)) + ").");
            return;
        }
        var script = Path.of("launchpad-bench/src/main/python/serving_reference.py");
        int port = 18_000 + new Random().nextInt(1000);
        var process = new ProcessBuilder("python3", script.toString(), "--port", Integer.toString(port),
                "--model", "mlp=" + mlp, "--model", "forest=" + forest).redirectErrorStream(true)
                .redirectOutput(dir.resolve("python-reference.log").toFile()).start();
        try {
            var base = "http://127.0.0.1:" + port;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try {
                    HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/v2/health/ready")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    break;
                } catch (java.io.IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the Python reference did not start; see " + dir.resolve("python-reference.log"));
                    }
                    Thread.sleep(200);
                }
            }
            for (int c : CONCURRENCY) {
                results.add(drive("python fastapi mlp", base + "/v2/models/mlp/infer", payload("x", 30), c, seconds));
                results.add(drive("python fastapi forest", base + "/v2/models/forest/infer", payload("X", 30), c, seconds));
            }
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
