package dev.launchpad.server.mlflow;

import dev.launchpad.core.json.Json;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.TestHttp;
import dev.launchpad.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With authentication on, MLflow clients upload multipart parts to the URLs the create call answered
 * without sending credentials (as to S3 presigned URLs): the URL's signature is accepted, a changed or
 * missing signature is not, and the upload completes for the editor who started it.
 */
class SignedPartUrlsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Launchpad server;
    private static TestHttp http;
    private static String editor;

    @BeforeAll
    static void start() {
        server = TestServers.startWithAuth(TestDatabases.newSqliteUrl());
        http = new TestHttp(server.url());
        editor = http.user("uploader", "editor", server.firstStartToken().orElseThrow().secret());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> putAnonymously(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void partUrlsCarryTheirOwnPermission() throws Exception {
        var dir = "/api/2.0/mlflow-artifacts/mpu/create/0/r1/artifacts/model";
        var created = http.ok("POST", dir, "{\"path\":\"weights.bin\",\"num_parts\":2}", editor);
        var uploadId = created.path("upload_id").asText();
        var first = created.path("credentials").get(0).path("url").asText();
        var second = created.path("credentials").get(1).path("url").asText();
        assertThat(first).contains("signature=").contains("expires=");

        var tampered = putAnonymously(first.replace("part_number=1", "part_number=2"), "x");
        assertThat(tampered.statusCode()).as(tampered.body()).isEqualTo(403);
        var unsigned = putAnonymously(first.substring(0, first.indexOf("&expires=")), "x");
        assertThat(unsigned.statusCode()).as(unsigned.body()).isEqualTo(401);
        var forged = putAnonymously(first.substring(0, first.indexOf("&signature=")) + "&signature=" + "0".repeat(64), "x");
        assertThat(forged.statusCode()).as(forged.body()).isEqualTo(403);

        var parts = Json.mapper().createArrayNode();
        int number = 1;
        for (var url : new String[] {first, second}) {
            var response = putAnonymously(url, number == 1 ? "hello " : "world");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            parts.addObject().put("part_number", number++).put("etag", response.headers().firstValue("ETag").orElseThrow());
        }
        var complete = Json.mapper().createObjectNode().put("path", "weights.bin").put("upload_id", uploadId);
        complete.set("parts", parts);
        http.fails("POST", dir.replace("create", "complete"), complete.toString(), null, 401, "UNAUTHENTICATED");
        http.ok("POST", dir.replace("create", "complete"), complete.toString(), editor);
        var download = http.send("GET", "/api/2.0/mlflow-artifacts/artifacts/0/r1/artifacts/model/weights.bin", null,
                editor);
        assertThat(download.body()).isEqualTo("hello world");
    }
}
