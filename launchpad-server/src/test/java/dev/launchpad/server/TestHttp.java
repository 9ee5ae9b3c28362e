package dev.launchpad.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** A JSON-over-HTTP client for tests that act as different users (Bearer tokens) against one server. */
public record TestHttp(String baseUrl) {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Sends {@code body} (null for none) as {@code token}'s bearer (null: no credentials). */
    public HttpResponse<String> send(String method, String path, String body, String token) {
        var builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Content-Type", "application/json");
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** PUTs raw bytes (an artifact) as {@code token}. */
    public HttpResponse<String> putBytes(String path, byte[] bytes, String token) {
        var builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The JSON answer of a request that must succeed. */
    public JsonNode ok(String method, String path, String body, String token) {
        var response = send(method, path, body, token);
        assertThat(response.statusCode()).as(method + " " + path + " → " + response.body()).isEqualTo(200);
        return parse(response.body());
    }

    /** Asserts that the request fails with {@code status} and MLflow error code {@code code}; returns the message. */
    public String fails(String method, String path, String body, String token, int status, String code) {
        var response = send(method, path, body, token);
        assertThat(response.statusCode()).as(method + " " + path + " → " + response.body()).isEqualTo(status);
        var error = parse(response.body());
        assertThat(error.path("error_code").asText()).as(response.body()).isEqualTo(code);
        return error.path("message").asText();
    }

    /** A fresh token for {@code user}, issued by {@code adminToken}. */
    public String tokenFor(String user, String adminToken) {
        return ok("POST", "/api/v1/users/" + user + "/tokens", "{\"name\":\"test\"}", adminToken).path("secret").asText();
    }

    /** Creates a user with {@code role} and returns a token for them. */
    public String user(String name, String role, String adminToken) {
        ok("POST", "/api/v1/users", "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}", adminToken);
        return tokenFor(name, adminToken);
    }

    private static JsonNode parse(String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
