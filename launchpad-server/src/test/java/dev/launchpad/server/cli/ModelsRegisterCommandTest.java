package dev.launchpad.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.json.Json;
import dev.launchpad.inference.model.ModelPackage;
import dev.launchpad.inference.model.OnnxSignatures;
import dev.launchpad.inference.model.OnnxTestModels;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code launchpad models register} against a running server: package, upload, register, print the URI. */
class ModelsRegisterCommandTest {
    private static Launchpad server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = TestServers.start(TestDatabases.newSqliteUrl());
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
    void registersAnOnnxFileWithTheSignatureFromTheGraph(@TempDir Path dir) throws Exception {
        var model = OnnxTestModels.writeLinearRegression(dir.resolve("fraud.onnx"), new float[] {0.5f, -1f, 2f}, 0.1f);
        var first = cli("models", "register", "--name", "fraud", "--file", model.toString(), "--signature-from-model",
                "--server", server.url());
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out().strip()).isEqualTo("models:/fraud/1");
        var second = cli("models", "register", "--name", "fraud", "--file", model.toString(), "--server", server.url());
        assertThat(second.out().strip()).isEqualTo("models:/fraud/2");

        var location = get("/api/2.0/mlflow/model-versions/get-download-uri?name=fraud&version=1")
                .path("artifact_uri").asText();
        assertThat(location).startsWith("mlflow-artifacts:/registry/fraud/");
        var dirPath = location.substring("mlflow-artifacts:/".length());
        var descriptor = ModelPackage.read(download(dirPath + "/MLmodel"));
        assertThat(descriptor.onnxModelFile()).contains("model.onnx");
        assertThat(descriptor.signature()).contains(OnnxSignatures.infer(model));
        assertThat(downloadBytes(dirPath + "/model.onnx")).isEqualTo(Files.readAllBytes(model));

        // without --signature-from-model the package carries no signature
        var plain = get("/api/2.0/mlflow/model-versions/get-download-uri?name=fraud&version=2").path("artifact_uri")
                .asText().substring("mlflow-artifacts:/".length());
        assertThat(ModelPackage.read(download(plain + "/MLmodel")).signature()).isEmpty();
    }

    @Test
    void referenceDataBecomesTheNewVersionsBaseline(@TempDir Path dir) throws Exception {
        var model = OnnxTestModels.writeLinearRegression(dir.resolve("m.onnx"), new float[] {1f, 2f}, 0f);
        var csv = Files.writeString(dir.resolve("train.csv"), "x_0,x_1\n1,2\n3,4\n5,6\n");
        var result = cli("models", "register", "--name", "with-baseline", "--file", model.toString(),
                "--reference-data", csv.toString(), "--server", server.url());
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.err()).contains("baseline: 3 rows, 2 columns");
        var baseline = get("/api/v1/models/with-baseline/versions/1/baseline");
        assertThat(baseline.path("rows").asLong()).isEqualTo(3);

        // Parquet reference data, through monitor baseline
        var schema = org.apache.parquet.schema.MessageTypeParser.parseMessageType(
                "message t { required double x_0; required double x_1; }");
        var parquet = dir.resolve("train.parquet");
        try (var writer = blue.strategic.parquet.ParquetWriter.writeFile(schema, parquet.toFile(),
                (double[] row, blue.strategic.parquet.ValueWriter out) -> {
                    out.write("x_0", row[0]);
                    out.write("x_1", row[1]);
                })) {
            for (int i = 0; i < 50; i++) {
                writer.write(new double[] {i, -i});
            }
        }
        var fromParquet = cli("monitor", "baseline", "--model", "with-baseline", "--version", "1", "--data",
                parquet.toString(), "--server", server.url());
        assertThat(fromParquet.code()).as(fromParquet.err()).isZero();
        assertThat(fromParquet.out()).contains("50 rows, 2 columns (parquet)");

        // a malformed file: the version is registered, the command says the baseline was refused and fails
        var ragged = Files.writeString(dir.resolve("bad.csv"), "a,b\n1\n");
        var refused = cli("models", "register", "--name", "with-baseline", "--file", model.toString(),
                "--reference-data", ragged.toString(), "--server", server.url());
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.out().strip()).isEqualTo("models:/with-baseline/2");
        assertThat(refused.err()).contains("baseline was refused", "fields");
        assertThat(cli("models", "register", "--name", "x", "--file", model.toString(), "--reference-data",
                dir.resolve("missing.csv").toString(), "--server", server.url()).code()).isEqualTo(2);
        // a directory (as Spark writes a dataset) is named as one, not as a missing file
        var sparkOutput = Files.createDirectories(dir.resolve("spark-output.parquet"));
        var directory = cli("monitor", "baseline", "--model", "with-baseline", "--version", "1", "--data",
                sparkOutput.toString(), "--server", server.url());
        assertThat(directory.code()).isEqualTo(2);
        assertThat(directory.err()).contains("is a directory");
        // more than the server takes: refused before anything is registered or sent
        var huge = dir.resolve("huge.csv");
        try (var file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength((2L << 30) + 1); // sparse: no disk used
        }
        var tooLarge = cli("models", "register", "--name", "too-large", "--file", model.toString(), "--reference-data",
                huge.toString(), "--server", server.url());
        assertThat(tooLarge.code()).isEqualTo(2);
        assertThat(tooLarge.err()).contains("of at most " + (2L << 30));
        assertThat(tooLarge.out()).isEmpty(); // no version registered
    }

    @Test
    void monitoringCommandsAnswerAnUnreachableServerWithOneLine() {
        for (var args : new String[][] {{"alerts", "list"}, {"alerts", "incidents"}, {"alerts", "ack", "1"},
                {"monitor", "status", "--deployment", "d"}, {"monitor", "run", "--deployment", "d"}}) {
            var all = new java.util.ArrayList<>(java.util.List.of(args));
            all.addAll(java.util.List.of("--server", "http://127.0.0.1:1"));
            var result = cli(all.toArray(String[]::new));
            assertThat(result.code()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(result.err()).as(String.join(" ", args)).startsWith("Error: cannot reach the Launchpad server")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void registersAModelOfARunWithItsLineage(@TempDir Path dir) throws Exception {
        var run = post("/api/2.0/mlflow/runs/create", "{\"experiment_id\": \"0\", \"user_id\": \"dana\"}")
                .path("run").path("info");
        var runId = run.path("run_id").asText();
        var model = OnnxTestModels.writeLinearRegression(dir.resolve("m.onnx"), new float[] {1f}, 0f);
        var result = cli("models", "register", "--name", "churn-cli", "--file", model.toString(), "--run", runId,
                "--signature-from-model", "--server", server.url());
        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out().strip()).isEqualTo("models:/churn-cli/1");
        var version = get("/api/2.0/mlflow/model-versions/get?name=churn-cli&version=1").path("model_version");
        assertThat(version.path("source").asText()).isEqualTo("runs:/" + runId + "/model");
        assertThat(version.path("run_id").asText()).isEqualTo(runId);
        assertThat(version.path("user_id").asText()).isEqualTo("dana");
        var listing = get("/api/2.0/mlflow/artifacts/list?run_id=" + runId + "&path=model");
        assertThat(listing.path("files").findValuesAsText("path")).contains("model/MLmodel", "model/model.onnx");
    }

    @Test
    void badInputIsAClearErrorWithANonZeroExit(@TempDir Path dir) throws Exception {
        var missing = cli("models", "register", "--name", "x", "--file", dir.resolve("none.onnx").toString(),
                "--server", server.url());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("cannot read model file");

        var junk = Files.writeString(dir.resolve("junk.onnx"), "not a model");
        var notModel = cli("models", "register", "--name", "x", "--file", junk.toString(), "--server", server.url());
        assertThat(notModel.code()).isEqualTo(2);
        assertThat(notModel.err()).contains("is not an ONNX model");

        var model = OnnxTestModels.writeLinearRegression(dir.resolve("m.onnx"), new float[] {1f}, 0f);
        var badName = cli("models", "register", "--name", "a/b", "--file", model.toString(), "--server", server.url());
        assertThat(badName.code()).isEqualTo(2);

        var unknownRun = cli("models", "register", "--name", "x", "--file", model.toString(), "--run",
                "0123456789abcdef0123456789abcdef", "--server", server.url());
        assertThat(unknownRun.code()).isEqualTo(1);
        assertThat(unknownRun.err()).contains("Run '0123456789abcdef0123456789abcdef' not found");

        var noServer = cli("models", "register", "--name", "x", "--file", model.toString(), "--server",
                "http://127.0.0.1:1");
        assertThat(noServer.code()).isEqualTo(1);
        assertThat(noServer.err()).contains("cannot reach");

        assertThat(cli("models", "register", "--file", model.toString()).code()).isEqualTo(2);
    }

    private static JsonNode get(String path) throws Exception {
        var response = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.mapper().readTree(response.body());
    }

    private static JsonNode post(String path, String body) throws Exception {
        var response = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.mapper().readTree(response.body());
    }

    private static String download(String artifactPath) throws Exception {
        return new String(downloadBytes(artifactPath), StandardCharsets.UTF_8);
    }

    private static byte[] downloadBytes(String artifactPath) throws Exception {
        var response = HTTP.send(HttpRequest.newBuilder(URI.create(server.url()
                + "/api/2.0/mlflow-artifacts/artifacts/" + artifactPath)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
