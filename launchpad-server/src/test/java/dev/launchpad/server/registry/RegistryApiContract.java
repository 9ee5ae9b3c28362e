package dev.launchpad.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.json.Json;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mlflow.api.proto.ModelRegistry.ModelVersion;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The model registry over HTTP: the official MLflow Java client for what it covers, raw HTTP for the
 * calls it lacks (DELETE) and for Launchpad's native lineage and model-card API. Run per backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RegistryApiContract {
    private static final String API = "/api/2.0/mlflow/";
    private Launchpad server;
    private MlflowClient client;
    private final HttpClient http = HttpClient.newHttpClient();

    abstract String databaseUrl();

    @BeforeAll
    void startServer() {
        server = TestServers.start(databaseUrl());
        client = new MlflowClient(server.url());
    }

    @AfterAll
    void stopServer() {
        client.close();
        server.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void registeredModelCrud() throws Exception {
        var name = unique("fraud");
        var created = post("registered-models/create", Map.of("name", name, "description", "card fraud",
                "tags", List.of(Map.of("key", "team", "value", "risk"))));
        assertThat(created.path("registered_model").path("name").asText()).isEqualTo(name);

        var model = client.getRegisteredModel(name);
        assertThat(model.getDescription()).isEqualTo("card fraud");
        assertThat(model.getTagsList()).singleElement().satisfies(t -> assertThat(t.getValue()).isEqualTo("risk"));

        assertThatThrownBy(() -> post("registered-models/create", Map.of("name", name)))
                .isInstanceOfSatisfying(MlflowHttpException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(400);
                    assertThat(e.getBodyMessage()).contains("RESOURCE_ALREADY_EXISTS");
                });

        json(client.sendPatch("registered-models/update", write(Map.of("name", name, "description", "v2"))));
        assertThat(client.getRegisteredModel(name).getDescription()).isEqualTo("v2");

        post("registered-models/set-tag", Map.of("name", name, "key", "tier", "value", "gold"));
        assertThat(send("DELETE", API + "registered-models/delete-tag", write(Map.of("name", name, "key", "team")))
                .statusCode()).isEqualTo(200);
        assertThat(client.getRegisteredModel(name).getTagsList()).extracting(t -> t.getKey()).containsExactly("tier");

        var renamed = name + "-renamed";
        var run = client.createRun(client.createExperiment(unique("rename"))).getRunId();
        createVersion(name, "runs:/" + run + "/model", run);
        post("registered-models/alias", Map.of("name", name, "alias", "champion", "version", "1"));
        post("registered-models/rename", Map.of("name", name, "new_name", renamed));
        assertThat(client.getModelVersion(renamed, "1").getRunId()).isEqualTo(run);
        assertThat(get("registered-models/alias?name=" + enc(renamed) + "&alias=champion")
                .path("model_version").path("version").asText()).isEqualTo("1");
        assertThatThrownBy(() -> client.getRegisteredModel(name))
                .isInstanceOfSatisfying(MlflowHttpException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(404);
                    assertThat(e.getBodyMessage()).contains("Registered Model with name=" + name + " not found");
                });

        assertThat(send("DELETE", API + "registered-models/delete", write(Map.of("name", renamed))).statusCode())
                .isEqualTo(200);
        assertThatThrownBy(() -> client.getRegisteredModel(renamed)).isInstanceOf(MlflowHttpException.class);
        assertThatThrownBy(() -> client.getModelVersion(renamed, "1")).isInstanceOf(MlflowHttpException.class);
    }

    @Test
    void modelVersionsRecordLineage() throws Exception {
        var name = unique("churn");
        post("registered-models/create", Map.of("name", name));
        var experimentId = client.createExperiment(unique("lineage"));
        var run = client.createRun(CreateRun.newBuilder().setExperimentId(experimentId).setUserId("alice")
                .addTags(RunTag.newBuilder().setKey("mlflow.source.git.commit").setValue("9f8e7d6c")).build())
                .getRunId();
        client.logMetric(run, "auc", 0.91);
        client.logMetric(run, "accuracy", 0.88);
        post("runs/log-inputs", Map.of("run_id", run, "datasets", List.of(
                Map.of("dataset", Map.of("name", "customers", "digest", "abc123", "source_type", "local",
                        "source", "{\"uri\": \"/data/customers.parquet\"}"),
                        "tags", List.of(Map.of("key", "mlflow.data.context", "value", "training"))),
                Map.of("dataset", Map.of("name", "customers-holdout", "digest", "def456", "source_type", "local",
                        "source", "{\"uri\": \"/data/holdout.parquet\"}"),
                        "tags", List.of(Map.of("key", "mlflow.data.context", "value", "eval"))))));

        var version = createVersion(name, "runs:/" + run + "/model", run);
        assertThat(version.path("version").asText()).isEqualTo("1");
        ModelVersion fetched = client.getModelVersion(name, "1");
        assertThat(fetched.getSource()).isEqualTo("runs:/" + run + "/model");
        assertThat(fetched.getRunId()).isEqualTo(run);
        assertThat(fetched.getUserId()).isEqualTo("alice");
        assertThat(fetched.getCurrentStage()).isEqualTo("None");
        assertThat(client.getModelVersionDownloadUri(name, "1"))
                .isEqualTo("mlflow-artifacts:/" + experimentId + "/" + run + "/artifacts/model");

        var lineage = getNative("/api/v1/models/" + enc(name) + "/versions/1/lineage");
        assertThat(lineage.path("run_id").asText()).isEqualTo(run);
        assertThat(lineage.path("experiment_id").asText()).isEqualTo(experimentId);
        assertThat(lineage.path("code_version").asText()).isEqualTo("9f8e7d6c");
        assertThat(lineage.path("created_by").asText()).isEqualTo("alice");
        assertThat(lineage.path("datasets")).hasSize(2);
        assertThat(lineage.path("datasets").get(0).path("digest").asText()).isEqualTo("abc123");
        assertThat(lineage.path("datasets").get(0).path("context").asText()).isEqualTo("training");

        // A second version from any URI; versions count up.
        var second = createVersion(name, "s3://bucket/models/churn/2", null);
        assertThat(second.path("version").asText()).isEqualTo("2");
        assertThat(client.getModelVersionDownloadUri(name, "2")).isEqualTo("s3://bucket/models/churn/2");
        assertThat(getNative("/api/v1/models/" + enc(name) + "/versions/2/lineage").path("datasets")).isEmpty();
    }

    @Test
    void stagesAndLatestVersions() throws Exception {
        var name = unique("stages");
        post("registered-models/create", Map.of("name", name));
        for (int i = 0; i < 3; i++) {
            createVersion(name, "s3://b/" + i, null);
        }
        post("model-versions/transition-stage", Map.of("name", name, "version", "1", "stage", "Production",
                "archive_existing_versions", false));
        post("model-versions/transition-stage", Map.of("name", name, "version", "2", "stage", "production",
                "archive_existing_versions", true));
        assertThat(client.getModelVersion(name, "1").getCurrentStage()).isEqualTo("Archived");
        assertThat(client.getLatestVersions(name, List.of("Production"))).extracting(ModelVersion::getVersion)
                .containsExactly("2");
        assertThat(client.getLatestVersions(name)).extracting(ModelVersion::getVersion)
                .containsExactly("1", "2", "3");
        assertThat(client.getRegisteredModel(name).getLatestVersionsList()).hasSize(3);
        assertThatThrownBy(() -> post("model-versions/transition-stage", Map.of("name", name, "version", "3",
                "stage", "Live", "archive_existing_versions", false)))
                .isInstanceOfSatisfying(MlflowHttpException.class, e ->
                        assertThat(e.getBodyMessage()).contains("Invalid Model Version stage: Live"));
    }

    @Test
    void aliasesResolveEverywhere() throws Exception {
        var name = unique("alias");
        post("registered-models/create", Map.of("name", name));
        createVersion(name, "s3://b/1", null);
        createVersion(name, "s3://b/2", null);
        post("registered-models/alias", Map.of("name", name, "alias", "champion", "version", "1"));
        post("registered-models/alias", Map.of("name", name, "alias", "challenger", "version", "2"));

        assertThat(get("registered-models/alias?name=" + enc(name) + "&alias=champion")
                .path("model_version").path("source").asText()).isEqualTo("s3://b/1");
        assertThat(resolve("models:/" + name + "@champion").path("uri").asText()).isEqualTo("models:/" + name + "/1");
        assertThat(client.getModelVersion(name, "2").getAliasesList()).containsExactly("challenger");
        assertThat(client.getRegisteredModel(name).getAliasesList()).extracting(a -> a.getAlias() + "=" + a.getVersion())
                .containsExactly("challenger=2", "champion=1");

        // moving the alias re-points every models:/name@champion
        post("registered-models/alias", Map.of("name", name, "alias", "champion", "version", "2"));
        assertThat(resolve("models:/" + name + "@champion").path("storage_location").asText()).isEqualTo("s3://b/2");
        assertThat(resolve("models:/" + name + "/1").path("version").asText()).isEqualTo("1");
        assertThat(resolve("models:/" + name + "/latest").path("version").asText()).isEqualTo("2");

        // a version can be registered from a models:/ URI, alias included
        var copy = createVersion(name, "models:/" + name + "@champion", null);
        assertThat(client.getModelVersionDownloadUri(name, copy.path("version").asText())).isEqualTo("s3://b/2");

        assertThat(send("DELETE", API + "registered-models/alias", write(Map.of("name", name, "alias", "champion")))
                .statusCode()).isEqualTo(200);
        var missing = send("GET", API + "registered-models/alias?name=" + enc(name) + "&alias=champion", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("RESOURCE_DOES_NOT_EXIST");

        // deleting a version drops the aliases pointing at it
        assertThat(send("DELETE", API + "model-versions/delete", write(Map.of("name", name, "version", "2")))
                .statusCode()).isEqualTo(200);
        assertThat(send("GET", API + "registered-models/alias?name=" + enc(name) + "&alias=challenger", null)
                .statusCode()).isEqualTo(404);

        for (var bad : List.of("latest", "v1", "has space", "")) {
            var response = send("POST", API + "registered-models/alias",
                    write(Map.of("name", name, "alias", bad, "version", "1")));
            assertThat(response.statusCode()).as(bad).isEqualTo(400);
        }
        assertThat(send("GET", "/api/v1/models/resolve?uri=" + enc("models:/x"), null).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/api/v1/models/resolve?uri=" + enc("models:/nope-" + name + "/1"), null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void searchAndPaging() throws Exception {
        var prefix = unique("search");
        for (int i = 0; i < 12; i++) {
            var name = prefix + "-" + (char) ('a' + i);
            post("registered-models/create", Map.of("name", name, "tags",
                    List.of(Map.of("key", "parity", "value", i % 2 == 0 ? "even" : "odd"))));
            createVersion(name, "s3://b/" + name, null);
        }
        var names = new ArrayList<String>();
        String token = null;
        do {
            var page = get("registered-models/search?filter=" + enc("name LIKE '" + prefix + "%'")
                    + "&max_results=5&order_by=" + enc("name DESC") + (token == null ? "" : "&page_token=" + enc(token)));
            page.path("registered_models").forEach(m -> names.add(m.path("name").asText()));
            token = page.hasNonNull("next_page_token") ? page.path("next_page_token").asText() : null;
        } while (token != null);
        assertThat(names).hasSize(12).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(get("registered-models/search?filter=" + enc("name LIKE '" + prefix + "%' AND tags.parity = 'odd'"))
                .path("registered_models")).hasSize(6);

        var versions = client.searchModelVersions("name = '" + prefix + "-c'");
        assertThat(versions.getItems()).singleElement().satisfies(v -> assertThat(v.getSource())
                .isEqualTo("s3://b/" + prefix + "-c"));
        assertThat(client.searchModelVersions("name LIKE '" + prefix + "%'", 4, List.of("name ASC")).getItems())
                .extracting(ModelVersion::getName).containsExactly(prefix + "-a", prefix + "-b", prefix + "-c",
                        prefix + "-d");
        assertThat(send("GET", API + "model-versions/search?filter=" + enc("metrics.x > 1"), null).statusCode())
                .isEqualTo(400);
    }

    @Test
    void modelVersionTagsAndUpdates() throws Exception {
        var name = unique("tags");
        post("registered-models/create", Map.of("name", name));
        createVersion(name, "s3://b/1", null);
        post("model-versions/set-tag", Map.of("name", name, "version", "1", "key", "validated", "value", "yes"));
        json(client.sendPatch("model-versions/update", write(Map.of("name", name, "version", "1",
                "description", "first cut"))));
        var version = client.getModelVersion(name, "1");
        assertThat(version.getDescription()).isEqualTo("first cut");
        assertThat(version.getTagsList()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("validated"));
        assertThat(send("DELETE", API + "model-versions/delete-tag",
                write(Map.of("name", name, "version", "1", "key", "validated"))).statusCode()).isEqualTo(200);
        assertThat(client.getModelVersion(name, "1").getTagsList()).isEmpty();
        for (var bad : List.of("abc", "0", "-1", "99")) {
            var response = send("GET", API + "model-versions/get?name=" + enc(name) + "&version=" + bad, null);
            assertThat(response.statusCode()).as(bad).isEqualTo(bad.equals("99") ? 404 : 400);
        }
    }

    @Test
    void modelCardsAreVersionedAndRenderAsMarkdown() throws Exception {
        var name = unique("card");
        post("registered-models/create", Map.of("name", name));
        var run = client.createRun(CreateRun.newBuilder().setExperimentId(client.createExperiment(unique("card")))
                .setUserId("bob").build()).getRunId();
        client.logBatch(run, List.of(Metric.newBuilder().setKey("auc").setValue(0.93).setTimestamp(1).build(),
                Metric.newBuilder().setKey("f1").setValue(0.71).setTimestamp(1).build()), List.of(), List.of());
        createVersion(name, "runs:/" + run + "/model", run);
        var path = "/api/v1/models/" + enc(name) + "/versions/1/card";

        var draft = getNative(path);
        assertThat(draft.path("revision").asInt()).isZero();
        assertThat(draft.path("evaluation_metrics").path("auc").asDouble()).isEqualTo(0.93);
        assertThat(draft.path("owner").asText()).isEqualTo("bob");

        var first = send("PUT", path, write(Map.of("intended_use", "Score card transactions for fraud review.",
                "limitations", "Not validated for merchants outside the EU.", "updated_by", "carol")));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(json(first.body()).path("revision").asInt()).isEqualTo(1);
        var second = json(send("PUT", path, write(Map.of("owner", "risk-team"))).body());
        assertThat(second.path("revision").asInt()).isEqualTo(2);
        assertThat(second.path("intended_use").asText()).isEqualTo("Score card transactions for fraud review.");
        assertThat(second.path("owner").asText()).isEqualTo("risk-team");
        assertThat(second.path("evaluation_metrics").path("f1").asDouble()).isEqualTo(0.71);

        assertThat(getNative(path + "?revision=1").path("owner").asText()).isEqualTo("bob");
        assertThat(getNative(path + "/revisions").path("revisions")).hasSize(2);

        var markdown = send("GET", path + "?format=markdown", null);
        assertThat(markdown.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("markdown"));
        assertThat(markdown.body()).contains("# Model card: " + name + " version 1", "## Intended use",
                "Score card transactions", "| auc | 0.930000 |", "## Limitations", "risk-team");

        assertThat(send("PUT", path, write(Map.of("owner", 7))).statusCode()).isEqualTo(400);
        assertThat(send("GET", path + "?revision=9", null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/api/v1/models/" + enc(name) + "/versions/5/card", null).statusCode()).isEqualTo(404);
    }

    @Test
    void badRegistryInputGetsClientErrors() throws Exception {
        for (var body : List.of("{}", "{\"name\": 5}", "{\"name\": \"a/b\"}", "{not json")) {
            var response = send("POST", API + "registered-models/create", body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(json(response.body()).path("error_code").asText()).isNotEmpty();
        }
        var name = unique("bad");
        post("registered-models/create", Map.of("name", name));
        for (var body : List.of(Map.of("name", name), Map.of("name", name, "source", "runs:/0123456789abcdef0123456789abcdef/m"),
                Map.of("name", name, "source", "s3://b/../../etc"), Map.of("name", "missing-" + name, "source", "s3://x"))) {
            var response = send("POST", API + "model-versions/create", write(body));
            assertThat(response.statusCode()).as(body.toString()).isBetween(400, 404);
        }
    }

    // ---------------------------------------------------------------- helpers

    private JsonNode createVersion(String name, String source, String runId) {
        var body = new java.util.HashMap<String, Object>(Map.of("name", name, "source", source));
        if (runId != null) {
            body.put("run_id", runId);
        }
        return post("model-versions/create", body).path("model_version");
    }

    private JsonNode resolve(String uri) {
        return getNative("/api/v1/models/resolve?uri=" + enc(uri));
    }

    private JsonNode post(String path, Object body) {
        return json(client.sendPost(path, write(body)));
    }

    private JsonNode get(String pathAndQuery) {
        return json(client.sendGet(pathAndQuery));
    }

    private JsonNode getNative(String path) {
        try {
            var response = send("GET", path, null);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return json(response.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String write(Object body) {
        try {
            return Json.mapper().writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
