package dev.launchpad.server.monitor;

import dev.launchpad.core.json.Json;
import dev.launchpad.inference.model.OnnxTestModels;
import dev.launchpad.platform.TestDirectories;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.ServerConfig;
import dev.launchpad.server.cli.LaunchpadCli;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server restarted in the middle of a minute: the requests served before and after the restart are all
 * in that minute's window (and its hour and day), each exactly once. And prediction logging switched off and on
 * again while the server runs.
 */
class MonitoringRestartTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:20Z");
    private static final long M0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();

    private static HttpResponse<String> send(Launchpad server, String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void infer(Launchpad server, int requests) throws Exception {
        for (int i = 0; i < requests; i++) {
            var body = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,3],\"data\":[1,2,3,4,5," + i + "]}]}";
            assertThat(send(server, "POST", "/v2/models/lr/infer", body).statusCode()).isEqualTo(200);
        }
    }

    /** A server's home with a SQLite database, a clock stopped in the middle of a minute, and a model to serve. */
    private record Setup(ServerConfig config, Clock clock, Path model) {
        static Setup of(String prefix) throws Exception {
            var home = TestDirectories.create(prefix);
            var config = new ServerConfig("127.0.0.1", 0, home, TestDatabases.newSqliteUrl(),
                    home.resolve("artifacts").toString());
            return new Setup(config, Clock.fixed(T0, java.time.ZoneOffset.UTC),
                    OnnxTestModels.writeLinearRegression(home.resolve("lr.onnx"), new float[] {1, 2, 3}, 0.5f));
        }
    }

    private static void deployLr(Launchpad server, Path model) throws Exception {
        var err = new StringWriter();
        assertThat(LaunchpadCli.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                .execute("models", "register", "--name", "lr", "--file", model.toString(), "--signature-from-model",
                        "--server", server.url())).as(err.toString()).isZero();
        assertThat(send(server, "POST", "/api/v1/deployments", "{\"name\":\"lr\",\"model\":\"lr\",\"version\":\"1\"}")
                .statusCode()).isEqualTo(200);
    }

    private static long requestsLogged(Launchpad server) throws Exception {
        server.monitoring().ingestor().flushNow();
        var windows = Json.mapper().readTree(send(server, "GET", "/api/v1/deployments/lr/windows?granularity=minute"
                + "&from=" + (M0 - 86_400_000L) + "&to=" + (M0 + 86_400_000L), null).body()).path("windows");
        long requests = 0;
        for (var w : windows) {
            requests += w.path("requests").asLong();
        }
        return requests;
    }

    @Test
    void loggingSwitchedOffLeavesRequestsOutUntilItIsOnAgain() throws Exception {
        var home = TestDirectories.create("launchpad-logging-");
        var config = new ServerConfig("127.0.0.1", 0, home, TestDatabases.newSqliteUrl(), home.resolve("artifacts").toString());
        Path model = OnnxTestModels.writeLinearRegression(home.resolve("lr.onnx"), new float[] {1, 2, 3}, 0.5f);
        try (var server = Launchpad.start(config, Clock.fixed(T0, java.time.ZoneOffset.UTC))) {
            deployLr(server, model);
            infer(server, 3);
            assertThat(requestsLogged(server)).isEqualTo(3);
            server.monitoring().logging(false);
            infer(server, 5);
            assertThat(requestsLogged(server)).isEqualTo(3);
            server.monitoring().logging(true);
            infer(server, 2);
            assertThat(requestsLogged(server)).isEqualTo(5);
        }
    }

    @Test
    void requestsUnderWayWhenTheServerStopsAreLoggedBeforeMonitoringCloses() throws Exception {
        var setup = Setup.of("launchpad-stop-");
        var config = setup.config();
        var clock = setup.clock();
        Path model = setup.model();
        var first = Launchpad.start(config, clock);
        deployLr(first, model);
        // clients sending as fast as they can while the server stops
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        var answered = new java.util.concurrent.atomic.AtomicLong();
        var clients = new java.util.ArrayList<Thread>();
        for (int c = 0; c < 8; c++) {
            clients.add(Thread.ofPlatform().start(() -> {
                var body = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,3],\"data\":[1,2,3,4,5,6]}]}";
                while (!stop.get()) {
                    try {
                        if (send(first, "POST", "/v2/models/lr/infer", body).statusCode() == 200) {
                            answered.incrementAndGet();
                        }
                    } catch (Exception closed) {
                        return;
                    }
                }
            }));
        }
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        try {
            while (answered.get() < 200) {
                assertThat(System.nanoTime()).as("200 requests answered within a minute").isLessThan(deadline);
                Thread.sleep(5);
            }
        } finally {
            first.close();
            stop.set(true);
            for (var c : clients) {
                assertThat(c.join(java.time.Duration.ofSeconds(60))).as("a client ended").isTrue();
            }
        }
        var stats = first.monitoring().ingestor().stats();
        assertThat(stats.dropped()).as("requests logged after monitoring closed").isZero();
        try (var second = Launchpad.start(config, clock)) {
            // every answered request was logged, and every logged one counted once
            assertThat(requestsLogged(second)).isEqualTo(stats.accepted()).isGreaterThanOrEqualTo(answered.get());
        }
    }

    @Test
    void aCleanRestartInTheMiddleOfAMinuteKeepsEveryRequestOnce() throws Exception {
        var setup = Setup.of("launchpad-restart-");
        var config = setup.config();
        var clock = setup.clock();
        Path model = setup.model();
        try (var first = Launchpad.start(config, clock)) {
            deployLr(first, model);
            infer(first, 12);
        }
        try (var second = Launchpad.start(config, clock)) {
            infer(second, 8);
        }
        try (var third = Launchpad.start(config, clock)) {
            for (var g : new String[] {"minute", "hour", "day"}) {
                var windows = Json.mapper().readTree(send(third, "GET", "/api/v1/deployments/lr/windows?granularity=" + g
                        + "&from=" + (M0 - 86_400_000L) + "&to=" + (M0 + 86_400_000L), null).body()).path("windows");
                assertThat(windows).as(g).hasSize(1);
                assertThat(windows.get(0).path("requests").asLong()).as(g).isEqualTo(20);
                assertThat(windows.get(0).path("rows").asLong()).as(g).isEqualTo(40);
            }
        }
    }
}
