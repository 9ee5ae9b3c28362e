package dev.launchpad.server.http;

import dev.launchpad.core.error.LaunchpadException;
import io.javalin.http.HandlerType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An endpoint that refuses a request before reading its body (an unknown model version, a full disk) must still get
 * its answer to the client: the body still on its way is read and dropped, and the connection stays usable, instead
 * of closing under bytes that reset it and lose the answer.
 */
class EarlyErrorTest {
    private static HttpServer server;

    @BeforeAll
    static void start() {
        server = HttpServer.start("127.0.0.1", 0, List.of(new ApiRoute(HandlerType.PUT, "/refuse", ctx -> {
            throw LaunchpadException.invalid("refused before the body was read");
        })));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aChunkedBodyArrivingAfterTheRefusalKeepsTheAnswerAndTheConnection() throws Exception {
        try (var socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            var out = socket.getOutputStream();
            out.write(("PUT /refuse HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/csv\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(100); // the handler refuses while the body is still to come
            out.write("8\r\na,b\n1,2\n\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            var first = readResponse(socket.getInputStream());
            assertThat(first).startsWith("HTTP/1.1 400").contains("refused before the body was read");
            assertThat(first.toLowerCase(Locale.ROOT)).doesNotContain("connection: close");
            // the same connection answers the next request
            out.write("PUT /refuse HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 400");
        }
    }

    @Test
    void aClientThatStopsSendingToWaitForTheAnswerGetsIt() throws Exception {
        assertThat(answerTo("PUT /refuse HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/csv\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n8\r\na,b\n1,2\n\r\n")).startsWith("HTTP/1.1 400");
    }

    @Test
    void aClientThatStopsPartWayThroughADeclaredBodyGetsItsAnswer() throws Exception {
        assertThat(answerTo("PUT /refuse HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000\r\n\r\n{\"a\":")).startsWith("HTTP/1.1 400");
    }

    @Test
    void aRequestWithoutABodyIsAnsweredAtOnce() throws Exception {
        try (var socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            long started = System.nanoTime();
            for (int i = 0; i < 5; i++) { // a body waited for would take 2 s each
                socket.getOutputStream().write("GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 404");
            }
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(5));
        }
    }

    @Test
    void aClientWaitingFor100ContinueIsAnsweredWithoutSendingItsBody() throws Exception {
        assertThat(answerTo("PUT /refuse HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000000\r\n"
                + "Expect: 100-continue\r\n\r\n")).startsWith("HTTP/1.1 400"); // not 100 Continue
    }

    /**
     * The answer to {@code request} sent on a connection of its own, which then sends nothing more; within 10 s, well
     * below the 30 s a read blocked on the rest of a body would wait.
     */
    private static String answerTo(String request) throws Exception {
        try (var socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readResponse(socket.getInputStream());
        }
    }

    /** One response: its head, a blank line, and the body its Content-Length declares. */
    private static String readResponse(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed after: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (var line : text.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
