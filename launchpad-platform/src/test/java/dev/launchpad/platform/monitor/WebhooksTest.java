package dev.launchpad.platform.monitor;

import com.sun.net.httpserver.HttpServer;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.TestDatabases;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Webhook delivery: a receiver that is down or stalls delays only itself; retries last about a day; redelivery. */
class WebhooksTest {
    private static final long T0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();

    private static HttpServer receiver(com.sun.net.httpserver.HttpHandler handler) throws Exception {
        var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", handler);
        server.start();
        return server;
    }

    private static String url(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @org.junit.jupiter.api.Test
    void theLogShowsWhereAWebhookPointsButNotTheCredentialsItsUrlCarries() {
        assertThat(Webhooks.origin("https://hooks.slack.com/services/T000/B000/XXXXSECRET"))
                .isEqualTo("https://hooks.slack.com/…");
        assertThat(Webhooks.origin("https://ops:hunter2@alerts.example.com:8443/hook?token=abc"))
                .isEqualTo("https://alerts.example.com:8443/…");
        assertThat(Webhooks.origin("http://127.0.0.1:9000/")).isEqualTo("http://127.0.0.1:9000/");
        assertThat(Webhooks.origin("http://receiver")).isEqualTo("http://receiver/");
        assertThat(Webhooks.origin("not a url")).doesNotContain("not a url");
    }

    private static final java.util.concurrent.atomic.AtomicLong RESULT_IDS = new java.util.concurrent.atomic.AtomicLong();

    /** One alert (of a result of its own), queued for every enabled webhook. */
    private static void fire(Alerts alerts, long at) {
        var result = new CheckResult("latency", CheckResult.Status.BREACH, 2_000.0, 1_000.0, List.of(),
                Json.mapper().createObjectNode());
        assertThat(alerts.onResults("fraud", List.of(new MonitorService.StoredResult(RESULT_IDS.incrementAndGet(),
                "fraud", at - 60_000, at, result, at)))).hasSize(1);
    }

    private static Alerts alerts(Database db, MutableClock clock) {
        var alerts = new Alerts(db, clock);
        alerts.rules().forEach(r -> alerts.setRuleEnabled(r.id(), false));
        alerts.createRule("slow", "fraud", "latency", "critical", 0);
        return alerts;
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aReceiverThatStallsItsAnswerDelaysOnlyItself(TestDatabases.Backend backend) throws Exception {
        var clock = new MutableClock(Instant.ofEpochMilli(T0));
        var release = new CountDownLatch(1);
        // answers its headers, then never finishes the body (until the test ends)
        var stalledAt = new CompletableFuture<Long>();
        var stalling = receiver(exchange -> {
            exchange.getRequestBody().readAllBytes();
            stalledAt.complete(System.nanoTime());
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write('{');
            exchange.getResponseBody().flush();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        var got = new CompletableFuture<Long>();
        var healthy = receiver(exchange -> {
            exchange.getRequestBody().readAllBytes();
            got.complete(System.nanoTime());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var alerts = alerts(db, clock);
            var webhooks = new Webhooks(db, clock, Duration.ofSeconds(2), Duration.ofSeconds(8));
            var slow = webhooks.create(url(stalling), null).webhook(); // created first: its delivery comes first
            var fine = webhooks.create(url(healthy), null).webhook();
            fire(alerts, T0);

            long start = System.nanoTime();
            var attempted = new CompletableFuture<Integer>();
            Thread.ofPlatform().start(() -> attempted.complete(webhooks.deliverDue()));
            long delivered = got.get(30, TimeUnit.SECONDS);
            // the healthy receiver got its alert well before the stalled answer's 8 s ran out, not after them
            assertThat(Duration.ofNanos(delivered - stalledAt.get(30, TimeUnit.SECONDS))).isLessThan(Duration.ofSeconds(7));
            assertThat(attempted.get(30, TimeUnit.SECONDS)).isEqualTo(2); // the stalled one timed out in the end
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(30));

            assertThat(webhooks.deliveries(fine.id(), null, 100)).singleElement()
                    .satisfies(d -> assertThat(d.status()).as(String.valueOf(d.lastError())).isEqualTo("delivered"));
            assertThat(webhooks.deliveries(slow.id(), null, 100)).singleElement().satisfies(d -> {
                assertThat(d.status()).isEqualTo("pending");
                assertThat(d.attempts()).isEqualTo(1);
                assertThat(d.lastError()).contains("no complete answer within 8000 ms");
                assertThat(d.nextAttemptAt()).isEqualTo(T0 + 2_000);
            });
        } finally {
            release.countDown();
            stalling.stop(0);
            healthy.stop(0);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void retriesLastAboutADayAndAFailedDeliveryCanBeSentAgain(TestDatabases.Backend backend) throws Exception {
        var clock = new MutableClock(Instant.ofEpochMilli(T0));
        var up = new AtomicBoolean(false);
        var calls = new AtomicInteger();
        var receiver = receiver(exchange -> {
            exchange.getRequestBody().readAllBytes();
            calls.incrementAndGet();
            exchange.sendResponseHeaders(up.get() ? 204 : 503, -1);
            exchange.close();
        });
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var alerts = alerts(db, clock);
            var webhooks = new Webhooks(db, clock, Duration.ofSeconds(2));
            var hook = webhooks.create(url(receiver), null).webhook();
            fire(alerts, T0);

            // every attempt fails; each next one is made as soon as it is due
            for (int i = 1; i <= Webhooks.MAX_ATTEMPTS; i++) {
                assertThat(webhooks.deliverDue()).as("attempt " + i).isEqualTo(1);
                var d = webhooks.deliveries(hook.id(), null, 100).getFirst();
                assertThat(d.attempts()).isEqualTo(i);
                assertThat(d.nextAttemptAt() - clock.millis()).isLessThanOrEqualTo(3_600_000); // waits up to an hour
                if (i < Webhooks.MAX_ATTEMPTS) {
                    clock.set(Instant.ofEpochMilli(d.nextAttemptAt()));
                }
            }
            var failed = webhooks.deliveries(hook.id(), null, 100).getFirst();
            assertThat(failed.status()).isEqualTo("failed");
            assertThat(failed.lastError()).isEqualTo("HTTP 503");
            assertThat(Duration.ofMillis(clock.millis() - T0)).isBetween(Duration.ofHours(24), Duration.ofHours(26));
            clock.set(Instant.ofEpochMilli(clock.millis() + 3 * 3_600_000L));
            assertThat(webhooks.deliverDue()).isZero(); // given up
            assertThat(calls.get()).isEqualTo(Webhooks.MAX_ATTEMPTS);

            // the receiver is back: the failed delivery is sent again, from its first attempt on
            up.set(true);
            var again = webhooks.redeliver(hook.id(), failed.id());
            assertThat(again.status()).isEqualTo("pending");
            assertThat(again.attempts()).isZero();
            assertThatThrownBy(() -> webhooks.redeliver(hook.id(), failed.id())).isInstanceOf(LaunchpadException.class)
                    .hasMessageContaining("still pending");
            assertThat(webhooks.deliverDue()).isEqualTo(1);
            assertThat(webhooks.deliveries(hook.id(), null, 100)).singleElement().satisfies(d -> {
                assertThat(d.status()).isEqualTo("delivered");
                assertThat(d.attempts()).isEqualTo(1);
            });

            // ids that do not belong together, or to anything, are not found
            var other = webhooks.create(url(receiver), null).webhook();
            assertThatThrownBy(() -> webhooks.redeliver(other.id(), failed.id())).isInstanceOf(LaunchpadException.class)
                    .hasMessageContaining("has no delivery");
            assertThatThrownBy(() -> webhooks.deliveries(other.id() + 100, null, 100)).isInstanceOf(LaunchpadException.class)
                    .hasMessageContaining("No webhook");
        } finally {
            receiver.stop(0);
        }
    }
    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aReceiverThatCannotBeReachedIsTriedOncePerBackoffNotOncePerDelivery(TestDatabases.Backend backend)
            throws Exception {
        var clock = new MutableClock(Instant.ofEpochMilli(T0));
        int port;
        try (var closed = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort(); // nothing listens there once it is closed
        }
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var alerts = alerts(db, clock);
            var webhooks = new Webhooks(db, clock, Duration.ofSeconds(2));
            var hook = webhooks.create("http://127.0.0.1:" + port + "/", null).webhook();
            for (int i = 0; i < 3; i++) {
                fire(alerts, T0 - (2 - i) * 60_000L); // three spans' alerts
            }
            assertThat(webhooks.deliverDue()).isEqualTo(1); // the first fails to connect; the others wait for it
            assertThat(webhooks.deliverDue()).isZero();
            clock.advanceSeconds(2);
            assertThat(webhooks.deliverDue()).isEqualTo(1);
            var deliveries = webhooks.deliveries(hook.id(), null, 100); // newest first
            assertThat(deliveries).extracting(Webhooks.Delivery::attempts).containsExactly(0, 0, 2);
            assertThat(deliveries).extracting(Webhooks.Delivery::nextAttemptAt)
                    .containsOnly(T0 + 6_000); // its second failure: 4 s more, for all three
            assertThat(deliveries.getLast().lastError()).contains("ConnectException");
            assertThat(webhooks.deliveries(hook.id(), deliveries.get(1).id(), 100)).singleElement()
                    .satisfies(d -> assertThat(d.id()).isEqualTo(deliveries.getLast().id()));

            // down for longer than the retries last: the waiting ones, never tried, are given up with the first
            clock.set(Instant.ofEpochMilli(T0 + Webhooks.GIVE_UP_AFTER.toMillis()));
            assertThat(webhooks.deliverDue()).isEqualTo(1);
            assertThat(webhooks.deliveries(hook.id(), null, 100)).allSatisfy(d -> {
                assertThat(d.status()).isEqualTo("failed");
                assertThat(d.lastError()).isNotBlank();
            }).extracting(Webhooks.Delivery::attempts).containsExactly(0, 0, 3);
            assertThat(webhooks.deliverDue()).isZero();

            // a redelivery gets its time afresh
            var again = webhooks.redeliver(hook.id(), deliveries.getFirst().id());
            assertThat(webhooks.deliverDue()).isEqualTo(1);
            assertThat(webhooks.deliveries(hook.id(), null, 1)).singleElement().satisfies(d -> {
                assertThat(d.id()).isEqualTo(again.id());
                assertThat(d.status()).isEqualTo("pending");
                assertThat(d.attempts()).isEqualTo(1);
            });
        }
    }
}
