package dev.launchpad.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.TestServers;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Throws random JSON (and random non-JSON) at every tracking endpoint of a running server: the
 * answer is always 2xx or a 4xx carrying {"error_code","message"}, never a 5xx.
 */
class RandomJsonFuzzTest {
    private static final List<String> ENDPOINTS = List.of("experiments/create", "experiments/search",
            "experiments/delete", "experiments/restore", "experiments/update", "experiments/set-experiment-tag",
            "experiments/delete-experiment-tag", "runs/create", "runs/update", "runs/delete", "runs/restore",
            "runs/set-tag", "runs/delete-tag", "runs/log-parameter", "runs/log-metric", "runs/log-batch",
            "runs/log-inputs", "runs/log-model", "runs/search");
    private static final List<String> FIELDS = List.of("experiment_id", "experiment_ids", "name", "new_name", "run_id",
            "run_uuid", "key", "value", "timestamp", "step", "metrics", "params", "tags", "filter", "order_by",
            "max_results", "page_token", "run_view_type", "view_type", "status", "end_time", "start_time", "run_name",
            "datasets", "dataset", "digest", "source", "source_type", "model_json", "artifact_location");

    private static Launchpad server;
    private static String runId;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeContainer
    static void start() throws Exception {
        server = TestServers.start(TestDatabases.newSqliteUrl());
        var created = post("runs/create", "{\"experiment_id\": \"0\"}");
        runId = Json.mapper().readTree(created.body()).path("run").path("info").path("run_id").asText();
    }

    @AfterContainer
    static void stop() {
        server.close();
    }

    @Property(tries = 400)
    void randomJsonNeverCausesAServerError(@ForAll("endpoints") String endpoint, @ForAll("bodies") JsonNode body)
            throws Exception {
        assertClientError(post(endpoint, Json.mapper().writeValueAsString(body)));
    }

    @Property(tries = 150)
    void randomTextNeverCausesAServerError(@ForAll("endpoints") String endpoint, @ForAll("garbage") String body)
            throws Exception {
        assertClientError(post(endpoint, body));
    }

    private static void assertClientError(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isLessThan(500);
        if (response.statusCode() >= 400) {
            var json = Json.mapper().readTree(response.body());
            assertThat(json.path("error_code").asText()).isNotEmpty();
            assertThat(json.path("message").asText()).isNotEmpty();
        }
    }

    @Provide
    Arbitrary<String> endpoints() {
        return Arbitraries.of(ENDPOINTS);
    }

    @Provide
    Arbitrary<String> garbage() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(200),
                Arbitraries.of("{", "[", "{\"run_id\":", "null", "1e999999", "{\"a\":NaN}", "\"x\"", "{}}", "\u0000"));
    }

    @Provide
    Arbitrary<JsonNode> bodies() {
        return objects(3);
    }

    private Arbitrary<JsonNode> objects(int depth) {
        var entry = net.jqwik.api.Combinators.combine(Arbitraries.oneOf(Arbitraries.of(FIELDS),
                Arbitraries.strings().alpha().ofMaxLength(8)), values(depth - 1)).as(java.util.Map::entry);
        return entry.list().ofMaxSize(8).map(entries -> {
            var node = JsonNodeFactory.instance.objectNode();
            entries.forEach(e -> node.set(e.getKey(), e.getValue()));
            return node;
        });
    }

    private Arbitrary<JsonNode> values(int depth) {
        var f = JsonNodeFactory.instance;
        var scalars = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(300).map(f::textNode),
                Arbitraries.of("0", "1", "NaN", "Infinity", "-1", "ACTIVE_ONLY", "FINISHED", "metrics.a > 1",
                        "params.p = 'x'", "a".repeat(300), "../x", "eyJvZmZzZXQiOiAxfQ==").map(f::textNode),
                Arbitraries.just(runId == null ? "x" : runId).map(f::textNode),
                Arbitraries.longs().map(f::numberNode),
                Arbitraries.doubles().map(f::numberNode),
                Arbitraries.of(true, false).map(f::booleanNode),
                Arbitraries.just(f.nullNode()));
        if (depth <= 0) {
            return scalars.map(n -> (JsonNode) n);
        }
        return Arbitraries.oneOf(scalars.map(n -> (JsonNode) n),
                Arbitraries.lazy(() -> values(depth - 1)).list().ofMaxSize(5).map(list -> {
                    var array = f.arrayNode();
                    list.forEach(array::add);
                    return (JsonNode) array;
                }),
                Arbitraries.lazy(() -> objects(depth - 1)));
    }

    private static HttpResponse<String> post(String endpoint, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(server.url() + "/api/2.0/mlflow/" + endpoint))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
