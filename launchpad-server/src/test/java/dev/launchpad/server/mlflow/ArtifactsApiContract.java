package dev.launchpad.server.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.json.Json;
import dev.launchpad.server.Launchpad;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MLflow's artifact proxy over HTTP against a real server, with {@link java.net.http.HttpClient}:
 * uploads, downloads, listings, deletes, multipart uploads, a run's artifact listing, the 4xx
 * answers to bad input and the 500 DATA_LOSS answer to a corrupted file. Subclasses pick the store.
 */
abstract class ArtifactsApiContract {
    static final String API = "/api/2.0/mlflow-artifacts/artifacts/";
    final HttpClient http = HttpClient.newHttpClient();
    Launchpad server;

    abstract Launchpad startServer();

    /** Damages the stored bytes of an artifact behind the server's back. */
    abstract void flipAByte(String path, int offset) throws Exception;

    @BeforeEach
    void start() {
        server = startServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static byte[] randomBytes(int size, long seed) {
        var bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    HttpResponse<byte[]> send(String method, String path, byte[] body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> put(String path, byte[] body) throws Exception {
        return send("PUT", path, body);
    }

    HttpResponse<byte[]> get(String path) throws Exception {
        return send("GET", path, null);
    }

    HttpResponse<byte[]> postJson(String path, String json) throws Exception {
        return send("POST", path, json.getBytes());
    }

    static JsonNode json(HttpResponse<byte[]> response) throws Exception {
        return Json.mapper().readTree(response.body());
    }

    static void assertError(HttpResponse<byte[]> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(status);
        assertThat(json(response).path("error_code").asText()).as(new String(response.body())).isEqualTo(code);
    }

    @Test
    void filesGoUpAndComeBackByteForByte() throws Exception {
        for (var size : List.of(0, 1, 65_536, 1_000_003)) {
            var bytes = randomBytes(size, size);
            var path = "exp/run/artifacts/file-" + size + ".bin";
            var up = put(API + path, bytes);
            assertThat(up.statusCode()).as(new String(up.body())).isEqualTo(200);
            assertThat(json(up).isObject()).isTrue();

            var down = get(API + path);
            assertThat(down.statusCode()).isEqualTo(200);
            assertThat(down.headers().firstValue("Content-Type")).contains("application/octet-stream");
            assertThat(down.headers().firstValueAsLong("Content-Length")).hasValue(size);
            assertThat(down.body()).isEqualTo(bytes);
            assertThat(server.artifacts().info(path).orElseThrow().sha256()).isEqualTo(sha256(bytes));
        }
    }

    @Test
    void bodiesOverTheJsonLimitStreamThrough() throws Exception {
        var bytes = randomBytes(40 * 1024 * 1024 + 5, 40);
        var up = put(API + "big/over-32-mib.bin", bytes);
        assertThat(up.statusCode()).as(new String(up.body())).isEqualTo(200);
        var down = get(API + "big/over-32-mib.bin");
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(sha256(down.body())).isEqualTo(sha256(bytes));
    }

    @Test
    void listingsAnswerNamesRelativeToTheListedDirectory() throws Exception {
        put(API + "1/r/artifacts/model/MLmodel", "flavors: {}".getBytes());
        put(API + "1/r/artifacts/metrics.json", "{}".getBytes());
        put(API + "1/r/artifacts/a%20b.txt", "spaced".getBytes());

        var listing = json(get("/api/2.0/mlflow-artifacts/artifacts?path=1/r/artifacts"));
        assertThat(listing.toString()).isEqualTo("{\"files\":["
                + "{\"path\":\"a b.txt\",\"is_dir\":false,\"file_size\":6},"
                + "{\"path\":\"metrics.json\",\"is_dir\":false,\"file_size\":2},"
                + "{\"path\":\"model\",\"is_dir\":true}]}");
        assertThat(json(get("/api/2.0/mlflow-artifacts/artifacts")).toString())
                .isEqualTo("{\"files\":[{\"path\":\"1\",\"is_dir\":true}]}");
        assertThat(json(get("/api/2.0/mlflow-artifacts/artifacts?path=1/r/artifacts/model")).toString())
                .isEqualTo("{\"files\":[{\"path\":\"MLmodel\",\"is_dir\":false,\"file_size\":11}]}");
        assertThat(json(get("/api/2.0/mlflow-artifacts/artifacts?path=nothing/here")).toString())
                .isEqualTo("{\"files\":[]}");
        assertThat(get(API + "1/r/artifacts/a%20b.txt").body()).isEqualTo("spaced".getBytes());
    }

    @Test
    void deleteRemovesFilesAndDirectories() throws Exception {
        put(API + "d/keep.txt", "k".getBytes());
        put(API + "d/sub/x.txt", "x".getBytes());
        put(API + "d/sub/y/z.txt", "z".getBytes());
        var deleted = send("DELETE", API + "d/sub", null);
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(json(get("/api/2.0/mlflow-artifacts/artifacts?path=d")).toString())
                .isEqualTo("{\"files\":[{\"path\":\"keep.txt\",\"is_dir\":false,\"file_size\":1}]}");
        assertError(get(API + "d/sub/y/z.txt"), 404, "RESOURCE_DOES_NOT_EXIST");
        assertThat(send("DELETE", API + "d/keep.txt", null).statusCode()).isEqualTo(200);
        assertThat(send("DELETE", API + "d/keep.txt", null).statusCode()).isEqualTo(200);
    }

    @Test
    void theAjaxPrefixServesTheSameStore() throws Exception {
        assertThat(put("/ajax-api/2.0/mlflow-artifacts/artifacts/ajax/x.txt", "via ajax".getBytes()).statusCode())
                .isEqualTo(200);
        assertThat(get(API + "ajax/x.txt").body()).isEqualTo("via ajax".getBytes());
        assertThat(json(get("/ajax-api/2.0/mlflow-artifacts/artifacts?path=ajax")).path("files")).hasSize(1);
    }

    @Test
    void multipartUploadAsTheMlflowClientDoesIt() throws Exception {
        var parts = List.of(randomBytes(5 * 1024 * 1024, 1), randomBytes(5 * 1024 * 1024, 2), randomBytes(777, 3));
        var create = postJson("/api/2.0/mlflow-artifacts/mpu/create/7/run/artifacts/model",
                "{\"path\": \"/home/me/out/weights.bin\", \"num_parts\": 3}");
        assertThat(create.statusCode()).as(new String(create.body())).isEqualTo(200);
        var created = json(create);
        var uploadId = created.path("upload_id").asText();
        assertThat(uploadId).isNotEmpty();
        assertThat(created.path("credentials")).hasSize(3);

        var completeParts = Json.mapper().createArrayNode();
        // parts may arrive in any order
        for (int i : new int[] {2, 0, 1}) {
            var credential = created.path("credentials").get(i);
            assertThat(credential.path("part_number").asInt()).isEqualTo(i + 1);
            var url = credential.path("url").asText();
            assertThat(url).startsWith(server.url() + "/api/2.0/mlflow-artifacts/mpu/upload/7/run/artifacts/model/weights.bin?");
            var response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(parts.get(i))).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(200);
            var etag = response.headers().firstValue("ETag").orElseThrow();
            completeParts.addObject().put("part_number", i + 1).put("etag", etag);
        }
        var body = Json.mapper().createObjectNode().put("path", "/home/me/out/weights.bin").put("upload_id", uploadId);
        body.set("parts", completeParts);
        var complete = postJson("/api/2.0/mlflow-artifacts/mpu/complete/7/run/artifacts/model", body.toString());
        assertThat(complete.statusCode()).as(new String(complete.body())).isEqualTo(200);

        var whole = new ByteArrayOutputStream();
        for (var part : parts) {
            whole.write(part);
        }
        var down = get(API + "7/run/artifacts/model/weights.bin");
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(sha256(down.body())).isEqualTo(sha256(whole.toByteArray()));
        assertThat(server.artifacts().info("7/run/artifacts/model/weights.bin").orElseThrow().sha256())
                .isEqualTo(sha256(whole.toByteArray()));
    }

    @Test
    void abortedMultipartUploadsLeaveNothing() throws Exception {
        var created = json(postJson("/ajax-api/2.0/mlflow-artifacts/mpu/create/x", "{\"path\": \"f.bin\", \"num_parts\": 1}"));
        var uploadId = created.path("upload_id").asText();
        assertThat(created.path("credentials").get(0).path("url").asText()).contains("/ajax-api/2.0/mlflow-artifacts/mpu/upload/x/f.bin");
        var abort = postJson("/api/2.0/mlflow-artifacts/mpu/abort/x",
                "{\"path\": \"f.bin\", \"upload_id\": \"" + uploadId + "\"}");
        assertThat(abort.statusCode()).as(new String(abort.body())).isEqualTo(200);
        var partUrl = created.path("credentials").get(0).path("url").asText().substring(server.url().length());
        assertError(put(partUrl, "late".getBytes()), 404, "RESOURCE_DOES_NOT_EXIST");
        // without authentication (this server), unsigned part URLs are accepted too
        assertError(put("/api/2.0/mlflow-artifacts/mpu/upload/x/f.bin?upload_id=" + uploadId + "&part_number=1",
                "unsigned".getBytes()), 404, "RESOURCE_DOES_NOT_EXIST");
        assertThat(json(get("/api/2.0/mlflow-artifacts/artifacts?path=x")).path("files")).isEmpty();
    }

    @Test
    void aRunsArtifactsAreListedRelativeToItsRoot() throws Exception {
        var run = json(postJson("/api/2.0/mlflow/runs/create", "{\"experiment_id\": \"0\"}")).path("run").path("info");
        var runId = run.path("run_id").asText();
        var root = run.path("artifact_uri").asText();
        assertThat(root).isEqualTo("mlflow-artifacts:/0/" + runId + "/artifacts");
        var storePath = root.substring("mlflow-artifacts:/".length());
        put(API + storePath + "/model/MLmodel", "m".getBytes());
        put(API + storePath + "/model/model.onnx", "onnx".getBytes());
        put(API + storePath + "/plot.png", "png".getBytes());

        var listing = json(get("/api/2.0/mlflow/artifacts/list?run_id=" + runId));
        assertThat(listing.path("root_uri").asText()).isEqualTo(root);
        assertThat(listing.path("files").toString()).isEqualTo("[{\"path\":\"model\",\"is_dir\":true},"
                + "{\"path\":\"plot.png\",\"is_dir\":false,\"file_size\":3}]");
        var model = json(get("/ajax-api/2.0/mlflow/artifacts/list?run_uuid=" + runId + "&path=model"));
        assertThat(model.path("files").toString()).isEqualTo("[{\"path\":\"model/MLmodel\",\"is_dir\":false,\"file_size\":1},"
                + "{\"path\":\"model/model.onnx\",\"is_dir\":false,\"file_size\":4}]");

        assertError(get("/api/2.0/mlflow/artifacts/list?run_id=nope"), 404, "RESOURCE_DOES_NOT_EXIST");
        assertError(get("/api/2.0/mlflow/artifacts/list"), 400, "INVALID_PARAMETER_VALUE");
        assertError(get("/api/2.0/mlflow/artifacts/list?run_id=" + runId + "&path=../../other"), 400,
                "INVALID_PARAMETER_VALUE");
    }

    @Test
    void badInputIsA4xxNeverA5xx() throws Exception {
        assertError(get("/api/2.0/mlflow-artifacts/artifacts?path=../etc"), 400, "INVALID_PARAMETER_VALUE");
        assertError(get("/api/2.0/mlflow-artifacts/artifacts?path=/etc"), 400, "INVALID_PARAMETER_VALUE");
        assertError(put(API + "a%5Cb.txt", "x".getBytes()), 400, "INVALID_PARAMETER_VALUE");
        assertError(put(API + "a/.launchpad-tmp/x", "x".getBytes()), 400, "INVALID_PARAMETER_VALUE");
        assertError(get(API + "never/stored.bin"), 404, "RESOURCE_DOES_NOT_EXIST");
        for (var traversal : List.of("..%2F..%2Fetc%2Fpasswd", "%2E%2E/%2E%2E/etc/passwd", "a/%2e%2e/%2e%2e/x",
                "../../../etc/passwd")) {
            var response = put(API + traversal, "evil".getBytes());
            assertThat(response.statusCode()).as(traversal + ": " + new String(response.body())).isBetween(400, 499);
            assertThat(get(API + traversal).statusCode()).as(traversal).isBetween(400, 499);
        }

        assertError(postJson("/api/2.0/mlflow-artifacts/mpu/create/x", "{\"num_parts\": 2}"), 400, "INVALID_PARAMETER_VALUE");
        assertError(postJson("/api/2.0/mlflow-artifacts/mpu/create/x", "{\"path\": \"f\", \"num_parts\": 0}"), 400,
                "INVALID_PARAMETER_VALUE");
        assertError(postJson("/api/2.0/mlflow-artifacts/mpu/create/x", "{\"path\": \"f\", \"num_parts\": 10001}"), 400,
                "INVALID_PARAMETER_VALUE");
        for (var traversal : List.of("../x", "a%2F..%2F..%2Fx", "%2E%2E")) {
            var response = postJson("/api/2.0/mlflow-artifacts/mpu/create/" + traversal, "{\"path\": \"f\", \"num_parts\": 1}");
            assertThat(response.statusCode()).as(traversal + ": " + new String(response.body())).isBetween(400, 499);
        }
        assertError(postJson("/api/2.0/mlflow-artifacts/mpu/create/x", "{\"path\": \"../..\", \"num_parts\": 1}"), 400,
                "INVALID_PARAMETER_VALUE");
        assertError(postJson("/api/2.0/mlflow-artifacts/mpu/create/x", "not json"), 400, "MALFORMED_REQUEST");

        var uploadId = json(postJson("/api/2.0/mlflow-artifacts/mpu/create/x", "{\"path\": \"f.bin\", \"num_parts\": 1}"))
                .path("upload_id").asText();
        var partUrl = "/api/2.0/mlflow-artifacts/mpu/upload/x/f.bin?upload_id=" + uploadId;
        assertError(put(partUrl + "&part_number=abc", "x".getBytes()), 400, "INVALID_PARAMETER_VALUE");
        assertError(put(partUrl + "&part_number=0", "x".getBytes()), 400, "INVALID_PARAMETER_VALUE");
        assertError(put(partUrl + "&part_number=10001", "x".getBytes()), 400, "INVALID_PARAMETER_VALUE");
        assertError(put(partUrl, "x".getBytes()), 400, "INVALID_PARAMETER_VALUE");
        assertError(put("/api/2.0/mlflow-artifacts/mpu/upload/x/f.bin?part_number=1", "x".getBytes()), 400,
                "INVALID_PARAMETER_VALUE");
        assertError(put("/api/2.0/mlflow-artifacts/mpu/upload/x/f.bin?upload_id=ffffffffffffffffffffffffffffffff&part_number=1",
                "x".getBytes()), 404, "RESOURCE_DOES_NOT_EXIST");
        assertError(put("/api/2.0/mlflow-artifacts/mpu/upload/y/other.bin?upload_id=" + uploadId + "&part_number=1",
                "x".getBytes()), 400, "INVALID_PARAMETER_VALUE");
        var etag = put(partUrl + "&part_number=1", "x".getBytes()).headers().firstValue("ETag").orElseThrow();

        assertError(postJson("/api/2.0/mlflow-artifacts/mpu/complete/x", "{\"path\": \"f.bin\", \"upload_id\": \"nope\","
                + " \"parts\": [{\"part_number\": 1, \"etag\": " + Json.mapper().writeValueAsString(etag) + "}]}"),
                404, "RESOURCE_DOES_NOT_EXIST");
        assertError(postJson("/api/2.0/mlflow-artifacts/mpu/complete/x", "{\"path\": \"f.bin\", \"upload_id\": \""
                + uploadId + "\", \"parts\": []}"), 400, "INVALID_PARAMETER_VALUE");
        assertError(postJson("/api/2.0/mlflow-artifacts/mpu/complete/x", "{\"path\": \"f.bin\", \"upload_id\": \""
                + uploadId + "\", \"parts\": [{\"part_number\": 1, \"etag\": \"\\\"bad\\\"\"}]}"), 400, "INVALID_PARAMETER_VALUE");
        assertError(postJson("/api/2.0/mlflow-artifacts/mpu/complete/x", "{\"path\": \"f.bin\", \"upload_id\": \""
                + uploadId + "\", \"parts\": [{\"etag\": \"x\"}]}"), 400, "INVALID_PARAMETER_VALUE");
        assertError(postJson("/api/2.0/mlflow-artifacts/mpu/complete/elsewhere", "{\"path\": \"f.bin\", \"upload_id\": \""
                + uploadId + "\", \"parts\": [{\"part_number\": 1, \"etag\": \"x\"}]}"), 400, "INVALID_PARAMETER_VALUE");
        assertError(postJson("/api/2.0/mlflow-artifacts/mpu/abort/x", "{\"path\": \"f.bin\"}"), 400, "INVALID_PARAMETER_VALUE");
        // after all that, the upload still completes
        var complete = postJson("/api/2.0/mlflow-artifacts/mpu/complete/x", "{\"path\": \"f.bin\", \"upload_id\": \""
                + uploadId + "\", \"parts\": [{\"part_number\": 1, \"etag\": " + Json.mapper().writeValueAsString(etag) + "}]}");
        assertThat(complete.statusCode()).as(new String(complete.body())).isEqualTo(200);
        assertThat(get(API + "x/f.bin").body()).isEqualTo("x".getBytes());
    }

    @Test
    void aCorruptedFileIsA500DataLossAndNotABadDownload() throws Exception {
        var bytes = randomBytes(200_000, 9);
        put(API + "models/m/model.onnx", bytes);
        flipAByte("models/m/model.onnx", 123_456);
        var response = get(API + "models/m/model.onnx");
        assertError(response, 500, "DATA_LOSS");
        assertThat(json(response).path("message").asText()).contains("'models/m/model.onnx'", "corrupted", sha256(bytes));
    }
}
