package dev.launchpad.server.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.launchpad.core.json.Json;
import dev.launchpad.inference.model.OnnxTestModels;
import dev.launchpad.platform.TestDirectories;
import dev.launchpad.platform.monitor.MutableClock;
import dev.launchpad.platform.monitor.Webhooks;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.ServerConfig;
import dev.launchpad.server.cli.LaunchpadCli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof, end to end through a running server: serve a classifier, send traffic from the
 * training distribution (no alert), shift two features (a drift alert naming exactly those two), send
 * late feedback (live accuracy appears), break a feature with nulls (a data-quality alert), and receive the
 * alerts on a webhook with valid HMAC signatures (after one failed delivery is retried). Time is a
 * hand-moved clock; the checks are the scheduled ones.
 */
class MonitoringEndToEndTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:06Z");
    private static final long M0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();
    private static final String SECRET = "a-webhook-secret-for-tests";

    private static final MutableClock CLOCK = new MutableClock(T0);
    private static Launchpad server;
    private static HttpServer receiver;
    private static final List<String[]> received = new CopyOnWriteArrayList<>(); // {signature, body}
    private static final AtomicInteger receiverCalls = new AtomicInteger();
    private static OnnxTestModels.TreeClassifier model;

    @BeforeAll
    static void start() throws Exception {
        var home = TestDirectories.create("launchpad-monitor-");
        server = Launchpad.start(new ServerConfig("127.0.0.1", 0, home, TestDatabases.newSqliteUrl(),
                home.resolve("artifacts").toString()), CLOCK);
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int call = receiverCalls.incrementAndGet();
            int status = call == 1 ? 500 : 200; // the first delivery fails and must be retried
            if (status == 200) {
                received.add(new String[] {exchange.getRequestHeaders().getFirst(Webhooks.SIGNATURE_HEADER), body});
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        model = OnnxTestModels.treeClassifier(4, 12, 3, 3, 7, false);
        var file = model.write(home.resolve("classifier.onnx"));
        var err = new StringWriter();
        int code = LaunchpadCli.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                .execute("models", "register", "--name", "fraud-model", "--file", file.toString(), "--signature-from-model",
                        "--server", server.url());
        assertThat(code).as(err.toString()).isZero();
        assertThat(send("POST", "/api/v1/deployments", "{\"name\":\"fraud\",\"model\":\"fraud-model\",\"version\":\"1\"}",
                "application/json").statusCode()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
        receiver.stop(0);
    }

    private static HttpResponse<String> send(String method, String path, String body, String type) throws Exception {
        var builder = HttpRequest.newBuilder(URI.create(server.url() + path));
        if (type != null) {
            builder.header("Content-Type", type);
        }
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String method, String path, String body) throws Exception {
        var response = send(method, path, body, body == null ? null : "application/json");
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(200);
        return Json.mapper().readTree(response.body());
    }

    /** Sends {@code requests} OIP requests of 25 rows; returns {request id, true labels} per request. */
    private static List<Object[]> traffic(Random random, int requests, double shift, double nullShare) throws Exception {
        var out = new ArrayList<Object[]>();
        for (int q = 0; q < requests; q++) {
            var data = new StringBuilder();
            var labels = new ArrayList<String>();
            for (int r = 0; r < 25; r++) {
                float[] row = new float[4];
                for (int j = 0; j < 4; j++) {
                    row[j] = (float) (random.nextGaussian() + (j < 2 ? shift : 0));
                    boolean nulled = j == 2 && random.nextDouble() < nullShare;
                    data.append(data.isEmpty() ? "" : ",").append(nulled ? "\"NaN\"" : Float.toString(row[j]));
                }
            }
            var body = "{\"inputs\":[{\"name\":\"X\",\"datatype\":\"FP32\",\"shape\":[25,4],\"data\":[" + data + "]}]}";
            var response = send("POST", "/v2/models/fraud/infer", body, "application/json");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            var id = response.headers().firstValue("X-Request-Id").orElseThrow();
            var answer = Json.mapper().readTree(response.body());
            assertThat(answer.path("id").asText()).isEqualTo(id);
            for (var output : answer.path("outputs")) {
                if (output.path("name").asText().equals("label")) {
                    int r = 0;
                    for (var predicted : output.path("data")) {
                        // the truth: rows 0, 10 and 20 of each request are wrong: accuracy 22/25
                        long p = predicted.asLong();
                        labels.add(Long.toString(r++ % 10 == 0 ? (p == 10 ? 20 : 10) : p));
                    }
                }
            }
            assertThat(labels).hasSize(25);
            out.add(new Object[] {id, labels});
        }
        return out;
    }

    /** Moves the clock to {@code seconds} after M0 and waits for the scheduled checks of the span ending at {@code to}. */
    private static List<JsonNode> checksUpTo(long to) throws Exception {
        CLOCK.set(Instant.ofEpochMilli(to + 6_000));
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            server.monitoring().monitors().runDue();
            var results = json("GET", "/api/v1/deployments/fraud/monitor/results?from=" + (to - 1) + "&to=" + to, null)
                    .path("results");
            if (results.size() >= 6) {
                var list = new ArrayList<JsonNode>();
                results.forEach(list::add);
                return list;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the checks of the span ending at " + Instant.ofEpochMilli(to) + " did not run");
    }

    private static JsonNode check(List<JsonNode> results, String name) {
        return results.stream().filter(r -> r.path("check").asText().equals(name)).findFirst().orElseThrow();
    }

    private static List<String> texts(JsonNode array) {
        var out = new ArrayList<String>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void driftLateFeedbackNullsAndSignedWebhooks() throws Exception {
        // the baseline: training data from the same distribution the traffic starts with
        var random = new Random(11);
        var csv = new StringBuilder("X_0,X_1,X_2,X_3,label\n");
        for (int i = 0; i < 4000; i++) {
            var row = new float[4];
            for (int j = 0; j < 4; j++) {
                row[j] = (float) random.nextGaussian();
                csv.append(row[j]).append(',');
            }
            csv.append(model.label(row)).append('\n'); // the model's predictions on its training data
        }
        var csvFile = TestDirectories.create("train-").resolve("train.csv");
        Files.writeString(csvFile, csv);
        var out = new StringWriter();
        var err = new StringWriter();
        int code = LaunchpadCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("monitor", "baseline", "--model", "fraud-model", "--version", "1", "--data", csvFile.toString(),
                        "--server", server.url());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("4000 rows", "5 columns");
        var hook = json("POST", "/api/v1/webhooks", "{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort()
                + "/hook\",\"secret\":\"" + SECRET + "\"}");
        assertThat(hook.path("secret").asText()).isEqualTo(SECRET);

        // minute 0: traffic like the training data → every check ok, no alert
        var minute0 = traffic(new Random(1), 20, 0, 0);
        var first = checksUpTo(M0 + 60_000);
        assertThat(check(first, "feature_drift").path("status").asText()).isEqualTo("ok");
        assertThat(check(first, "feature_drift").path("details").path("rows").asLong()).isEqualTo(500);
        assertThat(check(first, "data_quality").path("status").asText()).as(check(first, "data_quality").toString())
                .isEqualTo("ok");
        var predictionDrift = check(first, "prediction_drift");
        assertThat(predictionDrift.path("status").asText()).as(predictionDrift.toString()).isEqualTo("ok");
        assertThat(predictionDrift.path("details").path("features").get(0).path("feature").asText()).isEqualTo("label");
        assertThat(check(first, "latency").path("status").asText()).isEqualTo("ok");
        assertThat(check(first, "error_rate").path("status").asText()).isEqualTo("ok");
        var performance0 = check(first, "performance");
        assertThat(performance0.path("details").path("estimated").asBoolean()).as("CBPE without labels").isTrue();
        assertThat(json("GET", "/api/v1/alerts", null).path("alerts")).isEmpty();

        // minute 1: X_0 and X_1 shifted by one standard deviation → one drift alert naming exactly them
        traffic(new Random(2), 20, 1.0, 0);
        var second = checksUpTo(M0 + 120_000);
        // the two spans' results, in pages of four through next_page_token: the same as in one page
        var span = "/api/v1/deployments/fraud/monitor/results?from=" + M0 + "&to=" + (M0 + 120_000);
        var whole = new ArrayList<String>();
        json("GET", span, null).path("results").forEach(r -> whole.add(r.toString()));
        var paged = new ArrayList<String>();
        String token = null;
        do {
            var page = json("GET", span + "&limit=4" + (token == null ? "" : "&page_token=" + token), null);
            var rows = new ArrayList<String>();
            page.path("results").forEach(r -> rows.add(r.toString()));
            paged.addAll(0, rows);
            token = page.hasNonNull("next_page_token") ? page.path("next_page_token").asText() : null;
        } while (token != null);
        assertThat(whole).hasSizeGreaterThanOrEqualTo(12);
        assertThat(paged).containsExactlyElementsOf(whole);
        var drift = check(second, "feature_drift");
        assertThat(drift.path("status").asText()).isEqualTo("breach");
        assertThat(texts(drift.path("breached_features"))).containsExactly("X_0", "X_1");
        assertThat(check(second, "data_quality").path("status").asText()).isEqualTo("ok");
        var alerts = json("GET", "/api/v1/alerts?deployment=fraud", null).path("alerts");
        var driftAlerts = new ArrayList<JsonNode>();
        alerts.forEach(a -> {
            if (a.path("check").asText().equals("feature_drift")) {
                driftAlerts.add(a);
            }
        });
        assertThat(driftAlerts).hasSize(1);
        assertThat(texts(driftAlerts.get(0).path("details").path("features"))).containsExactly("X_0", "X_1");
        // the shift may also move the predicted classes (a prediction-drift alert); nothing else alerts
        assertThat(alerts).extracting(a -> a.path("check").asText()).isSubsetOf("feature_drift", "prediction_drift");
        int alertsAfterShift = alerts.size();
        var report = json("GET", "/api/v1/deployments/fraud/drift?from=" + (M0 + 60_000) + "&to=" + (M0 + 120_000), null);
        assertThat(report.path("dataset_drift").asBoolean()).as("as the check said").isTrue();
        assertThat(report.has("message")).isFalse();
        assertThat(report.path("not_in_baseline").isArray()).isTrue();
        assertThat(report.path("not_in_baseline")).isEmpty(); // every served feature is compared
        for (var row : report.path("features")) {
            var name = row.path("feature").asText();
            assertThat(row.path("drift").asBoolean()).as(name).isEqualTo(name.equals("X_0") || name.equals("X_1"));
            assertThat(row.path("method").asText()).isEqualTo("wasserstein"); // Evidently's choice for > 1000 reference rows
        }
        // JSON or HTML by the Accept header: either answer says that it depends on it, for caches
        var negotiated = send("GET", "/api/v1/deployments/fraud/drift?from=" + (M0 + 60_000) + "&to=" + (M0 + 120_000),
                null, null);
        assertThat(negotiated.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(negotiated.headers().allValues("Vary")).containsExactly("Accept");
        var html = send("GET", "/api/v1/deployments/fraud/drift?format=html&from=" + (M0 + 60_000) + "&to=" + (M0 + 120_000),
                null, null);
        assertThat(html.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(html.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'none'");
        assertThat(html.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(html.body()).contains("<svg", "X_0 (drift)", "wasserstein");
        // the predicted labels (numbers in the training CSV, labels in the traffic) are plotted from the samples
        assertThat(html.body()).doesNotContain("compared on the samples");
        assertThat(html.body().split("<svg", -1)).hasSize(1 + 5); // X_0 .. X_3 and label

        // late feedback for minute 0 → live accuracy appears for that minute (rows 0, 10 and 20 of each request are wrong: accuracy 22/25)
        var items = Json.mapper().createArrayNode();
        for (var request : minute0) {
            var item = items.addObject().put("request_id", (String) request[0]);
            var labels = item.putArray("labels");
            @SuppressWarnings("unchecked")
            var truth = (List<String>) request[1];
            truth.forEach(labels::add);
        }
        var accepted = json("POST", "/api/v1/deployments/fraud/feedback",
                Json.mapper().createObjectNode().set("feedback", items).toString());
        assertThat(accepted.path("accepted").asInt()).isEqualTo(500);
        assertThat(accepted.path("matched").asInt()).isEqualTo(500);
        var perf = json("GET", "/api/v1/deployments/fraud/performance?granularity=minute&from=" + M0 + "&to=" + (M0 + 120_000),
                null).path("windows");
        assertThat(perf).hasSize(2);
        assertThat(perf.get(0).path("labelled").asLong()).isEqualTo(500);
        assertThat(perf.get(0).path("accuracy").asDouble()).isCloseTo(0.88, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(perf.get(1).path("labelled").asLong()).isZero();
        assertThat(perf.get(1).path("estimated").path("accuracy").isNumber()).isTrue();
        // a year of minutes is refused for its windows, a year of hours for the 30 days predictions are kept; a month
        // of hours is answered
        var yearOfMinutes = send("GET", "/api/v1/deployments/fraud/performance?granularity=minute&from="
                + (M0 - 365L * 86_400_000) + "&to=" + M0, null, null);
        assertThat(yearOfMinutes.statusCode()).as(yearOfMinutes.body()).isEqualTo(400);
        assertThat(yearOfMinutes.body()).contains("coarser granularity");
        var yearOfHours = send("GET", "/api/v1/deployments/fraud/performance?granularity=hour&from="
                + (M0 - 365L * 86_400_000) + "&to=" + M0, null, null);
        assertThat(yearOfHours.statusCode()).isEqualTo(400);
        assertThat(yearOfHours.body()).contains("further back than the 30 days", "\"error_code\"");
        assertThat(send("GET", "/api/v1/deployments/fraud/performance?granularity=hour&from="
                + (M0 - 30L * 86_400_000) + "&to=" + M0, null, null).statusCode()).isEqualTo(200);

        // minute 2: a third of X_2 is null → a data-quality alert on X_2; performance is now live, not estimated
        traffic(new Random(3), 20, 0, 0.3);
        // ... and requests refused before the model (unreadable bodies) count as rejected
        for (var bad : new String[] {"{\"inputs\":\"x\"}", "not json", "{\"id\":\"\\u0000\",\"inputs\":[]}"}) {
            assertThat(send("POST", "/v2/models/fraud/infer", bad, "application/json").statusCode()).isEqualTo(400);
        }
        var third = checksUpTo(M0 + 180_000);
        var quality = check(third, "data_quality");
        assertThat(quality.path("status").asText()).isEqualTo("breach");
        assertThat(quality.path("details").path("rejected_requests").asLong()).as(quality.toString()).isEqualTo(3);
        assertThat(texts(quality.path("breached_features"))).containsExactly("X_2");
        var performance = check(third, "performance");
        assertThat(performance.path("details").path("estimated").asBoolean()).isFalse();
        assertThat(performance.path("metric").asDouble()).isCloseTo(0.88, org.assertj.core.api.Assertions.within(1e-12));
        alerts = json("GET", "/api/v1/alerts", null).path("alerts");
        assertThat(alerts).hasSize(alertsAfterShift + 1);
        assertThat(alerts.get(0).path("check").asText()).isEqualTo("data_quality"); // newest first
        assertThat(texts(alerts.get(0).path("details").path("features"))).containsExactly("X_2");

        // the webhook got every alert, signed; the first attempt failed and was retried
        int expected = alerts.size();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (received.size() < expected && System.nanoTime() < deadline) {
            CLOCK.advanceSeconds(5); // lets the retry's backoff pass
            server.monitoring().webhooks().deliverDue();
            Thread.sleep(100);
        }
        assertThat(received).hasSize(expected);
        for (var delivery : received) {
            assertThat(Webhooks.verify(SECRET, delivery[0], delivery[1])).as(delivery[0]).isTrue();
            assertThat(Webhooks.verify("another-secret-entirely", delivery[0], delivery[1])).isFalse();
        }
        assertThat(received).extracting(d -> Json.mapper().readTree(d[1]).path("check").asText())
                .contains("feature_drift", "data_quality");
        assertThat(receiverCalls.get()).isEqualTo(expected + 1);
        // a delivery the receiver lost is sent again on request
        var hookPath = "/api/v1/webhooks/" + hook.path("id").asLong();
        var deliveries = json("GET", hookPath + "/deliveries", null).path("deliveries");
        assertThat(deliveries).extracting(d -> d.path("status").asText()).containsOnly("delivered");
        var redelivery = json("POST", hookPath + "/deliveries/" + deliveries.get(0).path("id").asLong() + "/redeliver", "{}");
        assertThat(redelivery.path("status").asText()).isEqualTo("pending");
        deadline = System.nanoTime() + 20_000_000_000L;
        while (received.size() < expected + 1 && System.nanoTime() < deadline) {
            server.monitoring().webhooks().deliverDue();
            Thread.sleep(50);
        }
        assertThat(received).hasSize(expected + 1);
        assertThat(Json.mapper().readTree(received.getLast()[1]).path("alert_id").asLong())
                .isEqualTo(deliveries.get(0).path("alert_id").asLong());
        assertThat(Webhooks.verify(SECRET, received.getLast()[0], received.getLast()[1])).isTrue();
        assertThat(send("GET", "/api/v1/webhooks/999999/deliveries", null, null).statusCode()).isEqualTo(404);
        // newest first, a page at a time
        var newest = json("GET", hookPath + "/deliveries?limit=1", null).path("deliveries");
        assertThat(newest).hasSize(1);
        var older = json("GET", hookPath + "/deliveries?before_id=" + newest.get(0).path("id").asLong(), null)
                .path("deliveries");
        assertThat(older).hasSize(expected - 1)
                .allSatisfy(d -> assertThat(d.path("id").asLong()).isLessThan(newest.get(0).path("id").asLong()));

        // incidents: open → acknowledged → resolved, with timestamps
        var incidents = json("GET", "/api/v1/incidents?status=open", null).path("incidents");
        assertThat(incidents).hasSize(expected);
        assertThat(incidents).extracting(i -> i.path("rule").asText()).contains("feature-drift", "data-quality");
        long id = incidents.get(0).path("id").asLong();
        assertThat(json("POST", "/api/v1/incidents/" + id + "/acknowledge", "{}").path("status").asText()).isEqualTo("acknowledged");
        var resolved = json("POST", "/api/v1/incidents/" + id + "/resolve", "{}");
        assertThat(resolved.path("status").asText()).isEqualTo("resolved");
        assertThat(resolved.path("time_to_resolve_ms").asLong()).isGreaterThanOrEqualTo(0);
        var again = send("POST", "/api/v1/incidents/" + id + "/resolve", "{}", "application/json");
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.body()).contains("INVALID_STATE");
        assertThat(json("GET", hookPath + "/deliveries?limit=2", null).path("deliveries"))
                .extracting(d -> d.path("event").asText()).containsExactly("incident_resolved", "incident_acknowledged");

        // Prometheus
        var metrics = send("GET", "/metrics", null, null).body();
        assertThat(metrics).contains("launchpad_monitor_drift_score{", "feature=\"X_0\"", "launchpad_monitor_data_quality_issues{",
                "launchpad_monitor_performance{", "launchpad_monitor_observations_accepted");

        // CLI
        var listed = new StringWriter();
        assertThat(LaunchpadCli.commandLine().setOut(new PrintWriter(listed)).execute("alerts", "list", "--server", server.url()))
                .isZero();
        assertThat(listed.toString()).contains("feature_drift", "data_quality", "X_0, X_1", "feature-drift");
        var listedIncidents = new StringWriter();
        assertThat(LaunchpadCli.commandLine().setOut(new PrintWriter(listedIncidents))
                .execute("alerts", "incidents", "--deployment", "fraud", "--limit", "10", "--server", server.url())).isZero();
        assertThat(listedIncidents.toString()).contains("RULE", "data-quality", "resolved");
        var status = new StringWriter();
        assertThat(LaunchpadCli.commandLine().setOut(new PrintWriter(status))
                .execute("monitor", "status", "--deployment", "fraud", "--server", server.url())).isZero();
        assertThat(status.toString()).contains("feature_drift", "Checked up to ", "Next run at ", "THRESHOLD",
                "SPAN (UTC)").containsPattern("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}–\\d{2}:\\d{2}");
        assertThat(json("GET", "/api/v1/deployments/fraud/monitor", null).path("schedule").path("failed_attempts").asInt())
                .isZero();
    }

    /** Registers the test's model as version 1 of {@code name}, through the CLI. */
    private static void registerModel(String name, Path dir) {
        var err = new StringWriter();
        assertThat(LaunchpadCli.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                .execute("models", "register", "--name", name, "--file", model.write(dir.resolve("m.onnx")).toString(),
                        "--server", server.url())).as(err.toString()).isZero();
    }

    @Test
    void aBaselineGivenAsAProfileWithoutNumericDistinctCountsIsStoredAndShown() throws Exception {
        registerModel("profile-model", TestDirectories.create("profile-reference-"));
        // a profile as traffic windows keep them (no numeric distinct counts), with a numeric column never present
        var profile = dev.launchpad.stats.profile.DatasetProfile.empty(false);
        profile.update(dev.launchpad.stats.Dataset.of(dev.launchpad.stats.Column.numeric("x", 1, 2, 3),
                dev.launchpad.stats.Column.numeric("gone", Double.NaN, Double.NaN, Double.NaN),
                dev.launchpad.stats.Column.categorical("c", "a", "b", "a")));
        var put = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/models/profile-model/versions/1/baseline"))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(profile.toBytes())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        var baseline = json("GET", "/api/v1/models/profile-model/versions/1/baseline", null);
        assertThat(baseline.path("source").asText()).isEqualTo("profile");
        var columns = new java.util.HashMap<String, JsonNode>();
        baseline.path("columns").forEach(c -> columns.put(c.path("name").asText(), c));
        assertThat(columns.get("x").path("mean").asDouble()).isEqualTo(2.0);
        assertThat(columns.get("gone").path("missing").asLong()).isEqualTo(3);
        assertThat(columns.get("gone").has("distinct")).as("no count kept, none shown").isFalse();
        assertThat(columns.get("c").path("distinct").asLong()).isEqualTo(2);
    }

    @Test
    void referenceDataLargerThanARequestBodyIsStreamedAndProfiledInChunks() throws Exception {
        var dir = TestDirectories.create("big-reference-");
        registerModel("big-reference-model", dir);
        // 330 000 rows × 10 columns: about 36 MB, more than the 32 MiB a JSON request body may have
        var csv = dir.resolve("train.csv");
        var random = new Random(3);
        try (var out = Files.newBufferedWriter(csv)) {
            out.write("a,b,c,d,e,f,g,h,i,j\n");
            for (int r = 0; r < 330_000; r++) {
                for (int c = 0; c < 10; c++) {
                    out.write(String.format(java.util.Locale.ROOT, "%.8f", random.nextGaussian() + c));
                    out.write(c == 9 ? '\n' : ',');
                }
            }
        }
        assertThat(Files.size(csv)).isGreaterThan(dev.launchpad.server.http.HttpServer.MAX_REQUEST_BYTES);
        var out = new StringWriter();
        var err = new StringWriter();
        int code = LaunchpadCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("monitor", "baseline", "--model", "big-reference-model", "--version", "1", "--data",
                        csv.toString(), "--server", server.url());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("330000 rows", "10 columns");
        var baseline = json("GET", "/api/v1/models/big-reference-model/versions/1/baseline", null);
        assertThat(baseline.path("rows").asLong()).isEqualTo(330_000);

        // an empty body, and one that says it is larger than reference data may be, are refused before profiling
        var empty = send("PUT", "/api/v1/models/big-reference-model/versions/1/baseline", "", "text/csv");
        assertThat(empty.statusCode()).as(empty.body()).isEqualTo(400);
        var uri = URI.create(server.url());
        try (var socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("PUT /api/v1/models/big-reference-model/versions/1/baseline HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + "\r\nContent-Type: text/csv\r\nContent-Length: "
                    + (MonitorApi.MAX_REFERENCE_BYTES + 1) + "\r\n\r\na,b\n1,2\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            var answer = new String(socket.getInputStream().readNBytes(400), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 413").contains("PAYLOAD_TOO_LARGE");
        }
        // a body that breaks off (the client stops after 10 of the 1 000 bytes it announced) is the client's error
        try (var socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("PUT /api/v1/models/big-reference-model/versions/1/baseline HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + "\r\nContent-Type: text/csv\r\nContent-Length: 1000\r\n\r\n"
                    + "a,b\n1,2\n3,").getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            var answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("INVALID_PARAMETER_VALUE");
        }
        // a profile (octet-stream, not Parquet) is refused as soon as it passes a profile's limit: the server answers
        // without waiting for the rest of a body of no declared length
        try (var socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            var to = new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            to.write(("PUT /api/v1/models/big-reference-model/versions/1/baseline HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + "\r\nContent-Type: application/octet-stream\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            var block = new byte[1 << 16];
            java.util.Arrays.fill(block, (byte) 'x');
            var chunkHead = (Integer.toHexString(block.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (long sent = 0; sent <= MonitorApi.MAX_PROFILE_BYTES; sent += block.length) {
                to.write(chunkHead);
                to.write(block);
                to.write(new byte[] {'\r', '\n'});
            }
            to.flush();
            var answer = new String(socket.getInputStream().readNBytes(400), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 413").contains("PAYLOAD_TOO_LARGE", "dataset profile");
        }
        // two uploads are received at a time: while two are arriving, a third is refused for now (503)
        var uploads = server.config().home().resolve("uploads");
        var arriving = new java.util.ArrayList<java.net.Socket>();
        try {
            for (int i = 0; i < 2; i++) {
                var socket = new java.net.Socket(uri.getHost(), uri.getPort());
                arriving.add(socket);
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write(("PUT /api/v1/models/big-reference-model/versions/1/baseline HTTP/1.1\r\n"
                        + "Host: " + uri.getHost() + "\r\nContent-Type: text/csv\r\nContent-Length: 1000\r\n\r\n"
                        + "a,b\n1,2\n").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
            }
            long waitUntil = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < waitUntil) {
                try (var files = Files.list(uploads)) {
                    if (files.count() == 2) {
                        break; // both are being received
                    }
                }
                Thread.sleep(20);
            }
            var third = send("PUT", "/api/v1/models/big-reference-model/versions/1/baseline", "a,b\n1,2\n", "text/csv");
            assertThat(third.statusCode()).as(third.body()).isEqualTo(503);
            assertThat(third.body()).contains("TEMPORARILY_UNAVAILABLE");
        } finally {
            for (var socket : arriving) {
                socket.shutdownOutput(); // they break off: 400 each, and their places are free again
                new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                socket.close();
            }
        }
        var afterwards = send("PUT", "/api/v1/models/big-reference-model/versions/1/baseline", "", "text/csv");
        assertThat(afterwards.statusCode()).as(afterwards.body()).isEqualTo(400); // received (and empty), not 503
        assertThat(json("GET", "/api/v1/models/big-reference-model/versions/1/baseline", null).path("rows").asLong())
                .isEqualTo(330_000); // the baseline already stored stays
        try (var left = Files.list(server.config().home().resolve("uploads"))) {
            assertThat(left).as("uploads received and deleted").isEmpty();
        }
    }

    @Test
    void badInputIsRejectedWithTypedErrors() throws Exception {
        assertThat(send("POST", "/api/v1/deployments/fraud/feedback", "{}", "application/json").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/api/v1/deployments/fraud/feedback", "{\"feedback\":[{\"label\":1}]}", "application/json")
                .body()).contains("INVALID_PARAMETER_VALUE");
        assertThat(send("POST", "/api/v1/deployments/nope/feedback", "{\"feedback\":[]}", "application/json").statusCode())
                .isEqualTo(404);
        assertThat(send("GET", "/api/v1/deployments/fraud/drift?from=yesterday", null, null).statusCode()).isEqualTo(400);
        for (var span : new String[] {"from=%2B1000000000-01-01T00:00:00Z", "from=-9223372036854775808&to=9223372036854775807",
                "to=-5"}) {
            var answer = send("GET", "/api/v1/deployments/fraud/drift?" + span, null, null);
            assertThat(answer.statusCode()).as(span + ": " + answer.body()).isEqualTo(400);
            assertThat(answer.body()).contains("INVALID_PARAMETER_VALUE");
        }
        for (var token : new String[] {"abc", "1.2.3", "1.x"}) {
            var answer = send("GET", "/api/v1/deployments/fraud/monitor/results?page_token=" + token, null, null);
            assertThat(answer.statusCode()).as(token).isEqualTo(400);
            assertThat(answer.body()).contains("page_token");
        }
        // not enough disk left beside what the database needs: refused for now (503), declared or chunked
        System.setProperty(MonitorApi.MIN_FREE_PROPERTY, Long.toString(1L << 40)); // an exbibyte to keep free
        try {
            var full = send("PUT", "/api/v1/models/fraud-model/versions/1/baseline", "a,b\n1,2\n", "text/csv");
            assertThat(full.statusCode()).as(full.body()).isEqualTo(503);
            assertThat(full.body()).contains("TEMPORARILY_UNAVAILABLE", "Not enough free disk");
            var chunked = HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/models/fraud-model/versions/1/baseline"))
                    .header("Content-Type", "text/csv").PUT(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new java.io.ByteArrayInputStream("a,b\n1,2\n".getBytes(StandardCharsets.UTF_8))))
                    .build();
            assertThat(HTTP.send(chunked, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
        } finally {
            System.clearProperty(MonitorApi.MIN_FREE_PROPERTY);
        }
        var ragged = send("PUT", "/api/v1/models/fraud-model/versions/1/baseline", "a,b\nx,y\nz\n", "text/csv");
        assertThat(ragged.statusCode()).as(ragged.body()).isEqualTo(400);
        assertThat(ragged.body()).contains("CSV row 3 has 1 fields");
        assertThat(send("PUT", "/api/v1/models/fraud-model/versions/1/baseline", "a,b", "text/plain").statusCode()).isEqualTo(415);
        assertThat(send("PUT", "/api/v1/models/fraud-model/versions/9/baseline", "a\n1", "text/csv").statusCode()).isEqualTo(404);
        assertThat(send("PUT", "/api/v1/models/fraud-model/versions/1/baseline", "a,b\n1", "text/csv").statusCode()).isEqualTo(400);
        assertThat(send("PATCH", "/api/v1/deployments/fraud/monitor", "{\"min_rows\":-1}", "application/json").statusCode())
                .isEqualTo(400);
        // a run's results are stored and the newest span's stand for the deployment: it may not end in the future
        var ahead = send("POST", "/api/v1/deployments/fraud/monitor/run?to=" + (CLOCK.millis() + 3_600_000), "{}",
                "application/json");
        assertThat(ahead.statusCode()).as(ahead.body()).isEqualTo(400);
        assertThat(ahead.body()).contains("in the future");
        assertThat(send("POST", "/api/v1/alert-rules", "{\"name\":\"x\",\"check\":\"nope\"}", "application/json").statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/api/v1/webhooks", "{\"url\":\"ftp://x\"}", "application/json").statusCode()).isEqualTo(400);
        // numbers that would wrap: a row past int, a cool-down whose milliseconds overflow a long
        var row = send("POST", "/api/v1/deployments/fraud/feedback",
                "{\"feedback\":[{\"request_id\":\"r\",\"row\":4294967296,\"label\":1}]}", "application/json");
        assertThat(row.statusCode()).as(row.body()).isEqualTo(400);
        assertThat(row.body()).contains("'row' must be an integer");
        for (var bad : new String[] {
                "{\"feedback\":[{\"request_id\":\"r\",\"labels\":[1],\"row\":2}]}", // which row?
                "{\"feedback\":[{\"request_id\":\"\",\"labels\":[]}]}",
                "{\"feedback\":[{\"request_id\":\"r\",\"label\":1e999}]}",
                "{\"feedback\":[{\"request_id\":\"x\\ud800\",\"label\":1},{\"request_id\":\"x?\",\"label\":0}]}"}) {
            var refused = send("POST", "/api/v1/deployments/fraud/feedback", bad, "application/json");
            assertThat(refused.statusCode()).as(bad + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.body()).contains("INVALID_PARAMETER_VALUE");
        }
        var nullRow = send("POST", "/api/v1/deployments/fraud/feedback",
                "{\"feedback\":[{\"request_id\":\"unknown-id\",\"row\":null,\"label\":1}]}", "application/json");
        assertThat(nullRow.statusCode()).as(nullRow.body()).isEqualTo(200); // row 0, as when it is left out
        var cooldown = send("POST", "/api/v1/alert-rules",
                "{\"name\":\"wrap\",\"check\":\"latency\",\"cooldown_seconds\":18446744073709552}", "application/json");
        assertThat(cooldown.statusCode()).as(cooldown.body()).isEqualTo(400);
        assertThat(cooldown.body()).contains("between 0 and 30 days");
        var cursor = send("GET", "/api/v1/alerts?after_id=last", null, null);
        assertThat(cursor.statusCode()).as(cursor.body()).isEqualTo(400);
        assertThat(cursor.body()).contains("'after_id' must be an alert id");
        var both = send("GET", "/api/v1/alerts?after_id=1&before_id=9", null, null);
        assertThat(both.statusCode()).as(both.body()).isEqualTo(400);
        assertThat(both.body()).contains("not both");
        var seconds = send("GET", "/api/v1/deployments/fraud/drift?from=1732060800&to=1732064400", null, null);
        assertThat(seconds.statusCode()).as(seconds.body()).isEqualTo(400);
        assertThat(seconds.body()).contains("epoch seconds?", "1732064400000");
        long eightDaysAgo = java.time.Instant.ofEpochMilli(CLOCK.millis()).minus(java.time.Duration.ofDays(8))
                .truncatedTo(java.time.temporal.ChronoUnit.HOURS).toEpochMilli();
        var pruned = send("GET", "/api/v1/deployments/fraud/drift?from=" + (eightDaysAgo + 600_000) + "&to="
                + (eightDaysAgo + 3_000_000), null, null);
        assertThat(pruned.statusCode()).as(pruned.body()).isEqualTo(400);
        assertThat(pruned.body()).contains("'from' (", "'to' (", "on a whole hour");
        var plus = send("GET", "/api/v1/deployments/fraud/windows?from=2026-01-01T00:00:00+01:00", null, null);
        assertThat(plus.statusCode()).as(plus.body()).isEqualTo(400);
        assertThat(plus.body()).contains("%2B");
        var page = send("GET", "/api/v1/incidents?before_id=x", null, null);
        assertThat(page.statusCode()).as(page.body()).isEqualTo(400);
        assertThat(page.body()).contains("'before_id' must be an incident id");

        // a rule that resolves itself: set on creation, changed alone, refused when not a boolean
        var created = send("POST", "/api/v1/alert-rules", "{\"name\":\"self-resolving\",\"check\":\"latency\","
                + "\"deployment\":\"fraud\",\"auto_resolve\":true}", "application/json");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        var rule = Json.mapper().readTree(created.body());
        assertThat(rule.path("auto_resolve").asBoolean()).isTrue();
        long ruleId = rule.path("id").asLong();
        for (var bad : new String[] {"{}", "{\"enabled\":null}", "{\"auto_resolve\":\"yes\"}", "{\"enabled\":1}",
                "{\"severity\":\"loud\"}", "{\"severity\":3}", "{\"cooldown_seconds\":-1}", "{\"cooldown_seconds\":1.5}",
                "{\"cooldown_seconds\":2592001}", "{\"cooldown_seconds\":\"soon\"}", "{\"check\":\"errors\"}",
                "{\"severity\":\"critical\",\"name\":\"renamed\"}", "{\"enabled\":false,\"severity\":\"loud\"}",
                "{\"enabled\":false,\"cooldown_seconds\":2592001}"}) {
            var refused = send("PATCH", "/api/v1/alert-rules/" + ruleId, bad, "application/json");
            assertThat(refused.statusCode()).as(bad + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.body()).contains("INVALID_PARAMETER_VALUE");
        }
        var notAnObject = send("PATCH", "/api/v1/alert-rules/" + ruleId, "[]", "application/json");
        assertThat(notAnObject.statusCode()).isEqualTo(400);
        assertThat(notAnObject.body()).contains("MALFORMED_REQUEST");
        var renamed = send("PATCH", "/api/v1/alert-rules/" + ruleId, "{\"name\":\"other\"}", "application/json");
        assertThat(renamed.body()).contains("'name' cannot be changed", "enabled, auto_resolve, severity, cooldown_seconds");
        assertThat(send("PATCH", "/api/v1/alert-rules/" + ruleId, "{\"auto_resolve\":false}", "application/json")
                .statusCode()).isEqualTo(200);
        // severity and cool-down change too (as POST takes them: a number may come as a string, a null is left out),
        // and the answer is the rule as it now is
        for (var edge : new String[] {"{\"cooldown_seconds\":0}", "{\"cooldown_seconds\":2592000}"}) {
            var taken = send("PATCH", "/api/v1/alert-rules/" + ruleId, edge, "application/json");
            assertThat(taken.statusCode()).as(edge + ": " + taken.body()).isEqualTo(200);
        }
        var changed = send("PATCH", "/api/v1/alert-rules/" + ruleId,
                "{\"severity\":\"Critical\",\"cooldown_seconds\":\"120\",\"enabled\":null}", "application/json");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        var now = Json.mapper().readTree(changed.body());
        assertThat(now.path("severity").asText()).isEqualTo("critical");
        assertThat(now.path("cooldown_seconds").asLong()).isEqualTo(120);
        assertThat(now.path("name").asText()).isEqualTo("self-resolving");
        var listed = Json.mapper().readTree(send("GET", "/api/v1/alert-rules", null, null).body()).path("rules");
        var found = java.util.stream.StreamSupport.stream(listed.spliterator(), false)
                .filter(r -> r.path("id").asLong() == ruleId).findFirst().orElseThrow();
        assertThat(found.path("auto_resolve").asBoolean()).isFalse();
        assertThat(found.path("enabled").asBoolean()).isTrue();
        assertThat(found.path("severity").asText()).isEqualTo("critical");
        assertThat(found.path("cooldown_seconds").asLong()).isEqualTo(120);
        assertThat(send("PATCH", "/api/v1/alert-rules/987654", "{\"enabled\":false}", "application/json").statusCode())
                .isEqualTo(404);
        assertThat(send("DELETE", "/api/v1/alert-rules/" + ruleId, null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void aDeletedDeploymentsGaugesLeaveMetrics() throws Exception {
        assertThat(send("POST", "/api/v1/deployments", "{\"name\":\"short-lived\",\"model\":\"fraud-model\","
                + "\"version\":\"1\"}", "application/json").statusCode()).isEqualTo(200);
        json("POST", "/api/v1/deployments/short-lived/monitor/run", "{}");
        assertThat(send("GET", "/metrics", null, null).body())
                .contains("launchpad_monitor_check_breached{check=\"latency\",deployment=\"short-lived\"}");
        assertThat(send("DELETE", "/api/v1/deployments/short-lived", null, null).statusCode()).isEqualTo(200);
        // the monitor scheduler's next pass (it polls every second) lets them go
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (send("GET", "/metrics", null, null).body().contains("deployment=\"short-lived\"")
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(send("GET", "/metrics", null, null).body()).doesNotContain("deployment=\"short-lived\"");
    }
}
