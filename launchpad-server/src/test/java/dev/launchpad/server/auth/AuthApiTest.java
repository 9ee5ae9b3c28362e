package dev.launchpad.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.govern.access.Permission;
import dev.launchpad.platform.govern.identity.IdentityService;
import dev.launchpad.platform.govern.identity.Role;
import dev.launchpad.platform.monitor.MutableClock;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.server.Launchpad;
import dev.launchpad.server.TestServers;
import dev.launchpad.server.oip.grpc.GRPCInferenceServiceGrpc;
import dev.launchpad.server.oip.grpc.ServerLiveRequest;
import dev.launchpad.server.oip.grpc.ServerMetadataRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.javalin.http.HandlerType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Authentication with real clients against a server started with tokens on: the first-start admin,
 * users and service accounts, Bearer and Basic credentials (the official MLflow Java client with a
 * token and with a password), roles, immediate revocation, expiry, disabled users, gRPC metadata,
 * no token stored in clear, and every route refusing anonymous requests.
 */
class AuthApiTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String PASSWORD = "correct horse battery";
    private static Launchpad server;
    private static String dbUrl;
    private static String admin;

    @BeforeAll
    static void start() throws Exception {
        dbUrl = TestDatabases.newSqliteUrl();
        server = TestServers.startWithAuth(dbUrl);
        admin = server.firstStartToken().orElseThrow().secret();
        assertThat(admin).startsWith("lp_");
        ok(send("POST", "/api/v1/users", "{\"name\":\"vera\",\"role\":\"viewer\",\"password\":\"" + PASSWORD + "\"}", admin));
        ok(send("POST", "/api/v1/users", "{\"name\":\"ed\",\"role\":\"editor\"}", admin));
        ok(send("POST", "/api/v1/users", "{\"name\":\"ci\",\"kind\":\"service\",\"role\":\"editor\"}", admin));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String tokenFor(String user, String asToken, String extra) throws Exception {
        var issued = ok(send("POST", "/api/v1/users/" + user + "/tokens", "{\"name\":\"t\"" + extra + "}", asToken));
        return issued.path("secret").asText();
    }

    @Test
    void theFirstStartCreatesOneAdminAndLaterStartsDoNot() throws Exception {
        var whoami = ok(send("GET", "/api/v1/whoami", null, admin));
        assertThat(whoami.path("name").asText()).isEqualTo("admin");
        assertThat(whoami.path("role").asText()).isEqualTo("admin");
        try (var again = Launchpad.start(server.config().withGrpcPort(-1).withPort(0))) {
            assertThat(again.firstStartToken()).isEmpty();
        }
    }

    @Test
    void requestsWithoutValidCredentialsAre401() throws Exception {
        var anonymous = send("GET", "/api/2.0/mlflow/experiments/search", null, null);
        assertError(anonymous, 401, "UNAUTHENTICATED");
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).isPresent();
        assertError(send("GET", "/api/2.0/mlflow/experiments/search", null, "lp_not-a-real-token-at-all-xx"), 401,
                "UNAUTHENTICATED");
        assertError(sendBasic("GET", "/api/2.0/mlflow/experiments/search", "vera", "wrong password!!"), 401,
                "UNAUTHENTICATED");
        // a change refused before its body arrived is answered, and audited, without waiting for that body
        for (var head : new String[] {"Content-Length: 40", "Content-Length: 40\r\nExpect: 100-continue"}) {
            var uri = URI.create(server.url());
            try (var socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
                socket.setSoTimeout(10_000); // well below the 30 s a read blocked on the body would take
                socket.getOutputStream().write(("POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\n" + head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                var answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
                assertThat(answer).as(head).isEqualTo("HTTP/1.1 401");
            }
        }
        assertThat(send("GET", "/health/live", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v2/health/ready", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void rolesDecideWhatAUserMayDo() throws Exception {
        // a viewer with a password (Basic) reads, searches and predicts, but changes nothing
        assertThat(sendBasic("GET", "/api/2.0/mlflow/experiments/get?experiment_id=0", "vera", PASSWORD).statusCode())
                .isEqualTo(200);
        assertThat(sendBasic("POST", "/api/2.0/mlflow/runs/search", "{\"experiment_ids\":[\"0\"]}", "vera", PASSWORD)
                .statusCode()).isEqualTo(200);
        assertError(sendBasic("POST", "/api/2.0/mlflow/experiments/create", "{\"name\":\"v\"}", "vera", PASSWORD),
                403, "PERMISSION_DENIED");
        // an editor changes things but manages no users
        var ed = tokenFor("ed", admin, "");
        assertThat(send("POST", "/api/2.0/mlflow/experiments/create", "{\"name\":\"by-ed\"}", ed).statusCode()).isEqualTo(200);
        assertError(send("POST", "/api/v1/users", "{\"name\":\"x\"}", ed), 403, "PERMISSION_DENIED");
        assertError(send("GET", "/api/v1/users/vera", null, ed), 403, "PERMISSION_DENIED");
        assertError(send("GET", "/api/v1/audit", null, ed), 403, "PERMISSION_DENIED");
        for (var disguised : new String[] {"/api/v1/%61udit", "/api/v1/audit/", "/api/v1/./audit"}) {
            assertThat(send("GET", disguised, null, ed).statusCode()).as(disguised).isIn(400, 403, 404);
        }
        var audit = ok(send("GET", "/api/v1/audit?actor=ed", null, admin));
        assertThat(audit.toString()).contains("/api/2.0/mlflow/experiments/create");
        // a refusal is recorded with what was asked
        assertThat(audit.path("records")).anySatisfy(r -> {
            assertThat(r.path("action").asText()).isEqualTo("POST /api/v1/users");
            assertThat(r.path("outcome").asInt()).isEqualTo(403);
            assertThat(r.path("request").path("body").path("name").asText()).isEqualTo("x");
        });
        // ... but their own tokens
        assertThat(send("POST", "/api/v1/users/ed/tokens", "{\"name\":\"laptop\"}", ed).statusCode()).isEqualTo(200);
        assertError(send("POST", "/api/v1/users/vera/tokens", "{\"name\":\"steal\"}", ed), 403, "PERMISSION_DENIED");
        // service accounts take tokens, not passwords
        assertError(send("PATCH", "/api/v1/users/ci", "{\"password\":\"a long password 1\"}", admin), 400,
                "INVALID_PARAMETER_VALUE");
        assertError(send("POST", "/api/v1/users", "{\"name\":\"bad\",\"role\":\"overlord\"}", admin), 400,
                "INVALID_PARAMETER_VALUE");
        assertError(send("POST", "/api/v1/users/ed/tokens", "{\"name\":\"t\",\"expires_in_seconds\":9223372036854775807}",
                admin), 400, "INVALID_PARAMETER_VALUE");
    }

    @Test
    void theOfficialMlflowClientWorksWithATokenAndWithAPassword() throws Exception {
        var ci = tokenFor("ci", admin, "");
        var withToken = new MlflowClient(new BasicMlflowHostCreds(server.url(), ci));
        var id = withToken.createExperiment("from-ci");
        assertThat(withToken.getExperiment(id).getName()).isEqualTo("from-ci");
        var withPassword = new MlflowClient(new BasicMlflowHostCreds(server.url(), "vera", PASSWORD));
        assertThat(withPassword.getExperiment(id).getName()).isEqualTo("from-ci");
        var anonymous = new MlflowClient(server.url());
        assertThatThrownBy(() -> anonymous.getExperiment(id)).isInstanceOfSatisfying(MlflowHttpException.class,
                e -> assertThat(e.getStatusCode()).isEqualTo(401));
    }

    @Test
    void revocationAndExpiryTakeEffectAtOnce() throws Exception {
        var issued = ok(send("POST", "/api/v1/users/ed/tokens", "{\"name\":\"short\"}", admin));
        var token = issued.path("secret").asText();
        assertThat(send("GET", "/api/v1/whoami", null, token).statusCode()).isEqualTo(200);
        ok(send("DELETE", "/api/v1/tokens/" + issued.path("token").path("id").asText(), null, token));
        assertError(send("GET", "/api/v1/whoami", null, token), 401, "UNAUTHENTICATED");

        // expiry, on a server of its own whose clock the test moves (not the wall clock, which a loaded machine races)
        var clock = new MutableClock(java.time.Instant.now());
        try (var own = TestServers.startWithAuth(TestDatabases.newSqliteUrl(), clock)) {
            var ownAdmin = own.firstStartToken().orElseThrow().secret();
            var expiring = ok(sendTo(own, "POST", "/api/v1/users/" + own.firstStartToken().orElseThrow().token().userName()
                    + "/tokens", "{\"name\":\"t\",\"expires_in_seconds\":1}", ownAdmin)).path("secret").asText();
            assertThat(sendTo(own, "GET", "/api/v1/whoami", null, expiring).statusCode()).isEqualTo(200);
            clock.advanceSeconds(1);
            assertThat(sendTo(own, "GET", "/api/v1/whoami", null, expiring).statusCode()).isEqualTo(401); // at its end
            assertThat(sendTo(own, "GET", "/api/v1/whoami", null, ownAdmin).statusCode()).isEqualTo(200);
        }

        ok(send("POST", "/api/v1/users", "{\"name\":\"leaver\",\"role\":\"editor\"}", admin));
        var leaver = tokenFor("leaver", admin, "");
        assertThat(send("GET", "/api/v1/whoami", null, leaver).statusCode()).isEqualTo(200);
        ok(send("PATCH", "/api/v1/users/leaver", "{\"disabled\":true}", admin));
        assertError(send("GET", "/api/v1/whoami", null, leaver), 401, "UNAUTHENTICATED");
    }

    @Test
    void noTokenOrPasswordIsStoredOrLoggedInClear() throws Exception {
        var originalErr = System.err;
        var originalOut = System.out;
        var captured = new java.io.ByteArrayOutputStream();
        var tee = new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                originalErr.write(b);
                captured.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                originalErr.write(bytes, offset, length);
                captured.write(bytes, offset, length);
            }
        }, true, StandardCharsets.UTF_8);
        String secret;
        String wrong = "lp_" + "x".repeat(43);
        try {
            System.setErr(tee);
            System.setOut(tee);
            secret = tokenFor("ed", admin, "");
            send("GET", "/api/v1/whoami", null, secret);
            send("GET", "/api/v1/whoami", null, wrong);
            sendBasic("GET", "/api/v1/whoami", "vera", PASSWORD);
            sendBasic("GET", "/api/v1/whoami", "vera", PASSWORD + "-wrong");
            send("PATCH", "/api/v1/users/vera", "{\"password\":\"" + PASSWORD + "\"}", admin);
        } finally {
            System.setErr(originalErr);
            System.setOut(originalOut);
        }
        var logged = captured.toString(StandardCharsets.UTF_8);
        assertThat(logged).doesNotContain(secret.substring(3)).doesNotContain(admin.substring(3))
                .doesNotContain(PASSWORD).doesNotContain(wrong.substring(3));
        try (var connection = DriverManager.getConnection(dbUrl);
             var statement = connection.createStatement()) {
            var tables = new java.util.ArrayList<String>();
            try (var rows = statement.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
            assertThat(tables).contains("users", "api_tokens", "audit_log");
            for (var table : tables) {
                try (var rows = statement.executeQuery("SELECT * FROM \"" + table + "\"")) {
                    var text = new StringBuilder();
                    while (rows.next()) {
                        for (int c = 1; c <= rows.getMetaData().getColumnCount(); c++) {
                            text.append(rows.getString(c)).append('|');
                        }
                    }
                    assertThat(text.toString()).as(table).doesNotContain(admin.substring(3)).doesNotContain(PASSWORD)
                            .doesNotContain(secret.substring(3));
                }
            }
        }
    }

    @Test
    void grpcCallsNeedATokenInTheirMetadata() throws Exception {
        var channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        try {
            var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
            assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
            assertThatThrownBy(() -> stub.serverMetadata(ServerMetadataRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
            var headers = new Metadata();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + admin);
            var authed = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            assertThat(authed.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName()).isEqualTo("launchpad");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyRouteDeclaresWhoMayCallIt() {
        var undeclared = server.routes().stream().filter(r -> r.method().isHttpMethod() && r.access() == null)
                .map(r -> r.method() + " " + r.path()).toList();
        assertThat(undeclared).as("routes without a declared permission").isEmpty();
        var open = server.routes().stream().filter(r -> r.access() instanceof Access.Open)
                .map(r -> r.method() + " " + r.path()).collect(java.util.stream.Collectors.toSet());
        // health probes, and part uploads (their signed URL is the permission)
        assertThat(open).containsExactlyInAnyOrder("GET /health/live", "GET /health/ready", "GET /v2/health/live",
                "GET /v2/health/ready", "PUT /api/2.0/mlflow-artifacts/mpu/upload/<path>",
                "PUT /ajax-api/2.0/mlflow-artifacts/mpu/upload/<path>");
    }

    @Test
    void everyRouteRefusesAnonymousRequests() throws Exception {
        Set<String> open = Set.of("GET /health/live", "GET /health/ready", "GET /v2/health/live", "GET /v2/health/ready");
        int checked = 0;
        for (var route : server.routes()) {
            if (!route.method().isHttpMethod()) {
                continue;
            }
            var key = route.method().name() + " " + route.path();
            var path = route.path().replaceAll("\\{[^}]+}", "x").replaceAll("<[^>]+>", "x");
            var response = send(route.method().name(), path, route.method() == HandlerType.GET ? null : "{}", null);
            if (open.contains(key)) {
                assertThat(response.statusCode()).as(key).isEqualTo(200);
            } else {
                assertThat(response.statusCode()).as(key + " → " + response.body()).isEqualTo(401);
            }
            checked++;
        }
        assertThat(checked).isGreaterThan(80);
    }

    @Test
    void everyRouteThatChangesThingsRefusesAViewer() throws Exception {
        var viewer = tokenFor("vera", admin, "");
        int checked = 0;
        for (var route : server.routes()) {
            var access = route.access();
            boolean needsMore = switch (access) {
                case Access.Global g -> g.role() != Role.VIEWER;
                case Access.OnResource r -> r.permission() != Permission.READ;
                case null, default -> false;
            };
            if (!route.method().isHttpMethod() || !needsMore) {
                continue;
            }
            var key = route.method().name() + " " + route.path();
            // parameters name resources that do not exist, so only the viewer's role decides
            var path = route.path().replaceAll("\\{[^}]+}", "x").replaceAll("<[^>]+>", "x");
            var body = route.method() == HandlerType.GET ? null : "{\"name\":\"x\",\"experiment_id\":\"999\",\"run_id\":\"x\"}";
            var response = send(route.method().name(), path + (route.method() == HandlerType.GET ? "?name=x" : ""),
                    body, viewer);
            assertThat(response.statusCode()).as(key + " (" + access.describe() + ") → " + response.body()).isEqualTo(403);
            checked++;
        }
        assertThat(checked).isGreaterThan(50);
    }

    @Test
    void passwordGuessingIsSlowedDownAndAccountsStayManageable() throws Exception {
        ok(send("POST", "/api/v1/users", "{\"name\":\"guess-me\",\"role\":\"viewer\",\"password\":\"" + PASSWORD + "\"}",
                admin));
        for (int i = 0; i < IdentityService.MAX_FAILURES; i++) {
            assertError(sendBasic("GET", "/api/v1/whoami", "guess-me", "wrong password " + i), 401, "UNAUTHENTICATED");
        }
        // now even the right password is refused for the rest of the minute, without hashing
        assertError(sendBasic("GET", "/api/v1/whoami", "guess-me", PASSWORD), 429, "REQUEST_LIMIT_EXCEEDED");
        // unknown names answer like wrong passwords
        assertError(sendBasic("GET", "/api/v1/whoami", "nobody-here", PASSWORD), 401, "UNAUTHENTICATED");

        // changing your own password needs the current one
        var mine = tokenFor("vera", admin, "");
        assertError(send("PATCH", "/api/v1/users/vera", "{\"password\":\"a brand new password\"}", mine), 400,
                "INVALID_PARAMETER_VALUE");
        assertError(send("PATCH", "/api/v1/users/vera",
                "{\"password\":\"a brand new password\",\"current_password\":\"not it at all\"}", mine), 403,
                "PERMISSION_DENIED");
        ok(send("PATCH", "/api/v1/users/vera", "{\"password\":\"" + PASSWORD + "\",\"current_password\":\"" + PASSWORD
                + "\"}", mine));

        // the last admin can be neither demoted nor disabled
        assertError(send("PATCH", "/api/v1/users/admin", "{\"role\":\"editor\"}", admin), 400, "INVALID_STATE");
        assertError(send("PATCH", "/api/v1/users/admin", "{\"disabled\":true}", admin), 400, "INVALID_STATE");
        ok(send("POST", "/api/v1/users", "{\"name\":\"second-admin\",\"role\":\"admin\"}", admin));
        var second = tokenFor("second-admin", admin, "");
        ok(send("PATCH", "/api/v1/users/second-admin", "{\"disabled\":true}", admin));
        assertError(send("GET", "/api/v1/whoami", null, second), 401, "UNAUTHENTICATED");
    }

    private static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.mapper().readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(Json.mapper().readTree(response.body()).path("error_code").asText()).isEqualTo(code);
    }

    private static HttpResponse<String> sendBasic(String method, String path, String user, String password) throws Exception {
        return sendBasic(method, path, null, user, password);
    }

    private static HttpResponse<String> sendBasic(String method, String path, String body, String user, String password)
            throws Exception {
        var basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return send(method, path, body, basic, true);
    }

    private static HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        return send(method, path, body, token == null ? null : "Bearer " + token, true);
    }

    private static HttpResponse<String> sendTo(Launchpad target, String method, String path, String body, String token)
            throws Exception {
        var builder = HttpRequest.newBuilder(URI.create(target.url() + path)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token);
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(String method, String path, String body, String authorization,
                                             boolean raw) throws Exception {
        var builder = HttpRequest.newBuilder(URI.create(server.url() + path)).header("Content-Type", "application/json");
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }
}
