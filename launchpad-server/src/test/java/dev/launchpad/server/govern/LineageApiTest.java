package dev.launchpad.server.govern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.json.Json;
import dev.launchpad.inference.model.OnnxTestModels;
import dev.launchpad.platform.TestDirectories;
import dev.launchpad.platform.govern.lineage.OpenLineageExport;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.TestServers;
import dev.launchpad.server.cli.LaunchpadCli;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineageClientUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lineage through a running server: a run logs two datasets over the MLflow API, its model is registered
 * from the run with {@code launchpad models register --run}, the alias "champion" points at it and a
 * deployment follows the alias; then {@code GET /api/v1/lineage}, the OpenLineage export (parsed with the
 * OpenLineage Java client's own model), {@code launchpad lineage}, and the 400/404 answers.
 */
class LineageApiTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Launchpad server;
    private static String runId;

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.start(TestDatabases.newSqliteUrl());
        var experiment = ok(post("/api/2.0/mlflow/experiments/create", "{\"name\":\"fraud-training\"}"))
                .path("experiment_id").asText();
        runId = ok(post("/api/2.0/mlflow/runs/create", "{\"experiment_id\":\"" + experiment + "\",\"run_name\":\"gbm\"}"))
                .path("run").path("info").path("run_id").asText();
        ok(post("/api/2.0/mlflow/runs/log-inputs", "{\"run_id\":\"" + runId + "\",\"datasets\":["
                + dataset("transactions", "9f2c01ab", "s3", "{\\\"uri\\\": \\\"s3://lake/fraud/train.parquet\\\"}",
                "training")
                + "," + dataset("holdout", "77aa0b1c", "local", "{\\\"uri\\\": \\\"file:///data/holdout.csv\\\"}", "eval")
                + "]}"));
        ok(post("/api/2.0/mlflow/runs/update", "{\"run_id\":\"" + runId + "\",\"status\":\"FINISHED\",\"end_time\":"
                + System.currentTimeMillis() + "}"));
        var file = OnnxTestModels.mlp(4, 8, 1).write(TestDirectories.create("lineage-model-").resolve("m.onnx"));
        var err = new StringWriter();
        int code = LaunchpadCli.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                .execute("models", "register", "--name", "fraud", "--file", file.toString(), "--run", runId,
                        "--server", server.url());
        assertThat(code).as(err.toString()).isZero();
        ok(post("/api/2.0/mlflow/registered-models/alias", "{\"name\":\"fraud\",\"alias\":\"champion\",\"version\":\"1\"}"));
        ok(post("/api/v1/deployments", "{\"name\":\"fraud-prod\",\"model\":\"fraud\",\"alias\":\"champion\"}"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String dataset(String name, String digest, String sourceType, String source, String context) {
        return "{\"tags\":[{\"key\":\"mlflow.data.context\",\"value\":\"" + context + "\"}],\"dataset\":{\"name\":\""
                + name + "\",\"digest\":\"" + digest + "\",\"source_type\":\"" + sourceType + "\",\"source\":\""
                + source + "\"}}";
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.mapper().readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        var body = Json.mapper().readTree(response.body());
        assertThat(body.path("error_code").asText()).isEqualTo(code);
        assertThat(body.path("message").asText()).isNotBlank();
    }

    private static List<String> values(JsonNode array, String field) {
        var values = new ArrayList<String>();
        array.forEach(n -> values.add(n.path(field).asText()));
        return values;
    }

    @Test
    void graphOfAVersionRunsFromItsDatasetsToItsDeployment() throws Exception {
        var graph = ok(get("/api/v1/lineage?model=fraud&version=1"));
        var run = "run:" + runId;
        assertThat(graph.path("roots")).hasSize(1);
        assertThat(graph.path("roots").get(0).asText()).isEqualTo("model_version:fraud/1");
        assertThat(graph.path("truncated").asBoolean()).isFalse();
        assertThat(values(graph.path("nodes"), "id")).containsExactlyInAnyOrder("model_version:fraud/1", run,
                "registered_model:fraud", "experiment:1", "dataset:9f2c01ab:transactions", "dataset:77aa0b1c:holdout",
                "deployment:fraud-prod");
        var types = new ArrayList<String>();
        graph.path("nodes").forEach(n -> types.add(n.path("id").asText() + "=" + n.path("type").asText()));
        assertThat(types).contains("model_version:fraud/1=model_version", run + "=run", "deployment:fraud-prod=deployment",
                "dataset:77aa0b1c:holdout=dataset");
        var edges = new ArrayList<String>();
        graph.path("edges").forEach(e -> edges.add(e.path("from").asText() + " " + e.path("relation").asText() + " "
                + e.path("to").asText()));
        assertThat(edges).containsExactlyInAnyOrder(
                "dataset:9f2c01ab:transactions consumed_by " + run,
                "dataset:77aa0b1c:holdout consumed_by " + run,
                "experiment:1 contains " + run,
                run + " produced model_version:fraud/1",
                "registered_model:fraud has_version model_version:fraud/1",
                "model_version:fraud/1 deployed_as deployment:fraud-prod");
        for (var node : graph.path("nodes")) {
            if (node.path("id").asText().equals("model_version:fraud/1")) {
                assertThat(node.path("label").asText()).isEqualTo("fraud v1");
                assertThat(node.path("attributes").path("source").asText()).isEqualTo("runs:/" + runId + "/model");
                assertThat(node.path("attributes").path("aliases").get(0).asText()).isEqualTo("champion");
            }
        }

        // the same graph by alias; from the run and from a digest; one hop
        assertThat(ok(get("/api/v1/lineage?model=fraud&alias=champion"))).isEqualTo(graph);
        assertThat(values(ok(get("/api/v1/lineage?run_id=" + runId)).path("nodes"), "id")).containsExactlyInAnyOrder(
                run, "experiment:1", "dataset:9f2c01ab:transactions", "dataset:77aa0b1c:holdout",
                "model_version:fraud/1", "deployment:fraud-prod");
        assertThat(values(ok(get("/api/v1/lineage?dataset_digest=77aa0b1c")).path("nodes"), "id"))
                .containsExactlyInAnyOrder("dataset:77aa0b1c:holdout", run, "model_version:fraud/1",
                        "deployment:fraud-prod");
        assertThat(values(ok(get("/api/v1/lineage?model=fraud&version=1&depth=1")).path("nodes"), "id"))
                .containsExactlyInAnyOrder("model_version:fraud/1", run, "registered_model:fraud",
                        "deployment:fraud-prod");
    }

    @Test
    void openLineageEventsParseWithTheOpenLineageClient() throws Exception {
        var response = get("/api/v1/lineage/openlineage?model=fraud&version=1&namespace=bank-ml");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/x-ndjson");
        var lines = response.body().lines().toList();
        assertThat(lines).hasSize(2);
        var events = lines.stream().map(OpenLineageClientUtils::runEventFromJson).toList();
        for (var event : events) {
            assertThat(event.getSchemaURL()).isEqualTo(URI.create(OpenLineageExport.RUN_EVENT_SCHEMA));
            assertThat(event.getProducer()).isNotNull();
            assertThat(event.getEventTime()).isNotNull();
            assertThat(event.getRun().getRunId()).isNotNull();
            assertThat(event.getJob().getNamespace()).isEqualTo("bank-ml");
            assertThat(event.getRun().getFacets().getProcessing_engine().getName()).isEqualTo("Launchpad");
        }
        var training = events.get(0);
        assertThat(training.getEventType()).isEqualTo(OpenLineage.RunEvent.EventType.COMPLETE);
        assertThat(training.getRun().getRunId()).isEqualTo(OpenLineageExport.runUuid("run", runId));
        assertThat(training.getJob().getName()).isEqualTo("experiments/fraud-training");
        assertThat(training.getJob().getFacets().getJobType().getProcessingType()).isEqualTo("BATCH");
        assertThat(training.getInputs()).extracting(d -> d.getNamespace() + " " + d.getName())
                .containsExactlyInAnyOrder("s3://lake fraud/train.parquet", "file /data/holdout.csv");
        assertThat(training.getInputs()).extracting(d -> d.getFacets().getVersion().getDatasetVersion())
                .containsExactlyInAnyOrder("9f2c01ab", "77aa0b1c");
        assertThat(training.getInputs()).extracting(d -> d.getFacets().getDataSource().getUri())
                .containsExactlyInAnyOrder(URI.create("s3://lake/fraud/train.parquet"), URI.create("file:///data/holdout.csv"));
        assertThat(training.getOutputs()).extracting(OpenLineage.Dataset::getName).containsExactly("models:/fraud/1");
        assertThat(training.getOutputs().getFirst().getFacets().getVersion().getDatasetVersion()).isEqualTo("1");
        var deployment = events.get(1);
        assertThat(deployment.getEventType()).isEqualTo(OpenLineage.RunEvent.EventType.START);
        assertThat(deployment.getJob().getName()).isEqualTo("deployments/fraud-prod");
        assertThat(deployment.getInputs()).extracting(OpenLineage.Dataset::getName).containsExactly("models:/fraud/1");
        assertThat(deployment.getRun().getRunId()).isNotEqualTo(training.getRun().getRunId());

        // the raw JSON has what the spec requires, facets included (the client's model tolerates gaps)
        for (var line : lines) {
            var event = Json.mapper().readTree(line);
            for (var field : List.of("eventTime", "producer", "schemaURL", "eventType")) {
                assertThat(event.path(field).asText()).as(field).isNotBlank();
            }
            assertThat(UUID.fromString(event.path("run").path("runId").asText())).isNotNull();
            assertThat(event.path("job").path("name").asText()).isNotBlank();
            for (var facets : List.of(event.path("run").path("facets"), event.path("job").path("facets"))) {
                facets.forEach(f -> assertThat(f.path("_producer").asText() + f.path("_schemaURL").asText())
                        .contains("urn:launchpad:", "https://openlineage.io/spec/facets/"));
            }
        }
        // exported twice, the same run ids
        assertThat(get("/api/v1/lineage/openlineage?model=fraud&version=1&namespace=bank-ml").body())
                .isEqualTo(response.body());
    }

    @Test
    void badParametersAre400AndUnknownStarts404() throws Exception {
        assertError(get("/api/v1/lineage"), 400, "INVALID_PARAMETER_VALUE");
        assertError(get("/api/v1/lineage?model=fraud"), 400, "INVALID_PARAMETER_VALUE");
        assertError(get("/api/v1/lineage?model=fraud&version=1&alias=champion"), 400, "INVALID_PARAMETER_VALUE");
        assertError(get("/api/v1/lineage?version=1"), 400, "INVALID_PARAMETER_VALUE");
        assertError(get("/api/v1/lineage?model=fraud&version=abc"), 400, "INVALID_PARAMETER_VALUE");
        assertError(get("/api/v1/lineage?model=fraud&version=1&depth=-1"), 400, "INVALID_PARAMETER_VALUE");
        assertError(get("/api/v1/lineage?model=fraud&version=1&depth=deep"), 400, "INVALID_PARAMETER_VALUE");
        assertError(get("/api/v1/lineage?run_id=..%2F..%2Fetc"), 400, "INVALID_PARAMETER_VALUE");
        assertError(get("/api/v1/lineage/openlineage?model=fraud&version=1&namespace=%20"), 400,
                "INVALID_PARAMETER_VALUE");
        assertError(get("/api/v1/lineage?model=nope&version=1"), 404, "RESOURCE_DOES_NOT_EXIST");
        assertError(get("/api/v1/lineage?model=fraud&version=7"), 404, "RESOURCE_DOES_NOT_EXIST");
        assertError(get("/api/v1/lineage?model=fraud&alias=challenger"), 404, "RESOURCE_DOES_NOT_EXIST");
        assertError(get("/api/v1/lineage?run_id=0123456789abcdef0123456789abcdef"), 404, "RESOURCE_DOES_NOT_EXIST");
        assertError(get("/api/v1/lineage?dataset_digest=deadbeef"), 404, "RESOURCE_DOES_NOT_EXIST");
        assertError(get("/api/v1/lineage/openlineage?model=fraud&version=7"), 404, "RESOURCE_DOES_NOT_EXIST");
    }

    @Test
    void cliPrintsTheGraphOrTheEvents() throws Exception {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = LaunchpadCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("lineage", "--model", "fraud", "--alias", "champion", "--server", server.url());
        assertThat(code).as(err.toString()).isZero();
        assertThat(Json.mapper().readTree(out.toString())).isEqualTo(ok(get("/api/v1/lineage?model=fraud&version=1")));

        out = new StringWriter();
        code = LaunchpadCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("lineage", "--model", "fraud", "--version", "1", "--format", "openlineage", "--server",
                        server.url());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).isEqualTo(get("/api/v1/lineage/openlineage?model=fraud&version=1").body());

        err = new StringWriter();
        code = LaunchpadCli.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                .execute("lineage", "--model", "fraud", "--version", "7", "--server", server.url());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("not found", "RESOURCE_DOES_NOT_EXIST");

        err = new StringWriter();
        code = LaunchpadCli.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                .execute("lineage", "--model", "fraud", "--server", server.url());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--version or --alias");
    }
}
