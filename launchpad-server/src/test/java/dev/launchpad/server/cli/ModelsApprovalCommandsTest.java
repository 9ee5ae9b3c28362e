package dev.launchpad.server.cli;

import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.TestHttp;
import dev.launchpad.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code launchpad models approval|approve|reject} against a running server. */
class ModelsApprovalCommandsTest {
    private static Launchpad server;
    private static TestHttp http;

    @BeforeAll
    static void start() {
        server = TestServers.start(TestDatabases.newSqliteUrl());
        http = new TestHttp(server.url());
        http.ok("POST", "/api/2.0/mlflow/registered-models/create", "{\"name\":\"churn\"}", null);
        http.ok("POST", "/api/2.0/mlflow/model-versions/create",
                "{\"name\":\"churn\",\"source\":\"mlflow-artifacts:/x/churn\",\"user_id\":\"alice\"}", null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Result(int code, String out, String err) {
    }

    private static Result cli(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = LaunchpadCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void showsApprovesAndRejectsAVersion() {
        var shown = cli("models", "approval", "churn", "1", "--server", server.url());
        assertThat(shown.code()).as(shown.err()).isZero();
        assertThat(shown.out()).contains("churn v1: PENDING (registered by alice)");

        var approved = cli("models", "approve", "churn", "1", "-m", "looks right", "--server", server.url());
        assertThat(approved.code()).as(approved.err()).isZero();
        assertThat(approved.out()).contains("APPROVED").contains("APPROVED by anonymous: looks right");

        var rejected = cli("models", "reject", "churn", "1", "--comment", "drift in Q4", "--server", server.url());
        assertThat(rejected.code()).as(rejected.err()).isZero();
        assertThat(rejected.out()).contains("churn v1: REJECTED").contains("REJECTED by anonymous: drift in Q4");
    }

    @Test
    void badInputIsAMessageAndANonZeroExit() {
        var missing = cli("models", "approve", "churn", "9", "-m", "x", "--server", server.url());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("not found");
        var notANumber = cli("models", "approve", "churn", "v1", "-m", "x", "--server", server.url());
        assertThat(notANumber.code()).isEqualTo(2);
        assertThat(notANumber.err()).contains("VERSION must be a positive number");
        var noComment = cli("models", "approve", "churn", "1", "--server", server.url());
        assertThat(noComment.code()).isEqualTo(2);
        assertThat(noComment.err()).contains("--comment");
        var down = cli("models", "approval", "churn", "1", "--server", "http://127.0.0.1:1");
        assertThat(down.code()).isEqualTo(1);
    }

    @Test
    void aRedirectingProxyIsAServerFailureNotAUsageError() throws Exception {
        var proxy = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Location", "https://launchpad.example/");
            exchange.sendResponseHeaders(301, -1);
            exchange.close();
        });
        proxy.start();
        try {
            var redirected = cli("models", "approve", "churn", "1", "-m", "ok", "--server",
                    "http://127.0.0.1:" + proxy.getAddress().getPort());
            assertThat(redirected.code()).isEqualTo(1);
            assertThat(redirected.err()).contains("HTTP 301 redirect to https://launchpad.example/");
        } finally {
            proxy.stop(0);
        }
    }
}
