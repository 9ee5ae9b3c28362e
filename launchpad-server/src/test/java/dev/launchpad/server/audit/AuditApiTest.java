package dev.launchpad.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.TestServers;
import dev.launchpad.server.cli.LaunchpadCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit log end to end: mutations over HTTP appear in {@code GET /api/v1/audit} (and reads and
 * predictions do not), secrets are redacted, filters and export work, bad filters are 400s, and a row
 * tampered with in the database is named by {@code launchpad audit verify} and the verify endpoint.
 */
class AuditApiTest {
    private static final String MLFLOW = "/api/2.0/mlflow/";
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(Launchpad server, String method, String path, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(server.url() + path));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.mapper().readTree(response.body());
    }

    private JsonNode audit(Launchpad server, String query) throws Exception {
        return ok(send(server, "GET", "/api/v1/audit" + query, null));
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static List<JsonNode> list(JsonNode records) {
        var list = new ArrayList<JsonNode>();
        records.forEach(list::add);
        return list;
    }

    @Test
    void mutationsAreRecordedAndTamperingIsNamed() throws Exception {
        var url = TestDatabases.newSqliteUrl();
        try (var server = TestServers.start(url)) {
            var experimentId = ok(send(server, "POST", MLFLOW + "experiments/create",
                    "{\"name\": \"audited\", \"password\": \"hunter2\"}")).path("experiment_id").asText();
            var runId = ok(send(server, "POST", MLFLOW + "runs/create",
                    "{\"experiment_id\": \"" + experimentId + "\"}")).path("run").path("info").path("run_id").asText();
            ok(send(server, "POST", MLFLOW + "registered-models/create", "{\"name\": \"fraud\"}"));
            var duplicate = send(server, "POST", MLFLOW + "registered-models/create", "{\"name\": \"fraud\"}");
            assertThat(duplicate.statusCode()).isEqualTo(400);
            // reads and unknown endpoints are not recorded
            ok(send(server, "GET", MLFLOW + "experiments/get?experiment_id=" + experimentId, null));
            assertThat(send(server, "POST", "/api/v1/no-such-thing", "{}").statusCode()).isEqualTo(404);

            var records = list(audit(server, "?actor=anonymous").path("records"));
            assertThat(records).extracting(r -> r.path("action").asText()).containsExactly(
                    "POST " + MLFLOW + "experiments/create", "POST " + MLFLOW + "runs/create",
                    "POST " + MLFLOW + "registered-models/create", "POST " + MLFLOW + "registered-models/create");
            assertThat(records).extracting(r -> r.path("outcome").asInt()).containsExactly(200, 200, 200, 400);
            assertThat(records).allSatisfy(r -> {
                assertThat(r.path("actor").asText()).isEqualTo("anonymous");
                assertThat(r.path("source").asText()).isEqualTo("127.0.0.1");
                assertThat(r.path("hash").asText()).hasSize(64);
            });
            var experiment = records.getFirst();
            assertThat(experiment.path("resource").asText()).isEqualTo(MLFLOW + "experiments/create");
            assertThat(experiment.path("request").path("body").path("name").asText()).isEqualTo("audited");
            assertThat(experiment.path("request").path("body").path("password").asText()).isEqualTo("[REDACTED]");
            assertThat(experiment.path("after").path("experiment_id").asText()).isEqualTo(experimentId);
            assertThat(records.get(1).path("after").path("run").path("info").path("run_id").asText()).isEqualTo(runId);
            assertThat(records.get(3).path("after").isNull()).isTrue();

            // filters and paging
            assertThat(list(audit(server, "?action=" + enc("POST " + MLFLOW + "runs/create")).path("records")))
                    .singleElement().satisfies(r -> assertThat(r.path("seq").asLong()).isEqualTo(2));
            assertThat(list(audit(server, "?resource=" + enc(MLFLOW + "registered-models")).path("records")))
                    .hasSize(2);
            assertThat(audit(server, "?actor=someone-else").path("records")).isEmpty();
            long t = records.getFirst().path("time").asLong();
            assertThat(audit(server, "?from=" + t + "&to=" + (t + 3_600_000)).path("records")).hasSize(4);
            assertThat(audit(server, "?to=" + t).path("records")).isEmpty();
            var page = audit(server, "?max_results=3");
            assertThat(page.path("records")).hasSize(3);
            var next = audit(server, "?max_results=3&page_token=" + enc(page.path("next_page_token").asText()));
            assertThat(next.path("records")).hasSize(1);
            assertThat(next.has("next_page_token")).isFalse();

            // export: JSON lines, secrets never in clear
            var export = send(server, "GET", "/api/v1/audit/export?actor=anonymous", null);
            assertThat(export.statusCode()).isEqualTo(200);
            assertThat(export.headers().firstValue("Content-Type").orElse("")).startsWith("application/x-ndjson");
            assertThat(export.body().lines().toList()).hasSize(4);
            assertThat(export.body()).doesNotContain("hunter2");

            assertThat(ok(send(server, "GET", "/api/v1/audit/verify", null)).path("rows").asLong()).isEqualTo(4);
            assertThat(cli("audit", "verify", "--db", url)).startsWith("0:OK: audit log intact, 4 rows");

            // tamper with row 2 directly in the database
            server.database().jdbi().useHandle(h -> h.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"));
            var verify = ok(send(server, "GET", "/api/v1/audit/verify", null));
            assertThat(verify.path("ok").asBoolean()).isFalse();
            assertThat(verify.path("broken_seq").asLong()).isEqualTo(2);
            assertThat(verify.path("problem").asText()).isEqualTo("CONTENT_EDITED");
            assertThat(cli("audit", "verify", "--db", url)).startsWith("1:BROKEN: row 2 (CONTENT_EDITED)");
        }
    }

    @Test
    void deletedRowIsNamedByTheCliAndExportWritesAFile(@TempDir Path dir) throws Exception {
        var url = TestDatabases.newSqliteUrl();
        try (var server = TestServers.start(url)) {
            for (var name : List.of("a", "b", "c")) {
                ok(send(server, "POST", MLFLOW + "registered-models/create", "{\"name\": \"" + name + "\"}"));
            }
            ok(send(server, "PATCH", MLFLOW + "registered-models/update", "{\"name\": \"a\", \"description\": \"x\"}"));
            assertThat(send(server, "DELETE", MLFLOW + "registered-models/delete", "{\"name\": \"c\"}").statusCode())
                    .isEqualTo(200);
            var out = dir.resolve("audit.jsonl");
            assertThat(cli("audit", "export", "--db", url, "--out", out.toString())).startsWith("0:");
            var lines = Files.readAllLines(out);
            assertThat(lines).hasSize(5);
            assertThat(Json.mapper().readTree(lines.get(4)).path("action").asText())
                    .isEqualTo("DELETE " + MLFLOW + "registered-models/delete");

            var head = cli("audit", "verify", "--db", url);
            var expectHead = head.substring(head.indexOf("head ") + 5).strip();
            server.database().jdbi().useHandle(h -> h.execute("DELETE FROM audit_log WHERE seq = 3"));
            assertThat(cli("audit", "verify", "--db", url)).startsWith("1:BROKEN: row 3 (ROW_DELETED)");

            server.database().jdbi().useHandle(h -> h.execute("DELETE FROM audit_log WHERE seq >= 3"));
            assertThat(cli("audit", "verify", "--db", url)).startsWith("0:OK: audit log intact, 2 rows");
            assertThat(cli("audit", "verify", "--db", url, "--expect-head", expectHead))
                    .startsWith("1:BROKEN: row 3 (ROW_DELETED)").contains("cut off the end");
        }
        assertThat(cli("audit", "verify", "--home", dir.resolve("nothing-here").toString())).startsWith("2:");
        assertThat(cli("audit", "verify", "--db", url, "--expect-head", "nonsense")).startsWith("2:");
    }

    @Test
    void badFiltersAreRejectedWith400() throws Exception {
        try (var server = TestServers.start(TestDatabases.newSqliteUrl())) {
            for (var query : List.of("?from=yesterday", "?to=1.5x", "?max_results=0", "?max_results=100000",
                    "?page_token=not-a-token", "?from=10&to=5", "?from=-1")) {
                for (var path : List.of("/api/v1/audit", "/api/v1/audit/export")) {
                    var response = send(server, "GET", path + query, null);
                    if (path.endsWith("export") && query.contains("max_results") || path.endsWith("export")
                            && query.contains("page_token")) {
                        continue; // export takes neither
                    }
                    assertThat(response.statusCode()).as(path + query).isEqualTo(400);
                    var body = Json.mapper().readTree(response.body());
                    assertThat(body.path("error_code").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
                    assertThat(body.path("message").asText()).isNotBlank();
                }
            }
            var verify = send(server, "GET", "/api/v1/audit/verify?expect_seq=3", null);
            assertThat(verify.statusCode()).isEqualTo(400);
        }
    }

    /** Runs the CLI and returns "exit code:output". */
    private static String cli(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = LaunchpadCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return code + ":" + out + err;
    }
}
