package dev.launchpad.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A server started as a child process ({@code launchpad server --port 0}): its address is read from the line it
 * prints once it listens, not chosen beforehand, so no other process (nor a probe connecting to itself) can take the
 * port in between.
 */
public final class ServerProcesses {
    private static final Pattern RUNNING_AT = Pattern.compile("is running at (http://\\S+)");

    private ServerProcesses() {
    }

    /** The server's base URL once it answers {@code /health/live}; fails if it exits or is not up within a minute. */
    public static String awaitUrl(Process process, Path log) throws Exception {
        try (var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            return awaitUrl(process, log, http);
        }
    }

    private static String awaitUrl(Process process, Path log, HttpClient http) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the server exited: " + Files.readString(log));
            }
            var running = RUNNING_AT.matcher(Files.readString(log));
            if (running.find()) {
                var url = running.group(1);
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create(url + "/health/live")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return url;
                    }
                } catch (IOException notYet) {
                    // printed, and not answering yet
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the server did not come up: " + Files.readString(log));
    }
}
