package dev.launchpad.server.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CLI's calls pass for done only when a Launchpad server answered them with JSON. */
class ServerClientTest {
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/redirect", exchange -> {
            exchange.getResponseHeaders().add("Location", "https://launchpad.example/api/v1/incidents/12/acknowledge");
            exchange.sendResponseHeaders(301, -1);
            exchange.close();
        });
        server.createContext("/html", exchange -> reply(exchange, 200, "<html><body>Welcome to nginx!</body></html>"));
        server.createContext("/text", exchange -> reply(exchange, 200, "200 OK"));
        server.createContext("/bad-gateway", exchange -> reply(exchange, 502, "<html>\n<h1>502 Bad Gateway</h1></html>"));
        server.createContext("/empty", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext("/json-error", exchange -> reply(exchange, 400,
                "{\"error_code\":\"INVALID_STATE\",\"message\":\"Incident 12 is resolved.\"}"));
        server.start();
    }

    private static void reply(com.sun.net.httpserver.HttpExchange exchange, int status, String body) throws java.io.IOException {
        var bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void redirectsAndAnswersThatAreNotJsonAreErrorsThatSayWhatCame() throws Exception {
        var client = new ServerClient("http://127.0.0.1:" + server.getAddress().getPort());
        assertThatThrownBy(() -> client.post("/redirect", java.util.Map.of())).hasMessageContaining("HTTP 301 redirect to")
                .hasMessageContaining("https://launchpad.example");
        assertThatThrownBy(() -> client.get("/html")).hasMessageContaining("HTTP 200")
                .hasMessageContaining("not JSON").hasMessageContaining("Welcome to nginx");
        assertThatThrownBy(() -> client.get("/text")).hasMessageContaining("not JSON"); // a number, to a lenient parser
        assertThatThrownBy(() -> client.get("/bad-gateway")).hasMessage("HTTP 502: <html>");
        assertThatThrownBy(() -> client.get("/json-error")).hasMessage("Incident 12 is resolved. (INVALID_STATE)");
        assertThat(client.get("/empty").isEmpty()).isTrue();
        // a token pasted with a line break is named, not thrown as an IllegalArgumentException
        var pasted = new ServerClient("http://127.0.0.1:" + server.getAddress().getPort(), "Bearer lp_abc\nxyz");
        assertThatThrownBy(() -> pasted.get("/empty")).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("holds a character an HTTP header cannot carry");
    }
}
