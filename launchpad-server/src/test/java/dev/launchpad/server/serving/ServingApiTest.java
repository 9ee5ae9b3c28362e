package dev.launchpad.server.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.launchpad.core.json.Json;
import dev.launchpad.inference.model.OnnxTestModels;
import dev.launchpad.platform.TestDirectories;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.ServerConfig;
import dev.launchpad.server.TestServers;
import dev.launchpad.server.cli.LaunchpadCli;
import dev.launchpad.server.oip.grpc.GRPCInferenceServiceGrpc;
import dev.launchpad.server.oip.grpc.InferTensorContents;
import dev.launchpad.server.oip.grpc.ModelInferRequest;
import dev.launchpad.server.oip.grpc.ModelMetadataRequest;
import dev.launchpad.server.oip.grpc.ModelReadyRequest;
import dev.launchpad.server.oip.grpc.ServerLiveRequest;
import dev.launchpad.server.oip.grpc.ServerMetadataRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Serving through a running server: deployments of registered models, the Open Inference Protocol
 * over REST and gRPC (generated stubs), MLflow's scoring protocol, hot swap under load, overload and
 * malformed requests, and the Prometheus metrics.
 */
class ServingApiTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Launchpad server;
    private static ManagedChannel channel;
    private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub grpc;
    private static OnnxTestModels.Mlp mlpV1;
    private static OnnxTestModels.Mlp mlpV2;
    private static OnnxTestModels.Forest forest;

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.startWithGrpc(TestDatabases.newSqliteUrl());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        grpc = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        var dir = TestDirectories.create("serving-models-");
        mlpV1 = OnnxTestModels.mlp(30, 16, 1);
        mlpV2 = OnnxTestModels.mlp(30, 16, 2);
        forest = OnnxTestModels.forest(8, 20, 4, 3);
        register("mlp", mlpV1.write(dir.resolve("mlp1.onnx")));
        register("mlp", mlpV2.write(dir.resolve("mlp2.onnx")));
        register("forest", forest.write(dir.resolve("forest.onnx")));
        post("/api/2.0/mlflow/registered-models/alias", "{\"name\":\"mlp\",\"alias\":\"champion\",\"version\":\"1\"}");
        deploy("{\"name\":\"fraud\",\"model\":\"mlp\",\"alias\":\"champion\"}");
        deploy("{\"name\":\"trees\",\"model\":\"forest\",\"version\":\"1\","
                + "\"batching\":{\"max_batch_size\":256,\"max_queue_delay_microseconds\":500}}");
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    private static void register(String name, Path file) {
        var err = new StringWriter();
        int code = LaunchpadCli.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err))
                .execute("models", "register", "--name", name, "--file", file.toString(), "--signature-from-model",
                        "--server", server.url());
        assertThat(code).as(err.toString()).isZero();
    }

    private static JsonNode deploy(String body) throws Exception {
        var response = send("POST", "/api/v1/deployments", body, "application/json");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.mapper().readTree(response.body());
    }

    // ------------------------------------------------------------------ deployments

    @Test
    void deploymentsAreCreatedListedRetunedAndDeleted() throws Exception {
        var missingAlias = send("POST", "/api/v1/deployments", "{\"name\":\"x\",\"model\":\"mlp\",\"alias\":\"nope\"}",
                "application/json");
        assertError(missingAlias, 404, "RESOURCE_DOES_NOT_EXIST");
        var created = deploy("{\"name\":\"tmp\",\"model\":\"mlp\",\"version\":\"2\",\"description\":\"scratch\"}");
        assertThat(created.path("status").path("state").asText()).isEqualTo("READY");
        assertThat(created.path("status").path("serving_version").asText()).isEqualTo("2");
        assertThat(created.path("model_uri").asText()).isEqualTo("models:/mlp/2");
        assertThat(created.path("batching").path("max_batch_size").asInt()).isEqualTo(64);
        assertError(send("POST", "/api/v1/deployments", "{\"name\":\"tmp\",\"model\":\"mlp\",\"version\":\"1\"}",
                "application/json"), 400, "RESOURCE_ALREADY_EXISTS");

        var list = get("/api/v1/deployments");
        assertThat(list.path("deployments").findValuesAsText("name")).contains("fraud", "tmp", "trees");

        var patched = send("PATCH", "/api/v1/deployments/tmp", "{\"batching\":{\"max_batch_size\":8}}", "application/json");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        var after = Json.mapper().readTree(patched.body());
        assertThat(after.path("batching").path("max_batch_size").asInt()).isEqualTo(8);
        assertThat(after.path("version").asText()).isEqualTo("2");
        assertThat(after.path("description").asText()).isEqualTo("scratch");

        assertError(send("PATCH", "/api/v1/deployments/tmp", "{\"batching\":{\"max_batch_size\":0}}",
                "application/json"), 400, "INVALID_PARAMETER_VALUE");
        assertError(send("PATCH", "/api/v1/deployments/tmp", "{\"batching\":{\"size\":3}}",
                "application/json"), 400, "INVALID_PARAMETER_VALUE");
        assertError(send("POST", "/api/v1/deployments", "{\"name\":\"a b\",\"model\":\"mlp\",\"version\":\"1\"}",
                "application/json"), 400, "INVALID_PARAMETER_VALUE");
        assertError(send("POST", "/api/v1/deployments", "{\"name\":\"v\",\"model\":\"mlp\",\"version\":\"1\",\"alias\":\"champion\"}",
                "application/json"), 400, "INVALID_PARAMETER_VALUE");
        assertError(send("POST", "/api/v1/deployments", "{\"name\":\"v\",\"model\":\"mlp\",\"version\":\"9\"}",
                "application/json"), 404, "RESOURCE_DOES_NOT_EXIST");

        // a version that cannot be loaded is refused, and what was serving keeps serving
        assertThat(send("PUT", "/api/2.0/mlflow-artifacts/artifacts/junk/model.onnx", "not an onnx model",
                "application/octet-stream").statusCode()).isEqualTo(200);
        post("/api/2.0/mlflow/registered-models/create", "{\"name\":\"junk\"}");
        post("/api/2.0/mlflow/model-versions/create", "{\"name\":\"junk\",\"source\":\"mlflow-artifacts:/junk\"}");
        var refused = send("POST", "/api/v1/deployments", "{\"name\":\"junk\",\"model\":\"junk\",\"version\":\"1\"}",
                "application/json");
        assertError(refused, 400, "INVALID_PARAMETER_VALUE");
        assertThat(refused.body()).contains("ONNX Runtime cannot load");
        assertError(send("GET", "/api/v1/deployments/junk", null, null), 404, "RESOURCE_DOES_NOT_EXIST");
        assertThat(get("/v2/health/ready").path("ready").asBoolean()).isTrue();
        assertError(send("PATCH", "/api/v1/deployments/tmp", "{\"model\":\"junk\",\"version\":\"1\"}",
                "application/json"), 400, "INVALID_PARAMETER_VALUE");
        var kept = get("/api/v1/deployments/tmp");
        assertThat(kept.path("model").asText()).isEqualTo("mlp");
        assertThat(kept.path("status").path("serving_version").asText()).isEqualTo("2");
        assertThat(send("POST", "/v2/models/tmp/infer", oipBody(1, null), "application/json").statusCode()).isEqualTo(200);

        assertThat(send("DELETE", "/api/v1/deployments/tmp", null, null).statusCode()).isEqualTo(200);
        assertError(send("GET", "/api/v1/deployments/tmp", null, null), 404, "RESOURCE_DOES_NOT_EXIST");
        assertError(send("POST", "/v2/models/tmp/infer", oipBody(1, null), "application/json"), 404,
                "RESOURCE_DOES_NOT_EXIST");
    }

    // ------------------------------------------------------------------ OIP REST

    @Test
    void oipRestMetadataReadinessAndJsonInference() throws Exception {
        assertThat(get("/v2/health/live").path("live").asBoolean()).isTrue();
        assertThat(get("/v2/health/ready").path("ready").asBoolean()).isTrue();
        assertThat(get("/v2").path("extensions").toString()).contains("binary_tensor_data");
        var meta = get("/v2/models/trees");
        assertThat(meta.path("name").asText()).isEqualTo("trees");
        assertThat(meta.path("versions").get(0).asText()).isEqualTo("1");
        assertThat(meta.path("inputs").get(0).path("name").asText()).isEqualTo("X");
        assertThat(meta.path("inputs").get(0).path("datatype").asText()).isEqualTo("FP32");
        assertThat(meta.path("inputs").get(0).path("shape").toString()).isEqualTo("[-1,8]");
        assertThat(get("/v2/models/trees/versions/1/ready").path("ready").asBoolean()).isTrue();
        assertThat(send("GET", "/v2/models/trees/versions/7/ready", null, null).statusCode()).isEqualTo(503);

        float[] x = rows(5, 8, 42);
        var body = Json.mapper().createObjectNode();
        body.put("id", "req-1");
        var input = body.putArray("inputs").addObject();
        input.put("name", "X").put("datatype", "FP32");
        input.putArray("shape").add(5).add(8);
        var data = input.putArray("data");
        for (int r = 0; r < 5; r++) {           // nested rows, as many clients send them
            var row = data.addArray();
            for (int c = 0; c < 8; c++) {
                row.add(x[r * 8 + c]);
            }
        }
        var response = send("POST", "/v2/models/trees/infer", body.toString(), "application/json");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Request-Id")).contains("req-1");
        var answer = Json.mapper().readTree(response.body());
        assertThat(answer.path("model_name").asText()).isEqualTo("trees");
        assertThat(answer.path("model_version").asText()).isEqualTo("1");
        assertThat(answer.path("id").asText()).isEqualTo("req-1");
        var y = answer.path("outputs").get(0);
        assertThat(y.path("name").asText()).isEqualTo("Y");
        assertThat(y.path("shape").toString()).isEqualTo("[5,1]");
        for (int r = 0; r < 5; r++) {
            assertThat(y.path("data").get(r).asDouble()).isCloseTo(forest.predict(Arrays.copyOfRange(x, r * 8, r * 8 + 8)),
                    within(1e-4));
        }
        // a blank id is no id: serving makes one up, as on gRPC
        body.put("id", "  ");
        var blank = send("POST", "/v2/models/trees/infer", body.toString(), "application/json");
        assertThat(blank.statusCode()).as(blank.body()).isEqualTo(200);
        var madeUp = blank.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(madeUp).isNotBlank();
        assertThat(Json.mapper().readTree(blank.body()).path("id").asText()).isEqualTo(madeUp);
    }

    @Test
    void oipBinaryTensorExtensionBothWays() throws Exception {
        float[] x = rows(3, 30, 7);
        var header = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[3,30],"
                + "\"parameters\":{\"binary_data_size\":" + x.length * 4 + "}}],"
                + "\"outputs\":[{\"name\":\"y\",\"parameters\":{\"binary_data\":true}}]}";
        var headerBytes = header.getBytes(StandardCharsets.UTF_8);
        var buffer = ByteBuffer.allocate(headerBytes.length + x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(headerBytes);
        for (float v : x) {
            buffer.putFloat(v);
        }
        var request = HttpRequest.newBuilder(URI.create(server.url() + "/v2/models/fraud/infer"))
                .header("Content-Type", "application/octet-stream")
                .header("Inference-Header-Content-Length", Integer.toString(headerBytes.length))
                .POST(HttpRequest.BodyPublishers.ofByteArray(buffer.array())).build();
        var response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        int jsonLength = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        var json = Json.mapper().readTree(Arrays.copyOf(response.body(), jsonLength));
        var output = json.path("outputs").get(0);
        assertThat(output.path("parameters").path("binary_data_size").asInt()).isEqualTo(12);
        assertThat(output.has("data")).isFalse();
        var values = ByteBuffer.wrap(response.body(), jsonLength, 12).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < 3; r++) {
            assertThat((double) values.getFloat()).isCloseTo(mlpV1.predict(Arrays.copyOfRange(x, r * 30, r * 30 + 30)),
                    within(1e-5));
        }
    }

    // ------------------------------------------------------------------ MLflow scoring

    @Test
    void mlflowScoringFormatsAllGiveTheSamePredictions() throws Exception {
        float[] x = rows(2, 30, 9);
        double[] expected = {mlpV1.predict(Arrays.copyOfRange(x, 0, 30)), mlpV1.predict(Arrays.copyOfRange(x, 30, 60))};
        var columns = new ArrayList<String>();
        for (int c = 0; c < 30; c++) {
            columns.add("f" + c);
        }
        var split = Json.mapper().createObjectNode();
        var frame = split.putObject("dataframe_split");
        columns.forEach(frame.putArray("columns")::add);
        var rowsNode = frame.putArray("data");
        var records = Json.mapper().createObjectNode();
        var recordList = records.putArray("dataframe_records");
        var instances = Json.mapper().createObjectNode();
        var instanceList = instances.putArray("instances");
        var csv = new StringBuilder(String.join(",", columns)).append('\n');
        for (int r = 0; r < 2; r++) {
            var row = rowsNode.addArray();
            var record = recordList.addObject();
            var instance = instanceList.addArray();
            var line = new ArrayList<String>();
            for (int c = 0; c < 30; c++) {
                row.add(x[r * 30 + c]);
                record.put("f" + c, x[r * 30 + c]);
                instance.add(x[r * 30 + c]);
                line.add(Float.toString(x[r * 30 + c]));
            }
            csv.append(String.join(",", line)).append('\n');
        }
        for (var body : List.of(split.toString(), records.toString())) {
            var predictions = invoke("fraud", body, "application/json");
            assertThat(predictions.get(0).path("y").asDouble()).isCloseTo(expected[0], within(1e-5));
            assertThat(predictions.get(1).path("y").asDouble()).isCloseTo(expected[1], within(1e-5));
        }
        var fromCsv = invoke("fraud", csv.toString(), "text/csv");
        assertThat(fromCsv.get(1).path("y").asDouble()).isCloseTo(expected[1], within(1e-5));
        var fromInstances = invoke("fraud", instances.toString(), "application/json");
        assertThat(fromInstances.path("y").get(0).get(0).asDouble()).isCloseTo(expected[0], within(1e-5));
        var inputs = "{\"inputs\": {\"x\": " + instanceList + "}}";
        assertThat(invoke("fraud", inputs, "application/json").path("y").get(1).get(0).asDouble())
                .isCloseTo(expected[1], within(1e-5));
    }

    @Test
    void mlflowScoringRejectsWhatMlflowRejects() throws Exception {
        var unsupported = send("POST", "/deployments/fraud/invocations", "x", "text/plain");
        assertError(unsupported, 415, "UNSUPPORTED_MEDIA_TYPE");
        assertThat(Json.mapper().readTree(unsupported.body()).path("message").asText()).contains("text/csv");
        assertError(send("POST", "/deployments/fraud/invocations", "{not json", "application/json"), 400, "BAD_REQUEST");
        assertError(send("POST", "/deployments/fraud/invocations", "{\"data\": []}", "application/json"), 400, "BAD_REQUEST");
        assertError(send("POST", "/deployments/fraud/invocations", "{\"instances\": [[1,2]], \"inputs\": [[1]]}",
                "application/json"), 400, "BAD_REQUEST");
        assertError(send("POST", "/deployments/fraud/invocations", "{\"instances\": [[1,2]]}", "application/json"),
                400, "INVALID_PARAMETER_VALUE");
        assertError(send("POST", "/deployments/fraud/invocations", "{\"instances\": [[1,2],[1]]}", "application/json"),
                400, "BAD_REQUEST");
        assertError(send("POST", "/deployments/fraud/invocations", "{\"dataframe_split\": {\"columns\": [\"a\"],"
                + " \"data\": [[\"text\"]]}}", "application/json"), 400, "INVALID_PARAMETER_VALUE");
        assertError(send("POST", "/deployments/fraud/invocations", "a,b\n1", "text/csv"), 400, "BAD_REQUEST");
        assertError(send("POST", "/deployments/nope/invocations", "{\"instances\": [[1]]}", "application/json"), 404,
                "RESOURCE_DOES_NOT_EXIST");
    }

    @Test
    void malformedOipPayloadsAre4xxNeverA5xx() throws Exception {
        var bodies = List.of(
                "", "null", "[]", "{", "{\"inputs\": 3}", "{\"inputs\": []}", "{\"inputs\": [3]}",
                "{\"inputs\": [{}]}",
                "{\"inputs\": [{\"name\": \"x\"}]}",
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\"}]}",
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP99\", \"shape\": [1, 30], \"data\": []}]}",
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 30], \"data\": [1, 2]}]}",
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 30], \"data\": []}]}",
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, \"a\"], \"data\": []}]}",
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 2], \"data\": [\"a\", \"b\"]}]}",
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"INT8\", \"shape\": [1], \"data\": [300]}]}",
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP64\", \"shape\": [1, 30], \"data\": " + zeros(30) + "}]}",
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 29], \"data\": " + zeros(29) + "}]}",
                "{\"inputs\": [{\"name\": \"z\", \"datatype\": \"FP32\", \"shape\": [1, 30], \"data\": " + zeros(30) + "}]}",
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 30], \"data\": " + zeros(30) + "}],"
                        + " \"outputs\": [{\"name\": \"nope\"}]}",
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [100000, 1000000], \"data\": []}]}",
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [4294967296, 4294967296], \"data\": []}]}",
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 30], \"parameters\":"
                        + " {\"binary_data_size\": 120}}]}");
        for (var body : bodies) {
            var response = send("POST", "/v2/models/fraud/infer", body, "application/json");
            assertThat(response.statusCode()).as(body + " → " + response.body()).isBetween(400, 499);
            var error = Json.mapper().readTree(response.body());
            assertThat(error.path("error_code").asText()).as(body).isNotEmpty();
            assertThat(error.path("error").asText()).as(body).isNotEmpty();
        }
        var badHeader = HttpRequest.newBuilder(URI.create(server.url() + "/v2/models/fraud/infer"))
                .header("Inference-Header-Content-Length", "99999")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        assertThat(HTTP.send(badHeader, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
        // a huge BYTES shape with no data must not allocate anything
        var hugeHeader = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"BYTES\",\"shape\":[2000000000],"
                + "\"parameters\":{\"binary_data_size\":0}}]}";
        var huge = HttpRequest.newBuilder(URI.create(server.url() + "/v2/models/fraud/infer"))
                .header("Inference-Header-Content-Length", Integer.toString(hugeHeader.length()))
                .POST(HttpRequest.BodyPublishers.ofString(hugeHeader)).build();
        assertThat(HTTP.send(huge, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
        // an id that would not fit a response header
        assertThat(send("POST", "/v2/models/fraud/infer", oipBody(1, "x".repeat(10_000)), "application/json")
                .statusCode()).isEqualTo(400);
        assertThat(send("POST", "/v2/models/fraud/versions/9/infer", oipBody(1, null), "application/json").statusCode())
                .isEqualTo(404);
    }

    // ------------------------------------------------------------------ gRPC

    @Test
    void grpcInferenceServiceWithGeneratedStubs() {
        assertThat(grpc.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(grpc.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getExtensionsList())
                .contains("binary_tensor_data");
        assertThat(grpc.modelReady(ModelReadyRequest.newBuilder().setName("trees").build()).getReady()).isTrue();
        var meta = grpc.modelMetadata(ModelMetadataRequest.newBuilder().setName("trees").build());
        assertThat(meta.getInputs(0).getShapeList()).containsExactly(-1L, 8L);

        float[] x = rows(4, 8, 5);
        var contents = InferTensorContents.newBuilder();
        for (float v : x) {
            contents.addFp32Contents(v);
        }
        var request = ModelInferRequest.newBuilder().setModelName("trees").setId("g-1")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("X").setDatatype("FP32")
                        .addShape(4).addShape(8).setContents(contents)).build();
        var response = grpc.modelInfer(request);
        assertThat(response.getId()).isEqualTo("g-1");
        assertThat(response.getModelVersion()).isEqualTo("1");
        var y = response.getOutputs(0);
        assertThat(y.getShapeList()).containsExactly(4L, 1L);
        for (int r = 0; r < 4; r++) {
            assertThat((double) y.getContents().getFp32Contents(r))
                    .isCloseTo(forest.predict(Arrays.copyOfRange(x, r * 8, r * 8 + 8)), within(1e-4));
        }

        // raw_input_contents in, raw_output_contents out
        var raw = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : x) {
            raw.putFloat(v);
        }
        var rawResponse = grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("trees")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("X").setDatatype("FP32")
                        .addShape(4).addShape(8))
                .addRawInputContents(ByteString.copyFrom(raw.array())).build());
        var out = rawResponse.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(out.getFloat(0)).isEqualTo(y.getContents().getFp32Contents(0));

        assertGrpcError(() -> grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("nope").addInputs(
                request.getInputs(0)).build()), Status.Code.NOT_FOUND);
        assertGrpcError(() -> grpc.modelInfer(request.toBuilder().setInputs(0, request.getInputs(0).toBuilder()
                .setDatatype("FP64")).build()), Status.Code.INVALID_ARGUMENT);
        assertGrpcError(() -> grpc.modelInfer(request.toBuilder().setInputs(0, request.getInputs(0).toBuilder()
                .clearShape().addShape(3).addShape(8)).build()), Status.Code.INVALID_ARGUMENT);
        assertGrpcError(() -> grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("trees").build()),
                Status.Code.INVALID_ARGUMENT);
        // a shape whose element count overflows, and a value its type cannot hold: refused as on REST
        assertGrpcError(() -> grpc.modelInfer(request.toBuilder().setInputs(0, request.getInputs(0).toBuilder()
                .clearShape().addShape(4_294_967_296L).addShape(4_294_967_296L)).build()), Status.Code.INVALID_ARGUMENT);
        assertThatThrownBy(() -> grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("trees")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("X").setDatatype("INT8").addShape(1)
                        .setContents(InferTensorContents.newBuilder().addIntContents(1000))).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
                        .contains("1000 is out of range for INT8"));
        assertGrpcError(() -> grpc.modelInfer(request.toBuilder().addOutputs(
                ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("nope")).build()),
                Status.Code.INVALID_ARGUMENT);
    }

    // ------------------------------------------------------------------ hot swap

    @Test
    void grpcAnswersUnsignedOutputsInUintContentsAsKServeDefinesThem() throws Exception {
        var file = TestDirectories.create("small-integers-").resolve("small.onnx");
        java.nio.file.Files.write(file, OnnxTestModels.smallIntegers());
        register("small-integers", file);
        deploy("{\"name\":\"small\",\"model\":\"small-integers\",\"version\":\"1\"}");
        var contents = InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(100).addFp32Contents(7);
        var response = grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("small")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype("FP32")
                        .addShape(3).addShape(1).setContents(contents)).build());
        var outputs = new java.util.HashMap<String, dev.launchpad.server.oip.grpc.ModelInferResponse.InferOutputTensor>();
        response.getOutputsList().forEach(o -> outputs.put(o.getName(), o));
        var unsigned = outputs.get("unsigned");
        assertThat(unsigned.getDatatype()).isEqualTo("UINT8");
        assertThat(unsigned.getContents().getUintContentsList()).containsExactly(1, 100, 7);
        assertThat(unsigned.getContents().getIntContentsCount()).isZero();
        var signed = outputs.get("signed");
        assertThat(signed.getDatatype()).isEqualTo("INT8");
        assertThat(signed.getContents().getIntContentsList()).containsExactly(1, 100, 7);
        assertThat(signed.getContents().getUintContentsCount()).isZero();
    }

    @Test
    void aliasMoveHotSwapsUnderLoadWithoutAFailedRequest() throws Exception {
        post("/api/2.0/mlflow/registered-models/alias", "{\"name\":\"mlp\",\"alias\":\"next\",\"version\":\"1\"}");
        deploy("{\"name\":\"swap\",\"model\":\"mlp\",\"alias\":\"next\"}");
        var failures = new CopyOnWriteArrayList<String>();
        var versions = new ConcurrentHashMap<String, AtomicInteger>();
        var running = new AtomicBoolean(true);
        var body = oipBody(2, null);
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 8; c++) {
                clients.submit(() -> {
                    while (running.get()) {
                        try {
                            var response = send("POST", "/v2/models/swap/infer", body, "application/json");
                            if (response.statusCode() != 200) {
                                failures.add(response.statusCode() + " " + response.body());
                            } else {
                                var version = Json.mapper().readTree(response.body()).path("model_version").asText();
                                versions.computeIfAbsent(version, v -> new AtomicInteger()).incrementAndGet();
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                    return null;
                });
            }
            waitFor(() -> versions.getOrDefault("1", new AtomicInteger()).get() > 50);
            post("/api/2.0/mlflow/registered-models/alias", "{\"name\":\"mlp\",\"alias\":\"next\",\"version\":\"2\"}");
            waitFor(() -> versions.getOrDefault("2", new AtomicInteger()).get() > 50);
            running.set(false);
        } finally {
            running.set(false);
            send("DELETE", "/api/v1/deployments/swap", null, null);
        }
        assertThat(failures).isEmpty();
        assertThat(versions.keySet()).containsExactlyInAnyOrder("1", "2");
        assertThat(get("/api/v1/deployments/fraud").path("status").path("serving_version").asText()).isEqualTo("1");
    }

    @Test
    void deploymentsFollowARenamedModelAndKeepWhatTheyServeFromBeingDeleted() throws Exception {
        var dir = TestDirectories.create("renamed-model-");
        register("scorer", mlpV1.write(dir.resolve("scorer1.onnx")));
        register("scorer", mlpV2.write(dir.resolve("scorer2.onnx")));
        post("/api/2.0/mlflow/registered-models/alias", "{\"name\":\"scorer\",\"alias\":\"champion\",\"version\":\"1\"}");
        deploy("{\"name\":\"follows\",\"model\":\"scorer\",\"alias\":\"champion\"}");
        deploy("{\"name\":\"pins\",\"model\":\"scorer\",\"version\":\"1\"}");
        try {
            post("/api/2.0/mlflow/registered-models/rename", "{\"name\":\"scorer\",\"new_name\":\"risk-scorer\"}");
            for (var name : List.of("follows", "pins")) {
                assertThat(get("/api/v1/deployments/" + name).path("model").asText()).isEqualTo("risk-scorer");
            }
            // the alias is followed under the new name: moved, it swaps the deployment to its new version
            post("/api/2.0/mlflow/registered-models/alias",
                    "{\"name\":\"risk-scorer\",\"alias\":\"champion\",\"version\":\"2\"}");
            waitFor(() -> {
                try {
                    return get("/api/v1/deployments/follows").path("status").path("serving_version").asText().equals("2");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(send("POST", "/v2/models/follows/infer", oipBody(2, null), "application/json").statusCode())
                    .isEqualTo(200);

            assertError(send("DELETE", "/api/2.0/mlflow/registered-models/delete", "{\"name\":\"risk-scorer\"}",
                    "application/json"), 400, "INVALID_STATE");
            var version = send("DELETE", "/api/2.0/mlflow/model-versions/delete",
                    "{\"name\":\"risk-scorer\",\"version\":\"1\"}", "application/json");
            assertError(version, 400, "INVALID_STATE");
            assertThat(version.body()).contains("pins").doesNotContain("follows"); // that one serves version 2 now
            assertError(send("DELETE", "/api/2.0/mlflow/registered-models/alias?name=risk-scorer&alias=champion", null,
                    null), 400, "INVALID_STATE");
        } finally {
            send("DELETE", "/api/v1/deployments/follows", null, null);
            send("DELETE", "/api/v1/deployments/pins", null, null);
        }
        var deleted = send("DELETE", "/api/2.0/mlflow/registered-models/delete", "{\"name\":\"risk-scorer\"}",
                "application/json");
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ overload and metrics

    @Test
    void aFullQueueAnswers429WithRetryAfterAndNothingElseFails() throws Exception {
        // a forest big enough that one call on 10 000 rows takes milliseconds, fed binary tensors (no
        // parsing to speak of), all clients released at once: the queue of one must overflow
        var slow = OnnxTestModels.forest(8, 400, 8, 9);
        register("slow-forest", slow.write(TestDirectories.create("slow-").resolve("slow.onnx")));
        deploy("{\"name\":\"tiny\",\"model\":\"slow-forest\",\"version\":\"1\","
                + "\"batching\":{\"max_batch_size\":1,\"max_queue_size\":1}}");
        var statuses = new ConcurrentHashMap<Integer, AtomicInteger>();
        var retryAfter = new AtomicBoolean(true);
        int rows = 10_000;
        float[] x = rows(rows, 8, 1);
        var header = ("{\"inputs\":[{\"name\":\"X\",\"datatype\":\"FP32\",\"shape\":[" + rows + ",8],"
                + "\"parameters\":{\"binary_data_size\":" + x.length * 4 + "}}]}").getBytes(StandardCharsets.UTF_8);
        var body = ByteBuffer.allocate(header.length + x.length * 4).order(ByteOrder.LITTLE_ENDIAN).put(header);
        for (float v : x) {
            body.putFloat(v);
        }
        var request = HttpRequest.newBuilder(URI.create(server.url() + "/v2/models/tiny/infer"))
                .header("Inference-Header-Content-Length", Integer.toString(header.length))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.array())).build();
        var start = new java.util.concurrent.CountDownLatch(1);
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new ArrayList<java.util.concurrent.Future<?>>();
            for (int c = 0; c < 48; c++) {
                futures.add(clients.submit(() -> {
                    start.await();
                    var response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                    statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                    if (response.statusCode() == 429) {
                        retryAfter.compareAndSet(true, response.headers().firstValue("Retry-After").isPresent());
                        assertThat(Json.mapper().readTree(response.body()).path("error_code").asText())
                                .isEqualTo("REQUEST_LIMIT_EXCEEDED");
                    }
                    return null;
                }));
            }
            start.countDown();
            for (var f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            send("DELETE", "/api/v1/deployments/tiny", null, null);
        }
        assertThat(statuses.keySet()).as(statuses.toString()).containsOnly(200, 429);
        assertThat(statuses.get(429).get()).isPositive();
        assertThat(statuses.get(200).get()).isPositive();
        assertThat(retryAfter.get()).isTrue();
    }

    @Test
    void prometheusMetricsCountRequestsBatchesAndQueueDepth() throws Exception {
        // an output the model does not have is the client's error, refused before the model runs
        double ok = requests("trees", "oip", "ok");
        double clientErrors = requests("trees", "oip", "client_error");
        var nope = oipTreesBody().replaceFirst("\\}\\s*$", ", \"outputs\": [{\"name\": \"nope\"}]}");
        assertThat(send("POST", "/v2/models/trees/infer", nope, "application/json").statusCode()).as(nope).isEqualTo(400);
        assertThat(requests("trees", "oip", "ok")).isEqualTo(ok);
        assertThat(requests("trees", "oip", "client_error")).isEqualTo(clientErrors + 1);
        send("POST", "/v2/models/trees/infer", oipTreesBody(), "application/json");
        send("POST", "/v2/models/trees/infer", "{\"inputs\": []}", "application/json");
        var metrics = send("GET", "/metrics", null, null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .containsPattern("launchpad_inference_requests_total\\{[^}]*deployment=\"trees\"[^}]*outcome=\"ok\"[^}]*version=\"1\"[^}]*} [1-9]")
                .contains("launchpad_inference_request_duration_seconds_bucket{")
                .contains("launchpad_inference_batch_size_rows_bucket{")
                .containsPattern("launchpad_inference_queue_depth\\{[^}]*deployment=\"trees\"");
    }

    // ------------------------------------------------------------------ single-model mode

    @Test
    void launchpadServeServesOneModelAsMlflowModelsServeDoes() throws Exception {
        var config = new ServerConfig("127.0.0.1", 0, TestDirectories.create("serve-home-"),
                server.config().databaseUrl(), server.config().artifactRoot(), -1);
        try (var single = Launchpad.serveOne(config, "models:/forest/1")) {
            var ping = HTTP.send(HttpRequest.newBuilder(URI.create(single.url() + "/ping")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ping.statusCode()).isEqualTo(200);
            var version = HTTP.send(HttpRequest.newBuilder(URI.create(single.url() + "/version")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(version.body()).isNotBlank();
            float[] x = rows(1, 8, 77);
            var request = HttpRequest.newBuilder(URI.create(single.url() + "/invocations"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\": [" + Arrays.toString(x) + "]}")).build();
            var response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(Json.mapper().readTree(response.body()).path("predictions").path("Y").get(0).get(0).asDouble())
                    .isCloseTo(forest.predict(x), within(1e-4));
            // the tracking API is not part of single-model mode
            var tracking = HTTP.send(HttpRequest.newBuilder(URI.create(single.url()
                    + "/api/2.0/mlflow/experiments/search")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(tracking.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void launchpadServeFollowsItsAliasNotAStoredDeploymentOfTheSameName() throws Exception {
        post("/api/2.0/mlflow/registered-models/alias", "{\"name\":\"mlp\",\"alias\":\"standalone\",\"version\":\"1\"}");
        deploy("{\"name\":\"mlp\",\"model\":\"forest\",\"version\":\"1\"}"); // named like the model, serving another
        var config = new ServerConfig("127.0.0.1", 0, TestDirectories.create("serve-alias-home-"),
                server.config().databaseUrl(), server.config().artifactRoot(), -1);
        float[] x = rows(1, 30, 78);
        try (var single = Launchpad.serveOne(config, "models:/mlp@standalone")) {
            assertThat(predictOne(single.url(), x)).isCloseTo(mlpV1.predict(x), within(1e-4));
            post("/api/2.0/mlflow/registered-models/alias", "{\"name\":\"mlp\",\"alias\":\"standalone\",\"version\":\"2\"}");
            waitFor(() -> {
                try {
                    return Math.abs(predictOne(single.url(), x) - mlpV2.predict(x)) < 1e-4;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        } finally {
            send("DELETE", "/api/v1/deployments/mlp", null, null);
        }
    }

    /** The one number {@code /invocations} of a single-model server answers for one row. */
    private static double predictOne(String url, float[] row) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url + "/invocations")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\": [" + Arrays.toString(row) + "]}")).build();
        var response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        var node = Json.mapper().readTree(response.body()).path("predictions");
        while (!node.isNumber()) {
            node = node.isArray() ? node.get(0) : node.elements().next();
        }
        return node.asDouble();
    }

    // ------------------------------------------------------------------ helpers

    private static float[] rows(int rows, int width, long seed) {
        var random = new Random(seed);
        var x = new float[rows * width];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    private static String zeros(int n) {
        return Arrays.toString(new float[n]);
    }

    private static String oipBody(int rows, String id) {
        var x = rows(rows, 30, rows);
        return "{" + (id == null ? "" : "\"id\":\"" + id + "\",") + "\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\","
                + "\"shape\":[" + rows + ",30],\"data\":" + Arrays.toString(x) + "}]}";
    }

    private static String oipTreesBody() {
        return "{\"inputs\":[{\"name\":\"X\",\"datatype\":\"FP32\",\"shape\":[1,8],\"data\":" + zeros(8) + "}]}";
    }

    private static JsonNode invoke(String deployment, String body, String contentType) throws Exception {
        var response = send("POST", "/deployments/" + deployment + "/invocations", body, contentType);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.mapper().readTree(response.body()).path("predictions");
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 30 s");
            }
            Thread.sleep(20);
        }
    }

    private static void assertGrpcError(Runnable call, Status.Code code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code));
    }

    private static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(Json.mapper().readTree(response.body()).path("error_code").asText()).isEqualTo(code);
    }

    private static JsonNode get(String path) throws Exception {
        var response = send("GET", path, null, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.mapper().readTree(response.body());
    }

    private static void post(String path, String body) throws Exception {
        var response = send("POST", path, body, "application/json");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    /** The requests counter of a deployment, protocol and outcome, 0 before its first request. */
    private static double requests(String deployment, String protocol, String outcome) throws Exception {
        var m = java.util.regex.Pattern.compile("launchpad_inference_requests_total\\{deployment=\"" + deployment
                + "\",model=\"[^\"]*\",outcome=\"" + outcome + "\",protocol=\"" + protocol + "\",version=\"[^\"]*\"} (\\S+)")
                .matcher(send("GET", "/metrics", null, null).body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static HttpResponse<String> send(String method, String path, String body, String contentType)
            throws Exception {
        var builder = HttpRequest.newBuilder(URI.create(server.url() + path));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }
}
