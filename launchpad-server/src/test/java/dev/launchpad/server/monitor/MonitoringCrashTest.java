package dev.launchpad.server.monitor;

import dev.launchpad.inference.model.OnnxTestModels;
import dev.launchpad.platform.store.Database;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.ServerConfig;
import dev.launchpad.server.ServerProcesses;
import dev.launchpad.server.cli.LaunchpadCli;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server killed with SIGKILL while serving: what it wrote before its last periodic flush is all there
 * (minute, hour and day windows agree), what it served since is lost, and a restarted server adds to the
 * same windows without counting anything twice.
 */
class MonitoringCrashTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void killNineLosesAtMostTheUnflushedPart(@TempDir Path dir) throws Exception {
        var home = dir.resolve("home");
        var log = dir.resolve("server.log");
        // the launcher's jar (a server started from Maven's unshaded classpath dies in ONNX Runtime's
        // initialisation with SIGSEGV on this JDK; the packaged jar does not)
        var jar = System.getProperty("launchpad.jar");
        Assumptions.assumeTrue(jar != null && Files.isRegularFile(Path.of(jar)),
                "runs after packaging, against target/launchpad.jar: ./mvnw verify");
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // its native libraries are unpacked under dir, which is deleted after the test: killed, it cannot delete them
        var tmp = Files.createDirectories(dir.resolve("tmp"));
        var process = new ProcessBuilder(java, "-Xmx512m", "--enable-native-access=ALL-UNNAMED",
                "-Djava.io.tmpdir=" + tmp, "-D" + Monitoring.FLUSH_SECONDS_PROPERTY + "=1", "-jar", jar,
                "server", "--port", "0", "--grpc-port", "-1",
                "--auth", "none", "--home", home.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long beforeKill;
        try {
            var base = ServerProcesses.awaitUrl(process, log);
            Path model = OnnxTestModels.writeLinearRegression(dir.resolve("lr.onnx"), new float[] {1, 2, 3}, 0.5f);
            var err = new StringWriter();
            assertThat(LaunchpadCli.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                    .execute("models", "register", "--name", "lr", "--file", model.toString(), "--signature-from-model",
                            "--server", base)).as(err.toString()).isZero();
            assertThat(send(base, "POST", "/api/v1/deployments", "{\"name\":\"lr\",\"model\":\"lr\",\"version\":\"1\"}")
                    .statusCode()).isEqualTo(200);
            infer(base, 20);
            // wait for a periodic flush (every second here) to have written all twenty
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (requests(home, "minute") < 20 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            infer(base, 5);
            process.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            beforeKill = requests(home, "minute");
            assertThat(beforeKill).as(Files.readString(log)).isBetween(20L, 25L);
            assertThat(requests(home, "hour")).isEqualTo(beforeKill);
            assertThat(requests(home, "day")).isEqualTo(beforeKill);
            System.out.printf("kill -9 after 25 requests: %d stored, %d lost (served after the last flush)%n",
                    beforeKill, 25 - beforeKill);
        } catch (IOException e) {
            throw new AssertionError("the server stopped answering (" + (process.isAlive() ? "still running"
                    : "exited with " + process.waitFor()) + "); its log:\n" + Files.readString(log), e);
        } finally {
            process.destroyForcibly();
        }

        // a restart on the same home adds to the same windows, once
        try (var again = Launchpad.start(ServerConfig.defaults(home).withPort(0).withGrpcPort(-1).withAuth(ServerConfig.Auth.NONE))) {
            infer(again.url(), 7);
        }
        for (var g : new String[] {"minute", "hour", "day"}) {
            assertThat(requests(home, g)).as(g).isEqualTo(beforeKill + 7);
        }
    }

    /** Requests counted in the stored windows of one granularity (every window of deployment lr). */
    private static long requests(Path home, String granularity) {
        try (var db = Database.open(ServerConfig.sqliteUrl(home))) {
            return db.read(h -> h.createQuery("SELECT COALESCE(SUM(requests), 0) FROM monitor_windows"
                    + " WHERE deployment = 'lr' AND granularity = :g").bind("g", granularity).mapTo(Long.class).one());
        }
    }

    private static void infer(String base, int requests) throws Exception {
        for (int i = 0; i < requests; i++) {
            var body = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,3],\"data\":[1,2,3,4,5," + i + "]}]}";
            assertThat(send(base, "POST", "/v2/models/lr/infer", body).statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse<String> send(String base, String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
