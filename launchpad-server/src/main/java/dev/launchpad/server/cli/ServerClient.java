package dev.launchpad.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.json.Json;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** The CLI's HTTP client for a Launchpad server: JSON calls and streamed artifact uploads. */
final class ServerClient {
    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final String authorization;

    ServerClient(String baseUrl) {
        this(baseUrl, defaultAuthorization(System.getenv()));
    }

    /**
     * A client sending {@code authorization} (an Authorization header value, or null) with every request; a
     * {@link BadServerUrl} unless {@code baseUrl} is an http(s) URL with a host.
     */
    ServerClient(String baseUrl, String authorization) {
        checkUrl(baseUrl);
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = authorization;
    }

    private static void checkUrl(String url) {
        boolean ok;
        try {
            var uri = new URI(url);
            ok = ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null && uri.getRawQuery() == null && uri.getRawFragment() == null
                    && uri.getPort() >= -1 && uri.getPort() <= 65_535;
        } catch (java.net.URISyntaxException e) {
            ok = false;
        }
        if (!ok) {
            throw new BadServerUrl("the server URL (--server, $LAUNCHPAD_URL or $MLFLOW_TRACKING_URI) must be an http"
                    + " or https URL such as http://localhost:8080, got '" + url + "'");
        }
    }

    /** A server URL the client cannot use; the command line reports it in one line (exit code 2). */
    static final class BadServerUrl extends IllegalArgumentException {
        BadServerUrl(String message) {
            super(message);
        }
    }

    /**
     * Credentials from the environment, as MLflow clients take them: $LAUNCHPAD_TOKEN or
     * $MLFLOW_TRACKING_TOKEN as a Bearer token, else $MLFLOW_TRACKING_USERNAME and $MLFLOW_TRACKING_PASSWORD
     * as Basic credentials; null when none are set.
     */
    static String defaultAuthorization(java.util.Map<String, String> env) {
        for (var name : new String[] {"LAUNCHPAD_TOKEN", "MLFLOW_TRACKING_TOKEN"}) {
            var token = env.get(name);
            if (token != null && !token.isBlank()) {
                return "Bearer " + token.strip();
            }
        }
        var user = env.get("MLFLOW_TRACKING_USERNAME");
        var password = env.get("MLFLOW_TRACKING_PASSWORD");
        if (user != null && password != null) {
            return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    /** The server URL: {@code --server}, else $LAUNCHPAD_URL, else an http(s) $MLFLOW_TRACKING_URI, else localhost:8080. */
    static String defaultUrl() {
        var launchpad = System.getenv("LAUNCHPAD_URL");
        if (launchpad != null && !launchpad.isBlank()) {
            return launchpad;
        }
        var mlflow = System.getenv("MLFLOW_TRACKING_URI");
        if (mlflow != null && mlflow.startsWith("http")) {
            return mlflow;
        }
        return "http://127.0.0.1:8080";
    }

    JsonNode get(String path) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    JsonNode post(String path, Object body) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(body))).build());
    }

    /** Streams a file to the artifact proxy at {@code artifactPath} (segments are URL-encoded here). */
    void upload(String artifactPath, Path file) throws IOException {
        send(HttpRequest.newBuilder(uri("/api/2.0/mlflow-artifacts/artifacts/" + encodePath(artifactPath)))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofFile(file)).build());
    }

    void upload(String artifactPath, byte[] content) throws IOException {
        send(HttpRequest.newBuilder(uri("/api/2.0/mlflow-artifacts/artifacts/" + encodePath(artifactPath)))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build());
    }

    /** PUTs a file as {@code contentType} to a JSON endpoint. */
    /** The media type of a reference data file by its name (.csv or .parquet), or null. */
    static String referenceDataType(Path file) {
        var name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(".csv") ? "text/csv" : name.endsWith(".parquet") ? "application/vnd.apache.parquet" : null;
    }

    /**
     * Why the server would refuse {@code file} as a baseline before reading it (more than it takes), or null. Said
     * here, since the server's answer would be lost under the upload still going. {@code asProfile}: sent as a
     * profile (one that is a Parquet file is reference data all the same).
     */
    static String tooLargeForBaseline(Path file, boolean asProfile) throws IOException {
        long size = java.nio.file.Files.size(file);
        boolean profile = asProfile && !dev.launchpad.platform.monitor.Baselines.isParquet(file);
        long limit = profile ? dev.launchpad.server.monitor.MonitorApi.MAX_PROFILE_BYTES
                : dev.launchpad.server.monitor.MonitorApi.MAX_REFERENCE_BYTES;
        if (size <= limit) {
            return null;
        }
        return file + " has " + size + " bytes; the server takes " + (profile ? "a profile of at most " + limit + "."
                : "reference data of at most " + limit + ": profile larger data with the stats library's DatasetProfile"
                + " and give it to launchpad monitor baseline --profile.");
    }

    JsonNode putFile(String path, String contentType, Path file) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofFile(file)).build());
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodePath(String path) {
        var parts = path.split("/");
        var out = new StringBuilder();
        for (var part : parts) {
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(encode(part));
        }
        return out.toString();
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    /** How long a call other than an upload may wait for the server's answer (a hung server ends the command). */
    private static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(5);

    /** GETs a path whose answer is text rather than one JSON document (lineage events are JSON lines). */
    String getText(String path) throws IOException {
        return exchange(HttpRequest.newBuilder(uri(path)).GET().build()).body();
    }

    private JsonNode send(HttpRequest unauthenticated) throws IOException {
        var response = exchange(unauthenticated);
        var body = json(response.body());
        if (!response.body().isBlank() && (body == null || !body.isContainerNode())) {
            throw new ServerError(response.statusCode(), "", "the server at " + baseUrl + " answered HTTP "
                    + response.statusCode() + " with something that is not JSON (is it a Launchpad server?): "
                    + shortened(response.body()));
        }
        return body == null ? Json.mapper().createObjectNode() : body;
    }

    /** The body parsed as JSON, or null when it is empty or not JSON. */
    private static JsonNode json(String body) {
        if (body.isEmpty()) {
            return null;
        }
        try {
            return Json.mapper().readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    /**
     * Sends a request with the credentials, and a time limit unless it is an upload; a redirect (not followed) or an
     * error status is a {@link ServerError}, an unreachable or silent server an IOException saying so.
     */
    private HttpResponse<String> exchange(HttpRequest unauthenticated) throws IOException {
        var builder = HttpRequest.newBuilder(unauthenticated, (name, value) -> true);
        if (authorization != null) {
            try {
                builder.header("Authorization", authorization);
            } catch (IllegalArgumentException e) { // a control character in a pasted token
                throw new IOException("the token or password in the environment ($LAUNCHPAD_TOKEN,"
                        + " $MLFLOW_TRACKING_TOKEN, $MLFLOW_TRACKING_PASSWORD) holds a character an HTTP header cannot carry");
            }
        }
        if (unauthenticated.timeout().isEmpty() && !unauthenticated.method().equals("PUT")) {
            builder.timeout(ANSWER_TIMEOUT);
        }
        var request = builder.build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new IOException("cannot reach the Launchpad server at " + baseUrl
                    + " (start one with 'launchpad server', or pass --server)");
        } catch (java.net.http.HttpConnectTimeoutException e) {
            throw new IOException("cannot connect to the Launchpad server at " + baseUrl + " (no answer within 10 s)");
        } catch (java.net.http.HttpTimeoutException e) {
            throw new IOException("the Launchpad server at " + baseUrl + " did not answer within "
                    + ANSWER_TIMEOUT.toMinutes() + " minutes");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (IllegalArgumentException e) { // what the client refuses to send at all
            throw new IOException("cannot send the request to " + baseUrl + ": " + e.getMessage());
        }
        int status = response.statusCode();
        if (status / 100 == 3) {
            // not followed: a proxy sending http to https, or a wrong path; the command must not pass for done
            throw new ServerError(status, "", "HTTP " + status + " redirect to "
                    + response.headers().firstValue("Location").orElse("(no location)") + "; pass that server with --server");
        }
        if (status >= 400) {
            var body = json(response.body());
            throw new ServerError(status, body == null ? "" : body.path("error_code").asText(""),
                    body != null && body.hasNonNull("message") ? body.path("message").asText()
                            : "HTTP " + status + (response.body().isBlank() ? "" : ": " + shortened(response.body())));
        }
        return response;
    }

    /** A raw answer's first line, at most 200 characters (an HTML error page is not printed whole). */
    private static String shortened(String body) {
        var line = body.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    /** What a monitoring subcommand asks of the server and prints. */
    interface Call {
        void run(ServerClient client, java.io.PrintWriter out) throws IOException;
    }

    /**
     * Runs {@code call} against {@code server} (or the default URL): 0 when it answered, 1 with a one-line
     * "Error: ..." for an error answer or an unreachable server — never a stack trace.
     */
    static int answer(picocli.CommandLine.Model.CommandSpec spec, String server, Call call) {
        try {
            call.run(new ServerClient(server != null ? server : defaultUrl()), spec.commandLine().getOut());
            return 0;
        } catch (IOException e) {
            spec.commandLine().getErr().println("Error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        }
    }

    /** An error answer from the server, with its status and MLflow error code. */
    static final class ServerError extends IOException {
        final int status;
        final String errorCode;

        ServerError(int status, String errorCode, String message) {
            super(message + (errorCode.isEmpty() ? "" : " (" + errorCode + ")"));
            this.status = status;
            this.errorCode = errorCode;
        }
    }
}
