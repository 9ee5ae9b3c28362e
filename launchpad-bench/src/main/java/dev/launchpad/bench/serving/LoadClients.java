package dev.launchpad.bench.serving;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Closed-loop clients: each sends one request body back to back to whichever of a few URLs is the current target,
 * and the answers (200) and failures are counted per target.
 */
final class LoadClients implements AutoCloseable {
    private static final String CLIENT_PREFIX = "load-client-";
    private static final String HTTP_PREFIX = "load-http-";

    private final ExecutorService httpExecutor;
    private final HttpClient client;
    private final AtomicLongArray answered;
    private final AtomicLongArray errors;
    private final AtomicInteger target = new AtomicInteger();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    /** Starts {@code clients} clients posting {@code body} to {@code path} on {@code urls[0]} until told otherwise. */
    LoadClients(String[] urls, String path, RequestBody body, int clients) {
        var httpThreads = new AtomicInteger();
        httpExecutor = Executors.newFixedThreadPool(4,
                r -> Thread.ofPlatform().name(HTTP_PREFIX + httpThreads.incrementAndGet()).daemon().unstarted(r));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(httpExecutor).build();
        var requests = new HttpRequest[urls.length];
        for (int i = 0; i < urls.length; i++) {
            var request = HttpRequest.newBuilder(URI.create(urls[i] + path));
            body.headers().forEach(request::header);
            requests[i] = request.POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes())).build();
        }
        answered = new AtomicLongArray(urls.length);
        errors = new AtomicLongArray(urls.length);
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().name(CLIENT_PREFIX + c).daemon().start(() -> {
                while (!stop.get()) {
                    int t = target.get();
                    try {
                        int status = client.send(requests[t], HttpResponse.BodyHandlers.ofByteArray()).statusCode();
                        (status == 200 ? answered : errors).incrementAndGet(t);
                    } catch (Exception e) {
                        errors.incrementAndGet(t);
                    }
                }
            }));
        }
    }

    /** Sends the requests that start from now on to {@code urls[t]}. */
    void target(int t) {
        target.set(t);
    }

    /** Requests {@code urls[t]} has answered with 200 so far. */
    long answered(int t) {
        return answered.get(t);
    }

    /** Requests to {@code urls[t]} that failed (another status, or no answer) so far. */
    long failed(int t) {
        return errors.get(t);
    }

    /** Stops the clients once their requests under way are answered. */
    void stop() throws InterruptedException {
        stop.set(true);
        for (var t : threads) {
            t.join(10_000);
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            stop();
        } finally {
            httpExecutor.shutdownNow();
            client.close();
        }
    }
}
