package dev.launchpad.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.server.Launchpad;
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
 * PostgreSQL cannot store a NUL character in text (SQLite can): a request that carries one in a value the
 * server stores or queries by is the client's error, answered 400, not 500.
 */
class UnstorableTextTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Launchpad server;

    @BeforeAll
    static void start() {
        server = TestServers.start(TestDatabases.newPostgresUrl());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> send(String method, String path, String json) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(server.url() + path)).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aNulCharacterIsTheClientsError() throws Exception {
        for (var call : new String[][] {
                {"GET", "/api/v1/alerts?deployment=a%00b", null},
                {"GET", "/api/v1/incidents?deployment=%00", null},
                {"POST", "/api/v1/alert-rules", "{\"name\":\"r\",\"deployment\":\"a\\u0000b\",\"check\":\"*\"}"},
                {"POST", "/api/2.0/mlflow/experiments/create", "{\"name\":\"exp\\u0000\"}"}}) {
            var answer = send(call[0], call[1], call[2]);
            assertThat(answer.statusCode()).as(call[1] + ": " + answer.body()).isEqualTo(400);
            JsonNode body = Json.mapper().readTree(answer.body());
            assertThat(body.path("error_code").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
        }
        // where nothing checked the value before the database did, the answer says why
        var experiment = send("POST", "/api/2.0/mlflow/experiments/create", "{\"name\":\"another\\u0000\"}");
        assertThat(experiment.body()).contains("NUL");
        // the same requests without it are fine
        assertThat(send("GET", "/api/v1/alerts?deployment=ab", null).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/api/2.0/mlflow/experiments/create", "{\"name\":\"exp\"}").statusCode()).isEqualTo(200);
    }
}
