package dev.launchpad.platform.monitor;

import com.sun.net.httpserver.HttpServer;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.deploy.BatchingSettings;
import dev.launchpad.platform.deploy.DeploymentService;
import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.platform.tracking.ExperimentService;
import dev.launchpad.platform.tracking.RunService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The durable schedule (catching up span by span, one claim at a time), every result stored, alert
 * cool-down and incidents, and webhook delivery with retries, on SQLite and PostgreSQL.
 */
class MonitorServiceTest {
    private static final long M0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();

    @Test
    void aSpanOfSecondsReadsTheMinutesItOverlaps() {
        var clock = new MutableClock(Instant.ofEpochMilli(M0 + 45_000));
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            var deployments = deployments(db, clock, "d");
            var store = new WindowStore(db);
            var random = new Random(8);
            var baselines = baseline(db, clock, random);
            flushDrifted(store, random, M0, clock.millis()); // minute M0, still going (a "run now")
            var monitors = new MonitorService(db, clock, deployments, store, baselines, new Feedback(db, clock), () -> { });
            // within the minute, across its start, and a span ending now: each reads minute M0's 500 rows
            for (long[] span : new long[][] {{M0 + 20_000, M0 + 45_000}, {M0 - 30_000, M0 + 10_000},
                    {M0 + 45_000 - 60_000, M0 + 45_000}}) {
                var drift = monitors.runChecks("d", span[0], span[1]).stream()
                        .filter(r -> r.result().check().equals("feature_drift")).findFirst().orElseThrow();
                assertThat(drift.result().status()).as("span %s", java.util.Arrays.toString(span))
                        .isEqualTo(CheckResult.Status.BREACH);
            }
            // the window list reads the windows a span overlaps too
            assertThat(store.counts("d", Granularity.MINUTE, M0 + 20_000, M0 + 45_000)).singleElement()
                    .satisfies(c -> assertThat(c.rows()).isEqualTo(500));
            assertThat(store.counts("d", Granularity.HOUR, M0 + 20_000, M0 + 45_000)).singleElement() // the roll-up
                    .satisfies(c -> assertThat(c.start()).isEqualTo(M0));
            assertThat(store.counts("d", Granularity.MINUTE, M0 - 60_000, M0)).isEmpty();
            // a span that ends where the minute starts does not read it
            var before = monitors.runChecks("d", M0 - 60_000, M0).stream()
                    .filter(r -> r.result().check().equals("feature_drift")).findFirst().orElseThrow();
            assertThat(before.result().status()).isEqualTo(CheckResult.Status.NO_DATA);
        }
    }

    private static FeatureBatch rows(Random random, int n, double shift) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextGaussian() + shift;
        }
        return new FeatureBatch(n, List.of(FeatureBatch.Feature.numeric("x", x)));
    }

    /** Model m with version 1, served by the given deployments. */
    private static DeploymentService deployments(Database db, MutableClock clock, String... names) {
        var experiments = new ExperimentService(db, clock);
        var registry = new RegistryService(db, clock, new RunService(db, clock, experiments));
        registry.createRegisteredModel("m", null, List.of());
        registry.createModelVersion("m", "file:///tmp/m", null, List.of(), null, null, null);
        var deployments = new DeploymentService(db, clock, registry);
        for (var name : names) {
            deployments.create(name, new DeploymentService.Spec("m", 1, null, BatchingSettings.DEFAULTS, null));
        }
        return deployments;
    }

    /** Stores a minute window of 500 rows of x drifted by one standard deviation from the baseline's. */
    private static void flushDrifted(WindowStore store, Random random, long start, long now) {
        var w = WindowData.empty(1000, 0);
        w.add("ok", 1_000_000, rows(random, 500, 1.0), FeatureBatch.empty(500));
        store.flush("d", 1, start, w, List.of(), now);
    }

    /** Baselines, with m v1's set to 3 000 rows of x ~ N(0, 1). */
    private static Baselines baseline(Database db, MutableClock clock, Random random) {
        var baselines = new Baselines(db, clock);
        var reference = WindowData.empty(5000, 1);
        reference.add("ok", 0, rows(random, 3000, 0), FeatureBatch.empty(3000));
        baselines.put("m", 1, "csv", reference.inputs(), reference.inputSample());
        return baselines;
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void scheduledChecksStoreEveryResultAndAlertOnceWithinTheCooldown(TestDatabases.Backend backend) throws Exception {
        var clock = new MutableClock(Instant.ofEpochMilli(M0 + 10_000));
        var received = new CopyOnWriteArrayList<String[]>();
        var calls = new java.util.concurrent.atomic.AtomicInteger();
        var receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean fail = calls.incrementAndGet() <= 2;
            if (!fail) {
                received.add(new String[] {exchange.getRequestHeaders().getFirst(Webhooks.SIGNATURE_HEADER), body});
            }
            exchange.sendResponseHeaders(fail ? 503 : 204, -1);
            exchange.close();
        });
        receiver.start();
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var deployments = deployments(db, clock, "d");
            var store = new WindowStore(db);
            var random = new Random(4);
            var baselines = baseline(db, clock, random);
            var monitors = new MonitorService(db, clock, deployments, store, baselines, new Feedback(db, clock), () -> { });
            var alerts = new Alerts(db, clock);
            monitors.addListener((deployment, results, again) -> alerts.onResults(deployment, results));
            var webhooks = new Webhooks(db, clock, Duration.ofSeconds(10));
            var hook = webhooks.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/", null);

            // minutes 0..2 drifted traffic, logged directly as windows
            for (int m = 0; m < 3; m++) {
                flushDrifted(store, random, M0 + m * 60_000L, clock.millis());
            }
            clock.set(Instant.ofEpochMilli(M0 + 3 * 60_000 + 6_000)); // minute 2 ended 6 s ago
            assertThat(monitors.runDue()).isEqualTo(1); // first run: the newest span [2, 3)
            assertThat(monitors.runDue()).isZero();    // nothing new until minute 3 ends
            clock.advanceSeconds(60);
            assertThat(monitors.runDue()).isEqualTo(1); // [3, 4): no traffic → no_data
            var all = monitors.results("d", null, M0, M0 + 3_600_000, 100);
            assertThat(all).hasSize(12); // six checks per run, every result stored
            // in pages of five, newest first, each oldest first: the same twelve, none twice
            var paged = new ArrayList<MonitorService.StoredResult>();
            long[] before = null;
            do {
                var page = monitors.results("d", null, M0, M0 + 3_600_000, 5, before);
                paged.addAll(0, page.results());
                before = page.olderThan() == null ? null : new long[] {page.olderThan().to(), page.olderThan().id()};
            } while (before != null);
            assertThat(paged).extracting(MonitorService.StoredResult::id)
                    .containsExactlyElementsOf(all.stream().map(MonitorService.StoredResult::id).toList());
            var drift = monitors.results("d", "feature_drift", M0, M0 + 3_600_000, 100);
            assertThat(drift).extracting(r -> r.result().status())
                    .containsExactly(CheckResult.Status.BREACH, CheckResult.Status.NO_DATA);
            assertThat(drift.getFirst().result().features()).containsExactly("x");
            assertThat(drift.getFirst().to()).isEqualTo(M0 + 180_000);

            // a second breach within the cool-down fires nothing new; after it, the incident gets a second alert
            monitors.runChecks("d", M0, M0 + 60_000);
            assertThat(alerts.alerts(null, 0, 100)).extracting(Alerts.Alert::check).containsExactly("feature_drift");
            clock.advanceSeconds(3601);
            flushDrifted(store, random, M0 + 63 * 60_000L, clock.millis());
            monitors.runChecks("d", M0 + 63 * 60_000L, M0 + 64 * 60_000L); // a current span (it ended 7 s ago)
            var fired = alerts.alerts(null, 0, 100);
            assertThat(fired).hasSize(2);
            assertThat(fired).extracting(Alerts.Alert::incidentId).containsOnly(fired.getFirst().incidentId());
            var incident = alerts.incident(fired.getFirst().incidentId());
            assertThat(incident.status()).isEqualTo("open");
            assertThat(incident.alertCount()).isEqualTo(2);
            assertThat(incident.severity()).isEqualTo("warning");

            // delivery: two failures, retried after 10 s then 20 s, then delivered and signed
            assertThat(webhooks.deliverDue()).isEqualTo(2);
            assertThat(webhooks.deliverDue()).isZero(); // backing off
            clock.advanceSeconds(11); // first retry due
            assertThat(webhooks.deliverDue()).isEqualTo(2);
            clock.advanceSeconds(30);
            webhooks.deliverDue();
            assertThat(received).hasSize(2);
            for (var r : received) {
                assertThat(Webhooks.verify(hook.secret(), r[0], r[1])).isTrue();
                assertThat(Json.mapper().readTree(r[1]).path("check").asText()).isEqualTo("feature_drift");
            }
            assertThat(webhooks.deliveries(hook.webhook().id(), null, 100)).extracting(Webhooks.Delivery::status)
                    .containsOnly("delivered");

            var acked = alerts.acknowledge(incident.id(), "ann");
            assertThat(acked.acknowledgedAt()).isNotNull();
            assertThatThrownBy(() -> alerts.acknowledge(incident.id(), "ann")).isInstanceOf(LaunchpadException.class);
            var resolved = alerts.resolve(incident.id(), "bob");
            assertThat(resolved.resolvedAt()).isGreaterThanOrEqualTo(resolved.acknowledgedAt());
            // the webhook hears both, signed like the alerts
            webhooks.deliverDue();
            assertThat(received).hasSize(4);
            var acknowledgement = Json.mapper().readTree(received.get(2)[1]);
            var resolution = Json.mapper().readTree(received.get(3)[1]);
            assertThat(Webhooks.verify(hook.secret(), received.get(3)[0], received.get(3)[1])).isTrue();
            assertThat(acknowledgement.path("type").asText()).isEqualTo("incident_acknowledged");
            assertThat(acknowledgement.path("acknowledged_by").asText()).isEqualTo("ann");
            assertThat(resolution.path("type").asText()).isEqualTo("incident_resolved");
            assertThat(resolution.path("incident_id").asLong()).isEqualTo(incident.id());
            assertThat(resolution.path("resolved_by").asText()).isEqualTo("bob");
            assertThat(resolution.path("alert_count").asInt()).isEqualTo(2);
            assertThat(resolution.path("time_to_resolve_ms").asLong())
                    .isEqualTo(resolved.resolvedAt() - resolved.openedAt());
            // what to order events by: the incident's latest alert, and when it happened
            assertThat(resolution.path("alert_id").asLong()).isEqualTo(fired.stream().mapToLong(Alerts.Alert::id).max().orElseThrow());
            assertThat(resolution.path("at").asLong()).isEqualTo(resolved.resolvedAt());
            assertThat(acknowledgement.path("at").asLong()).isEqualTo(acked.acknowledgedAt());
            // a receiver's check: signed, and recently
            var sent = Instant.ofEpochSecond(Long.parseLong(received.get(3)[0].substring(2, received.get(3)[0].indexOf(','))));
            assertThat(Webhooks.verify(hook.secret(), received.get(3)[0], received.get(3)[1], Duration.ofMinutes(5),
                    sent.plusSeconds(299))).isTrue();
            assertThat(Webhooks.verify(hook.secret(), received.get(3)[0], received.get(3)[1], Duration.ofMinutes(5),
                    sent.plusSeconds(301))).as("replayed later").isFalse();
            assertThat(Webhooks.verify(hook.secret(), received.get(3)[0], received.get(3)[1] + " ", Duration.ofMinutes(5),
                    sent)).as("another body").isFalse();
            assertThat(webhooks.deliveries(hook.webhook().id(), null, 2)).extracting(Webhooks.Delivery::event)
                    .containsExactly("incident_resolved", "incident_acknowledged");
            assertThat(alerts.rules()).hasSize(6);
            assertThatThrownBy(() -> alerts.createRule("feature-drift", null, "feature_drift", "warning", 0))
                    .isInstanceOf(LaunchpadException.class);

            // retention: minute windows go after a week, hours and results after 90 days; days and incidents stay
            long span = 3_600_000L * 24 * 400;
            clock.advanceSeconds(8L * 24 * 3600);
            assertThat(monitors.prune(MonitorService.Retention.defaults())).isPositive();
            assertThat(store.list("d", Granularity.MINUTE, M0, M0 + span)).isEmpty();
            assertThat(store.list("d", Granularity.HOUR, M0, M0 + span)).isNotEmpty();
            assertThat(monitors.results("d", null, M0, M0 + span, 100)).hasSize(all.size() + 12);
            assertThat(webhooks.deliveries(hook.webhook().id(), null, 100)).hasSize(4);
            assertThat(monitors.prune(MonitorService.Retention.defaults())).isZero();
            clock.advanceSeconds(91L * 24 * 3600);
            assertThat(monitors.prune(MonitorService.Retention.defaults())).isPositive();
            assertThat(store.list("d", Granularity.HOUR, M0, M0 + span)).isEmpty();
            assertThat(store.list("d", Granularity.DAY, Granularity.DAY.floor(M0), M0 + span)).isNotEmpty();
            assertThat(monitors.results("d", null, M0, M0 + span, 100)).isEmpty();
            assertThat(webhooks.deliveries(hook.webhook().id(), null, 100)).isEmpty(); // delivered long ago
            assertThat(alerts.incident(incident.id()).status()).isEqualTo("resolved");
        } finally {
            receiver.stop(0);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void runsThatFireTheSameRuleConcurrentlyAlertOnceWithinTheCooldown(TestDatabases.Backend backend) throws Exception {
        var clock = new MutableClock(Instant.ofEpochMilli(M0 + 70_000));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var deployments = deployments(db, clock, "d");
            var store = new WindowStore(db);
            var random = new Random(6);
            var baselines = baseline(db, clock, random);
            flushDrifted(store, random, M0, clock.millis());
            var monitors = new MonitorService(db, clock, deployments, store, baselines, new Feedback(db, clock), () -> { });
            var results = monitors.runChecks("d", M0, M0 + 60_000); // no listener: nothing fired yet
            assertThat(results).extracting(r -> r.result().status()).contains(CheckResult.Status.BREACH);

            // eight runs (replicas, say) hand the same breach to the alert rules at once
            var alerts = new Alerts(db, clock);
            int runs = 8;
            var start = new CyclicBarrier(runs);
            var fired = new CopyOnWriteArrayList<Alerts.Alert>();
            var failures = new CopyOnWriteArrayList<Throwable>();
            var threads = new ArrayList<Thread>();
            for (int i = 0; i < runs; i++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await(30, TimeUnit.SECONDS);
                        fired.addAll(alerts.onResults("d", results));
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (var t : threads) {
                assertThat(t.join(Duration.ofSeconds(60))).as("a run finished").isTrue();
            }
            assertThat(failures).isEmpty();
            assertThat(fired).extracting(Alerts.Alert::check).containsExactly("feature_drift");
            assertThat(alerts.alerts("d", 0, 100)).hasSize(1);
            assertThat(alerts.incidents(null, "d", 100)).singleElement()
                    .satisfies(incident -> assertThat(incident.alertCount()).isEqualTo(1));
        }
    }

    @Test
    void theScheduleCatchesUpAnHourRestartsWhenSettingsChangeAndPassesOverASpanThatKeepsFailing() {
        var clock = new MutableClock(Instant.ofEpochMilli(M0 + 6_000));
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            var deployments = deployments(db, clock, "d");
            var failing = new java.util.concurrent.atomic.AtomicBoolean();
            var duringRun = new java.util.concurrent.atomic.AtomicReference<Runnable>(() -> { });
            var monitors = new MonitorService(db, clock, deployments, new WindowStore(db), new Baselines(db, clock),
                    new Feedback(db, clock), () -> {
                        duringRun.getAndSet(() -> { }).run();
                        if (failing.get()) {
                            throw new IllegalStateException("the database is unwell");
                        }
                    });
            assertThat(monitors.runDue()).isEqualTo(1); // [M0 − 1 min, M0)
            assertThat(monitors.schedule("d").orElseThrow().lastTo()).isEqualTo(M0);

            // two days down: only the last hour's sixty spans are checked, oldest first, one a pass
            clock.advanceSeconds(2 * 86_400);
            long end = M0 + 2 * 86_400_000L;
            int runs = 0;
            while (monitors.runDue() > 0) {
                runs++;
            }
            assertThat(runs).isEqualTo(60);
            var latency = monitors.results("d", "latency", M0 - 60_000, end, 1_000);
            assertThat(latency).extracting(MonitorService.StoredResult::from).contains(end - 3_600_000)
                    .doesNotContain(end - 3_660_000).hasSize(61);

            // switched off for half an hour, then on: the newest span only, not the time it was off
            monitors.updateSettings("d", Json.mapper().createObjectNode().put("enabled", false));
            clock.advanceSeconds(1_800);
            assertThat(monitors.runDue()).isZero();
            monitors.updateSettings("d", Json.mapper().createObjectNode().put("enabled", true));
            assertThat(monitors.runDue()).isEqualTo(1);
            assertThat(monitors.runDue()).isZero();
            assertThat(monitors.schedule("d").orElseThrow().lastTo()).isEqualTo(end + 1_800_000);

            // daily checks, then every minute again: the next run is not a day away
            monitors.updateSettings("d", Json.mapper().createObjectNode().put("interval_minutes", 1440));
            assertThat(monitors.runDue()).isEqualTo(1);
            clock.advanceSeconds(60);
            assertThat(monitors.runDue()).isZero();
            monitors.updateSettings("d", Json.mapper().createObjectNode().put("interval_minutes", 1));
            assertThat(monitors.runDue()).isEqualTo(1);
            // the same while a daily run is in progress: when it ends, it does not put its day-long wait back, and
            // stores nothing — it lost its claim with the restart (a day later: the day's span checked above is not
            // checked again)
            clock.advanceSeconds(86_400);
            monitors.updateSettings("d", Json.mapper().createObjectNode().put("interval_minutes", 1440));
            duringRun.set(() -> monitors.updateSettings("d", Json.mapper().createObjectNode().put("interval_minutes", 1)));
            int storedBefore = monitors.results("d", null, 0, Long.MAX_VALUE, 10_000).size();
            assertThat(monitors.runDue()).isZero();
            assertThat(monitors.results("d", null, 0, Long.MAX_VALUE, 10_000)).hasSize(storedBefore);
            assertThat(monitors.schedule("d").orElseThrow().nextRunAt()).isLessThanOrEqualTo(clock.millis());
            assertThat(monitors.runDue()).isEqualTo(1);
            assertThat(monitors.schedule("d").orElseThrow().lastTo() % 86_400_000).isNotZero(); // a minute's span

            // a span that keeps failing is retried every 30 s, then passed over; the error shows on the job
            clock.advanceSeconds(60);
            failing.set(true);
            long failingTo = monitors.schedule("d").orElseThrow().lastTo() + 60_000;
            for (int i = 1; i < MonitorService.MAX_SPAN_ATTEMPTS; i++) {
                assertThat(monitors.runDue()).isZero();
                var job = monitors.schedule("d").orElseThrow();
                assertThat(job.attempts()).isEqualTo(i);
                assertThat(job.lastError()).contains("the database is unwell").doesNotContain("passed over");
                assertThat(monitors.runDue()).as("not before 30 s").isZero();
                assertThat(monitors.schedule("d").orElseThrow().attempts()).isEqualTo(i);
                clock.advanceSeconds(30);
            }
            assertThat(monitors.runDue()).isZero();
            var passedOver = monitors.schedule("d").orElseThrow();
            assertThat(passedOver.lastTo()).isEqualTo(failingTo);
            assertThat(passedOver.attempts()).isZero();
            assertThat(passedOver.lastError()).contains("the database is unwell", "passed over after 10 attempts");
            failing.set(false);
            clock.advanceSeconds(60);
            assertThat(monitors.runDue()).isEqualTo(1);
            assertThat(monitors.schedule("d").orElseThrow().lastError()).isNull();
        }
    }

    @Test
    void aSpanAlreadyCheckedIsNotRunAgainUnlessItWasCheckedBeforeItEnded() {
        var clock = new MutableClock(Instant.ofEpochMilli(M0 + 66_000)); // minute 0 ended 6 s ago
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            var deployments = deployments(db, clock, "d");
            var monitors = new MonitorService(db, clock, deployments, new WindowStore(db), new Baselines(db, clock),
                    new Feedback(db, clock), () -> { });
            assertThat(monitors.runDue()).isEqualTo(1); // [0, 1)
            int perRun = monitors.results("d", null, M0 - 1, M0 + 3_600_000, 1_000).size();
            assertThat(perRun).isPositive();
            // the job could not be moved on after that run (its write failed, or the replica died)
            db.jdbi().useHandle(h -> h.execute("UPDATE monitor_jobs SET last_to = NULL, next_run_at = 0"));
            assertThat(monitors.runDue()).isZero();
            assertThat(monitors.results("d", null, M0 - 1, M0 + 3_600_000, 1_000)).hasSize(perRun);
            assertThat(monitors.schedule("d").orElseThrow().lastTo()).isEqualTo(M0 + 60_000);
            // a manual run over the next span's bounds while it is still under way saw part of its traffic only
            clock.set(Instant.ofEpochMilli(M0 + 90_000));
            monitors.runChecks("d", M0 + 60_000, M0 + 120_000);
            clock.set(Instant.ofEpochMilli(M0 + 126_000));
            assertThat(monitors.runDue()).isEqualTo(1);
            assertThat(monitors.results("d", null, M0 - 1, M0 + 3_600_000, 1_000)).hasSize(3 * perRun);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aBreachWhoseAlertCouldNotFireIsAnnouncedAgainAndAlertsOnce(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.ofEpochMilli(M0 + 70_000));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var deployments = deployments(db, clock, "d");
            var store = new WindowStore(db);
            var random = new Random(5);
            var baselines = baseline(db, clock, random);
            flushDrifted(store, random, M0, clock.millis());
            var monitors = new MonitorService(db, clock, deployments, store, baselines, new Feedback(db, clock), () -> { });
            monitors.updateSettings("d", Json.mapper().createObjectNode().put("enabled", false)); // no scheduled runs
            var alerts = new Alerts(db, clock);
            var databaseDown = new java.util.concurrent.atomic.AtomicBoolean(true);
            monitors.addListener((deployment, results, again) -> {
                if (databaseDown.getAndSet(false)) {
                    throw new IllegalStateException("the database is down"); // as alerts.onResults would fail
                }
                alerts.onResults(deployment, results);
            });
            var heard = new java.util.concurrent.atomic.AtomicInteger();
            monitors.addListener((deployment, results, again) -> heard.incrementAndGet());

            var results = monitors.runChecks("d", M0, M0 + 60_000);
            assertThat(results).extracting(r -> r.result().status()).contains(CheckResult.Status.BREACH);
            assertThat(alerts.alerts("d", 0, 10)).isEmpty(); // lost, for now
            assertThat(monitors.runDue()).isZero();
            assertThat(heard.get()).as("not before a minute has passed").isEqualTo(1);

            clock.advanceSeconds(61);
            monitors.runDue(); // the scheduler announces the breach again
            assertThat(alerts.alerts("d", 0, 10)).singleElement()
                    .satisfies(a -> assertThat(a.check()).isEqualTo("feature_drift"));
            assertThat(heard.get()).isEqualTo(2);
            clock.advanceSeconds(61);
            monitors.runDue(); // heard by every listener now: not again
            assertThat(heard.get()).isEqualTo(2);

            // one left unheard for more than an hour is not announced any more
            var stale = monitors.runChecks("d", M0, M0 + 60_000);
            clock.advanceSeconds(3_601);
            db.writeVoid(h -> h.createUpdate("UPDATE monitor_results SET unannounced = 1 WHERE id = :id")
                    .bind("id", stale.getFirst().id()).execute()); // as if its listeners had failed
            int before = heard.get();
            monitors.runDue();
            assertThat(heard.get()).isEqualTo(before);

            // a result heard twice fires a rule once, however short its cool-down
            var rule = alerts.createRule("no cool-down", "d", "feature_drift", "info", 0);
            var breach = results.stream().filter(r -> r.result().status() == CheckResult.Status.BREACH).toList();
            assertThat(alerts.onResults("d", breach)).extracting(Alerts.Alert::ruleId).containsExactly(rule.id());
            assertThat(alerts.onResults("d", breach)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aManualRunOverASpanLongPastIsStoredButAlertsNoOne(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.ofEpochMilli(M0 + 2 * 3_600_000L));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var deployments = deployments(db, clock, "d");
            var store = new WindowStore(db);
            var random = new Random(6);
            var baselines = baseline(db, clock, random);
            for (long start : new long[] {M0, M0 + 2 * 3_600_000L - 60_000}) {
                flushDrifted(store, random, start, clock.millis());
            }
            var monitors = new MonitorService(db, clock, deployments, store, baselines, new Feedback(db, clock), () -> { });
            var alerts = new Alerts(db, clock);
            var heard = new java.util.concurrent.atomic.AtomicInteger();
            monitors.addListener((deployment, results, again) -> {
                heard.incrementAndGet();
                alerts.onResults(deployment, results);
            });

            // two hours ago: checked, stored and answered, but not announced, now or later
            var old = monitors.runChecks("d", M0, M0 + 60_000);
            assertThat(old).extracting(r -> r.result().status()).contains(CheckResult.Status.BREACH);
            assertThat(monitors.results("d", "feature_drift", M0, M0 + 60_000, 10)).hasSize(1);
            clock.advanceSeconds(61);
            monitors.announceLeftovers();
            assertThat(heard.get()).isZero();
            assertThat(alerts.alerts("d", 0, 10)).isEmpty();

            // the last minute: announced, and it alerts
            long now = clock.millis();
            monitors.runChecks("d", now - 121_000, now - 61_000);
            assertThat(heard.get()).isEqualTo(1);
            assertThat(alerts.alerts("d", 0, 10)).extracting(Alerts.Alert::check).contains("feature_drift");
        }
    }

    @Test
    void readsFlushTheLatestMinuteAtMostEveryFiveSecondsAndGoOnWhenTheFlushFails() {
        var clock = new MutableClock(Instant.ofEpochMilli(M0));
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            var flushes = new java.util.concurrent.atomic.AtomicInteger();
            var failing = new java.util.concurrent.atomic.AtomicBoolean();
            var monitors = new MonitorService(db, clock, deployments(db, clock, "d"), new WindowStore(db),
                    new Baselines(db, clock), new Feedback(db, clock), () -> {
                        flushes.incrementAndGet();
                        if (failing.get()) {
                            throw new IllegalStateException("monitoring flush failed: timed out");
                        }
                    });
            monitors.flushForRead(M0);
            monitors.flushForRead(M0); // a dashboard's second panel, at the same moment
            assertThat(flushes.get()).isEqualTo(1);
            clock.advanceSeconds(6);
            monitors.flushForRead(M0 - 3 * 60_000); // a span that ended three minutes ago: stored already
            assertThat(flushes.get()).isEqualTo(1);
            failing.set(true);
            monitors.flushForRead(clock.millis()); // fails: the read goes on
            assertThat(flushes.get()).isEqualTo(2);
        }
    }

    @Test
    void everySchedulerPassTellsWhichDeploymentsExist() {
        var clock = new MutableClock(Instant.ofEpochMilli(M0));
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            var deployments = deployments(db, clock, "d", "e");
            var monitors = new MonitorService(db, clock, deployments, new WindowStore(db), new Baselines(db, clock),
                    new Feedback(db, clock), () -> { });
            var seen = new CopyOnWriteArrayList<MonitorService.DeploymentList>();
            monitors.addDeploymentsListener(seen::add);
            long before = System.nanoTime();
            monitors.runDue();
            deployments.delete("d");
            monitors.runDue();
            assertThat(seen).extracting(MonitorService.DeploymentList::names).containsExactly(Set.of("d", "e"), Set.of("e"));
            // each list says when it was read: in order, and not before this test asked for it
            assertThat(seen.get(0).listedAt() - before).isNotNegative();
            assertThat(seen.get(1).listedAt() - seen.get(0).listedAt()).isPositive();

            // a deployment whose monitoring is switched off is not listed (its gauges go), and is again once it is on
            monitors.updateSettings("e", Json.mapper().createObjectNode().put("enabled", false));
            monitors.runDue();
            monitors.updateSettings("e", Json.mapper().createObjectNode().put("enabled", true));
            monitors.runDue();
            assertThat(seen.subList(2, 4)).extracting(MonitorService.DeploymentList::names)
                    .containsExactly(Set.of(), Set.of("e"));

            // stored settings that are not JSON read as the defaults (the deployment stays monitored and listed), and
            // a patch writes readable ones again
            monitors.updateSettings("e", Json.mapper().createObjectNode().put("enabled", false));
            db.writeVoid(h -> h.createUpdate("UPDATE monitor_settings SET settings = 'not json' WHERE deployment = 'e'")
                    .execute());
            assertThat(monitors.settings("e")).isEqualTo(MonitorSettings.defaults());
            monitors.runDue();
            assertThat(seen.getLast().names()).containsExactly("e");
            monitors.updateSettings("e", Json.mapper().createObjectNode().put("interval_minutes", 5));
            assertThat(monitors.settings("e").intervalMinutes()).isEqualTo(5);
        }
    }

    @Test
    void aRunOrASchedulerPassRacingTheDeploymentsDeletionLeavesNothingBehind() {
        var clock = new MutableClock(Instant.ofEpochMilli(M0 + 70_000));
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            var deployments = deployments(db, clock, "d", "e");
            var during = new java.util.concurrent.atomic.AtomicReference<Runnable>(() -> { });
            // the hook runs once the run has read its deployment, before it evaluates and stores anything
            var monitors = new MonitorService(db, clock, deployments, new WindowStore(db), new Baselines(db, clock),
                    new Feedback(db, clock), () -> during.get().run());
            during.set(() -> {
                during.set(() -> { });
                deployments.delete("d");
            });
            assertThat(monitors.runChecks("d", M0, M0 + 60_000)).isEmpty();
            // deleted and created again meanwhile: the new one does not get the old one's results
            during.set(() -> {
                during.set(() -> { });
                deployments.delete("e");
                clock.advanceSeconds(1);
                deployments.create("e", new DeploymentService.Spec("m", 1, null, BatchingSettings.DEFAULTS, null));
            });
            assertThat(monitors.runChecks("e", M0, M0 + 60_000)).isEmpty();
            long results = db.read(h -> h.createQuery("SELECT COUNT(*) FROM monitor_results").mapTo(Long.class).one());
            assertThat(results).isZero();
            assertThat(monitors.runChecks("e", M0, M0 + 60_000)).isNotEmpty(); // the new one's own run

            // a scheduler pass whose list is a moment old puts no schedule back for the deployment deleted since
            deployments.create("f", new DeploymentService.Spec("m", 1, null, BatchingSettings.DEFAULTS, null));
            monitors.addDeploymentsListener(list -> {
                if (list.names().contains("f")) {
                    deployments.delete("f");
                }
            });
            monitors.runDue();
            long jobs = db.read(h -> h.createQuery("SELECT COUNT(*) FROM monitor_jobs WHERE deployment = 'f'")
                    .mapTo(Long.class).one());
            assertThat(jobs).isZero();
        }
    }

    @Test
    void aSpanWhoseEdgesNeedWindowsPastTheirRetentionIsRefusedNotReadWithoutThem() {
        long day = 86_400_000L;
        var clock = new MutableClock(Instant.ofEpochMilli(M0 + 100 * day));
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            var monitors = new MonitorService(db, clock, deployments(db, clock, "d"), new WindowStore(db),
                    new Baselines(db, clock), new Feedback(db, clock), () -> { });
            long hour = Granularity.HOUR.floor(M0 + 92 * day); // eight days back: minute windows are gone
            assertThatThrownBy(() -> monitors.runChecks("d", hour + 600_000, hour + 3_000_000))
                    .isInstanceOf(LaunchpadException.class).hasMessageContaining("'from' (", "'to' (", "on a whole hour");
            assertThat(monitors.runChecks("d", hour, hour + 3_600_000)).isNotEmpty(); // whole hours: read from them
            long oldDay = Granularity.DAY.floor(M0 + 5 * day); // 95 days back: hour windows are gone too
            assertThatThrownBy(() -> monitors.runChecks("d", oldDay, oldDay + 3_600_000))
                    .isInstanceOf(LaunchpadException.class).hasMessageContaining("'to' (", "on a whole day")
                    .hasMessageNotContaining("'from'");
            // each edge is named once, with the coarsest windows it needs: inside one day across hours, both need days
            long halfPast10 = oldDay + 37_800_000L;
            long halfPast14 = oldDay + 52_200_000L;
            assertThatThrownBy(() -> monitors.runChecks("d", halfPast10, halfPast14))
                    .hasMessageContaining("'from' (", "'to' (", "on a whole day").hasMessageNotContaining("whole hour");
            assertThatThrownBy(() -> monitors.runChecks("d", oldDay, halfPast14)) // from on midnight, to off the hours
                    .hasMessageContaining("'to' (", "on a whole day").hasMessageNotContaining("'from'");
            // minutes whose hours are gone too: the edges need days, not hours that would be refused next
            assertThatThrownBy(() -> monitors.runChecks("d", oldDay + 36_600_000L, oldDay + 39_000_000L))
                    .hasMessageContaining("'from' (", "'to' (", "on a whole day").hasMessageNotContaining("whole hour");
            // 'from' on an hour whose window is gone too: both edges need days, found at once rather than in turn
            assertThatThrownBy(() -> monitors.runChecks("d", oldDay + 36_000_000L, oldDay + 37_800_000L))
                    .hasMessageContaining("'from' (", "'to' (", "on a whole day").hasMessageNotContaining("whole hour");
            // a span across an hour where only the part before it is past the retention: only 'from' must move
            clock.set(Instant.ofEpochMilli(Granularity.HOUR.floor(clock.millis())));
            long cutoff = clock.millis() - 7 * day - 3_600_000L; // on an hour: the oldest minute a span may read
            assertThatThrownBy(() -> monitors.runChecks("d", cutoff - 1_800_000L, cutoff + 1_800_000L))
                    .hasMessageContaining("'from' (", "on a whole hour").hasMessageNotContaining("'to'");
            monitors.requireRetained(cutoff - 3_600_000L, cutoff + 1_800_000L); // as it said
            assertThat(monitors.runChecks("d", oldDay, oldDay + day)).isNotEmpty();
            monitors.requireRetained(clock.millis() - 3_000_000, clock.millis()); // recent minutes: kept
            monitors.requireRetained(clock.millis() - 7 * day - 1_234, clock.millis()); // "the last 7 days", a moment late
            // and what that slack accepts, pruning has not deleted, whenever it ran
            var store = new WindowStore(db);
            long edge = Granularity.MINUTE.floor(clock.millis() - 7 * day - 1_800_000);
            store.flush("d", 1, edge, WindowData.empty(10, 1), List.of(), clock.millis());
            monitors.prune(MonitorService.Retention.defaults());
            monitors.requireRetained(edge, edge + 600_000);
            assertThat(store.list("d", Granularity.MINUTE, edge, edge + 60_000)).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aRunThatOutlastsItsClaimLeavesTheSpanToTheReplicaThatTookItOver(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.ofEpochMilli(M0));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var tookOver = new java.util.concurrent.atomic.AtomicInteger(-1);
            var replicas = replicas(db, clock, 8, replicaB -> {
                clock.advanceSeconds(6 * 60); // past the 5 minutes' claim, and another replica takes the span
                tookOver.set(replicaB.runDue());
            });
            var replicaA = replicas.a();
            var replicaB = replicas.b();
            flushDrifted(replicas.store(), replicas.random(), M0, clock.millis());
            flushDrifted(replicas.store(), replicas.random(), M0 + 60_000, clock.millis());
            clock.set(Instant.ofEpochMilli(M0 + 66_000));
            assertThat(replicaA.runDue()).isEqualTo(1); // [0, 1)
            clock.set(Instant.ofEpochMilli(M0 + 126_000));
            replicas.slow().set(true);
            assertThat(replicaA.runDue()).as("A's run of [1, 2) stores nothing").isZero();
            assertThat(tookOver.get()).as("B ran [1, 2) while A's run was under way").isEqualTo(1);
            var span = replicaB.results("d", null, M0 + 60_000, M0 + 120_000, 100).stream()
                    .filter(r -> r.to() == M0 + 120_000).toList();
            assertThat(span).hasSize(CheckResult.CHECKS.size()); // each check once
            assertThat(replicaB.schedule("d").orElseThrow().lastTo()).isEqualTo(M0 + 120_000);
            assertThat(replicaA.runDue()).isEqualTo(1); // and the schedule goes on from there: [2, 3)
            assertThat(replicaB.schedule("d").orElseThrow().lastTo()).isEqualTo(M0 + 180_000);
        }
    }

    @Test
    void aLongRunKeepsItsClaimWhileItsReplicaRenewsIt() throws Exception {
        var clock = new MutableClock(Instant.ofEpochMilli(M0));
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            var tookOver = new java.util.concurrent.atomic.AtomicInteger(-1);
            var renewedUntil = new java.util.concurrent.atomic.AtomicLong();
            var replicas = replicas(db, clock, 9, replicaB -> {
                for (int minute = 0; minute < 8; minute++) { // eight minutes, the claim renewed in each
                    clock.advanceSeconds(60);
                    awaitRenewal(db, clock);
                }
                renewedUntil.set(lockedUntil(db));
                tookOver.set(replicaB.runDue());
            });
            var replicaA = replicas.a();
            var replicaB = replicas.b();
            assertThat(replicas.slowFirstRun(clock)).isEqualTo(1); // [0, 1), eight minutes long
            assertThat(renewedUntil.get()).isGreaterThan(M0 + 66_000 + 8 * 60_000);
            assertThat(tookOver.get()).as("B found the job still claimed").isZero();
            assertThat(replicaA.results("d", null, M0 - 1, M0 + 60_000, 100)).hasSize(CheckResult.CHECKS.size());
            replicaA.close();
            replicaB.close();
        }
    }

    @Test
    void aRunIsRenewedForAnHourAtMostAndThenItsSpanGoesToAnotherReplica() {
        var clock = new MutableClock(Instant.ofEpochMilli(M0));
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            var renewedFor = new java.util.concurrent.atomic.AtomicLong();
            var heldAfterAnHour = new java.util.concurrent.atomic.AtomicLong();
            var tookOver = new java.util.concurrent.atomic.AtomicInteger(-1);
            var replicas = replicas(db, clock, 10, replicaB -> {
                long claimed = clock.millis();
                clock.advanceSeconds(30 * 60);
                awaitRenewal(db, clock);
                renewedFor.set(lockedUntil(db) - claimed);
                clock.advanceSeconds(31 * 60); // an hour and a minute: no more renewals
                java.util.concurrent.locks.LockSupport.parkNanos(300_000_000); // fifteen renewal periods
                heldAfterAnHour.set(lockedUntil(db) - clock.millis());
                tookOver.set(replicaB.runDue());
            });
            var replicaA = replicas.a();
            var replicaB = replicas.b();
            assertThat(replicas.slowFirstRun(clock)).as("A's results are left to B").isZero();
            assertThat(renewedFor.get()).as("renewed after half an hour").isGreaterThanOrEqualTo(34 * 60_000L);
            assertThat(heldAfterAnHour.get()).as("not renewed past the hour").isNegative();
            assertThat(tookOver.get()).isEqualTo(1); // (the newest span by then: A's was its first)
            var stored = replicaB.results("d", null, M0 - 1, clock.millis(), 100);
            assertThat(stored).hasSize(CheckResult.CHECKS.size()).noneMatch(r -> r.to() == M0 + 60_000);
            var job = replicaB.schedule("d").orElseThrow();
            assertThat(job.attempts()).isZero(); // B's run ended: the lapse no longer counts
            assertThat(job.lastError()).isNull();
            replicaA.close();
            replicaB.close();
        }
    }

    @Test
    void aSpanWhoseRunsKeepLapsingIsPassedOverLikeOneThatKeepsFailing() {
        var clock = new MutableClock(Instant.ofEpochMilli(M0 + 66_000));
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            var deployments = deployments(db, clock, "d");
            String[] whileRunning = new String[1];
            var monitors = new java.util.concurrent.atomic.AtomicReference<MonitorService>();
            monitors.set(new MonitorService(db, clock, deployments, new WindowStore(db), new Baselines(db, clock),
                    new Feedback(db, clock), () -> whileRunning[0] = monitors.get().schedule("d").orElseThrow().lastError()));
            assertThat(monitors.get().runDue()).isEqualTo(1); // [0, 1)
            clock.advanceSeconds(60);
            // a replica claimed [1, 2) and went away, nine times over
            db.writeVoid(h -> h.createUpdate("UPDATE monitor_jobs SET locked_by = 'gone', locked_until = :u,"
                    + " attempts = :a, next_run_at = 0").bind("u", clock.millis() - 1)
                    .bind("a", MonitorService.MAX_SPAN_ATTEMPTS - 1).execute());
            assertThat(monitors.get().runDue()).isZero();
            var job = monitors.get().schedule("d").orElseThrow();
            assertThat(job.lastTo()).isEqualTo(M0 + 120_000); // passed over
            assertThat(job.attempts()).isZero();
            assertThat(job.lastError()).contains("did not end within its claim",
                    "passed over after " + MonitorService.MAX_SPAN_ATTEMPTS + " attempts");
            // the next span's lapse is its own error, not the passed-over span's
            clock.advanceSeconds(60);
            db.writeVoid(h -> h.createUpdate("UPDATE monitor_jobs SET locked_by = 'gone', locked_until = :u,"
                    + " next_run_at = 0").bind("u", clock.millis() - 1).execute());
            assertThat(monitors.get().runDue()).isEqualTo(1); // [2, 3), after one lapse: counted, and the span run
            assertThat(whileRunning[0]).contains("did not end within its claim").doesNotContain("passed over");
            var ran = monitors.get().schedule("d").orElseThrow();
            assertThat(ran.lastTo()).isEqualTo(M0 + 180_000);
            assertThat(ran.attempts()).isZero();
            assertThat(ran.lastError()).isNull();
        }
    }

    @Test
    void aRunStoppedByItsReplicaClosingStoresNothingAndGivesItsClaimBack() throws Exception {
        var clock = new MutableClock(Instant.ofEpochMilli(M0 + 66_000));
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            var deployments = deployments(db, clock, "d");
            var monitors = new java.util.concurrent.atomic.AtomicReference<MonitorService>();
            var closer = new java.util.concurrent.atomic.AtomicReference<Thread>();
            var heldWhileClosing = new java.util.concurrent.atomic.AtomicLong();
            // the server stops while the scheduler's run is flushing: close() interrupts the scheduler and waits for it
            monitors.set(new MonitorService(db, clock, deployments, new WindowStore(db), new Baselines(db, clock),
                    new Feedback(db, clock), () -> {
                        if (closer.get() == null) {
                            closer.set(Thread.ofPlatform().start(() -> monitors.get().close()));
                            try {
                                Thread.sleep(10_000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt(); // as the ingestor's flush does
                            }
                            heldWhileClosing.set(lockedUntil(db));
                        }
                    }));
            monitors.get().start(Duration.ofMillis(10));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (closer.get() == null && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            }
            assertThat(closer.get()).as("the scheduler ran").isNotNull();
            closer.get().join(20_000);
            assertThat(heldWhileClosing.get()).as("still claimed when the run went on").isPositive();
            int stored = db.read(h -> h.createQuery("SELECT COUNT(*) FROM monitor_results").mapTo(Integer.class).one());
            assertThat(stored).isZero(); // the span would have lacked the flush that was cut short
            assertThat(lockedUntil(db)).isZero(); // given back: the next start need not wait for it
            var job = monitors.get().schedule("d").orElseThrow();
            assertThat(job.lastTo()).isNull();
            assertThat(job.attempts()).isZero(); // not a failure of the span
            var restarted = new MonitorService(db, clock, deployments, new WindowStore(db), new Baselines(db, clock),
                    new Feedback(db, clock), () -> { });
            assertThat(restarted.runDue()).isEqualTo(1);
            restarted.close();
        }
    }

    @Test
    void monitoringSwitchedOffDuringAPassIsNotRunByThatPass() {
        var clock = new MutableClock(Instant.ofEpochMilli(M0 + 66_000));
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            var monitors = new MonitorService(db, clock, deployments(db, clock, "d"), new WindowStore(db),
                    new Baselines(db, clock), new Feedback(db, clock), () -> { });
            // the pass has read the settings (on) when they change
            var switchOff = new java.util.concurrent.atomic.AtomicBoolean(true);
            monitors.addDeploymentsListener(listed -> {
                if (switchOff.getAndSet(false)) {
                    monitors.updateSettings("d", Json.mapper().createObjectNode().put("enabled", false));
                }
            });
            assertThat(monitors.runDue()).isZero();
            int stored = db.read(h -> h.createQuery("SELECT COUNT(*) FROM monitor_results").mapTo(Integer.class).one());
            assertThat(stored).isZero();
            assertThat(lockedUntil(db)).isZero();
        }
    }

    /**
     * Two replicas' monitor services for deployment "d" (m v1's baseline) on one database; once {@code slow} is set,
     * A's next run calls {@code duringSlowRun} with B before its checks.
     */
    private record Replicas(MonitorService a, MonitorService b, WindowStore store, Random random,
                            java.util.concurrent.atomic.AtomicBoolean slow) {
        /** A's first run, the slow one, of minute 0's drifted traffic, its claim renewed every 20 ms; its count. */
        int slowFirstRun(MutableClock clock) {
            a.renewClaimsEvery(Duration.ofMillis(20));
            flushDrifted(store, random, M0, clock.millis());
            clock.set(Instant.ofEpochMilli(M0 + 66_000));
            slow.set(true);
            return a.runDue();
        }
    }

    private static Replicas replicas(Database db, MutableClock clock, int seed,
                                     java.util.function.Consumer<MonitorService> duringSlowRun) {
        var deployments = deployments(db, clock, "d");
        var store = new WindowStore(db);
        var random = new Random(seed);
        var baselines = baseline(db, clock, random);
        var feedback = new Feedback(db, clock);
        var b = new MonitorService(db, clock, deployments, store, baselines, feedback, () -> { });
        var slow = new java.util.concurrent.atomic.AtomicBoolean();
        var a = new MonitorService(db, clock, deployments, store, baselines, feedback, () -> {
            if (slow.getAndSet(false)) {
                duringSlowRun.accept(b);
            }
        });
        return new Replicas(a, b, store, random, slow);
    }

    /** Waits, up to 10 s, for the claim of "d" to be renewed to at least four minutes past the clock. */
    private static void awaitRenewal(Database db, MutableClock clock) {
        long due = clock.millis() + 4 * 60_000L;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (lockedUntil(db) < due) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the claim was not renewed within 10 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
    }

    private static long lockedUntil(Database db) {
        return db.read(h -> h.createQuery("SELECT COALESCE(locked_until, 0) FROM monitor_jobs WHERE deployment = 'd'")
                .mapTo(Long.class).one());
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void settingsPatchedAtOnceAllTakeEffect(TestDatabases.Backend backend) throws Exception {
        var clock = new MutableClock(Instant.ofEpochMilli(M0));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var monitors = new MonitorService(db, clock, deployments(db, clock, "d"), new WindowStore(db),
                    new Baselines(db, clock), new Feedback(db, clock), () -> { });
            int writers = 8;
            var start = new java.util.concurrent.CountDownLatch(1);
            var pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
            try {
                var done = new ArrayList<java.util.concurrent.Future<?>>();
                for (int i = 0; i < writers; i++) {
                    var patch = Json.mapper().createObjectNode();
                    patch.putObject("drift_methods").put("f" + i, "ks"); // each its own feature: nothing to overwrite
                    done.add(pool.submit(() -> {
                        start.await();
                        return monitors.updateSettings("d", patch);
                    }));
                }
                start.countDown();
                for (var f : done) {
                    f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(monitors.settings("d").driftMethods()).hasSize(writers);
            // a refused patch changes nothing, and leaves no row behind where there was none
            var refused = Json.mapper().createObjectNode().put("min_rows", 0);
            assertThatThrownBy(() -> monitors.updateSettings("d", refused)).isInstanceOf(LaunchpadException.class);
            assertThat(monitors.settings("d").driftMethods()).hasSize(writers);
            db.writeVoid(h -> h.createUpdate("DELETE FROM monitor_settings").execute());
            assertThatThrownBy(() -> monitors.updateSettings("d", refused)).isInstanceOf(LaunchpadException.class);
            int rows = db.read(h -> h.createQuery("SELECT COUNT(*) FROM monitor_settings").mapTo(Integer.class).one());
            assertThat(rows).isZero();
        }
    }

    @Test
    void settingsOfADeploymentDeletedSinceItWasLookedUpAreNotStored() {
        var clock = new MutableClock(Instant.ofEpochMilli(M0));
        try (var listed = Database.open(TestDatabases.newSqliteUrl());
             var db = Database.open(TestDatabases.newSqliteUrl())) {
            // the service's lookup finds "d" (in another database), as it would just before a deletion committed
            var monitors = new MonitorService(db, clock, deployments(listed, clock, "d"), new WindowStore(db),
                    new Baselines(db, clock), new Feedback(db, clock), () -> { });
            assertThatThrownBy(() -> monitors.updateSettings("d", Json.mapper().createObjectNode().put("min_rows", 10)))
                    .isInstanceOf(LaunchpadException.class).hasMessageContaining("'d' not found");
            int rows = db.read(h -> h.createQuery("SELECT COUNT(*) FROM monitor_settings").mapTo(Integer.class).one());
            assertThat(rows).isZero();
        }
    }

    @Test
    void settingsAreValidatedFieldByField() {
        var s = MonitorSettings.defaults().with(Json.mapper().valueToTree(Map.of("min_rows", 10, "drift_methods",
                Map.of("x", "ks"), "performance_threshold", 0.8)));
        assertThat(s.minRows()).isEqualTo(10);
        assertThat(s.driftMethods()).containsEntry("x", dev.launchpad.stats.drift.DriftMethod.KS);
        assertThat(MonitorSettings.fromJson(s.toJson())).isEqualTo(s);
        for (var bad : List.of(Map.of("min_rows", 0), Map.of("drift_methods", Map.of("x", "nope")),
                Map.of("max_null_share", 2), Map.of("what", 1), Map.of("performance_metric", "f1"))) {
            assertThatThrownBy(() -> MonitorSettings.defaults().with(Json.mapper().valueToTree(bad)))
                    .isInstanceOf(LaunchpadException.class);
        }
    }

    @Test
    void settingsPatchAsAJsonMergePatchAndRefuseWhatCouldNeverWork() throws Exception {
        var s = MonitorSettings.defaults().with(Json.mapper().readTree(
                "{\"drift_methods\":{\"amount\":\"ks\"},\"drift_thresholds\":{\"amount\":0.01},\"min_rows\":50}"));
        // maps merge feature by feature; null takes a feature out, or a field back to its default
        s = s.with(Json.mapper().readTree("{\"drift_methods\":{\"age\":\"psi\"},\"min_rows\":null}"));
        assertThat(s.driftMethods()).containsOnlyKeys("amount", "age");
        assertThat(s.minRows()).isEqualTo(MonitorSettings.defaults().minRows());
        s = s.with(Json.mapper().readTree("{\"drift_methods\":{\"amount\":null},\"drift_thresholds\":null}"));
        assertThat(s.driftMethods()).containsOnlyKeys("age");
        assertThat(s.driftThresholds()).isEmpty();
        var settings = s;
        for (var bad : List.of(
                "{\"drift_methods\":{\"x\":\"psi\"},\"drift_thresholds\":{\"x\":-0.1}}", // drifts always or never
                "{\"drift_thresholds\":{\"x\":2}}", // for the automatic choice: a p-value's or a distance's?
                "{\"drift_thresholds\":{\"age\":0.2},\"drift_methods\":{\"age\":null}}", // given without its method
                "{\"drift_methods\":{\"x\":\"ks\"},\"drift_thresholds\":{\"x\":5}}", // a p-value is at most 1
                "{\"performance_metric\":\"roc_auc\",\"performance_threshold\":7}",
                "{\"performance_metric\":\"accuracy\",\"performance_threshold\":1.5}",
                "{\"performance_lookback_minutes\":50000}", // predictions are kept 30 days
                "{\"interval_minutes\":18446744073709551621}")) { // 5, once wrapped to 64 bits
            assertThatThrownBy(() -> settings.with(Json.mapper().readTree(bad))).as(bad)
                    .isInstanceOf(LaunchpadException.class);
        }
        // a method taken out takes its threshold along
        var both = s.with(Json.mapper().readTree("{\"drift_thresholds\":{\"age\":0.2}}"));
        assertThat(both.driftThresholds()).containsOnlyKeys("age");
        assertThat(both.with(Json.mapper().readTree("{\"drift_methods\":{\"age\":null}}")).driftThresholds()).isEmpty();
        assertThat(both.with(Json.mapper().readTree("{\"drift_methods\":null}")).driftThresholds()).isEmpty();
        // ... and so does one changed, unless the patch gives its threshold anew
        assertThat(both.with(Json.mapper().readTree("{\"drift_methods\":{\"age\":\"ks\"}}")).driftThresholds()).isEmpty();
        assertThat(both.with(Json.mapper().readTree("{\"drift_methods\":{\"age\":\"ks\"},\"drift_thresholds\":{\"age\":0.01}}"))
                .driftThresholds()).containsEntry("age", 0.01);
        assertThat(both.with(Json.mapper().readTree("{\"drift_methods\":{\"age\":\"psi\"}}")).driftThresholds())
                .containsEntry("age", 0.2); // the same method again
        assertThat(s.with(Json.mapper().readTree("{\"performance_metric\":\"mae\",\"performance_threshold\":7}"))
                .performanceThreshold()).isEqualTo(7.0);
        // no metric named: a regressor's default MAE may have any budget
        assertThat(s.with(Json.mapper().readTree("{\"performance_threshold\":7}")).performanceThreshold()).isEqualTo(7.0);
        // what an earlier version allowed and this one does not goes back to its default when read
        var stored = Json.mapper().readTree("{\"min_rows\":50,\"performance_lookback_minutes\":100000,"
                + "\"drift_methods\":{\"a\":\"ks\"},\"drift_thresholds\":{\"a\":5,\"b\":0.2}}");
        var read = MonitorSettings.fromJson(stored);
        assertThat(read.minRows()).isEqualTo(50);
        assertThat(read.performanceLookbackMinutes()).isEqualTo(MonitorSettings.defaults().performanceLookbackMinutes());
        assertThat(read.driftMethods()).containsOnlyKeys("a");
        // a's 5 is no p-value threshold; b's has no method to say what it means
        assertThat(read.driftThresholds()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aDeletedDeploymentsMonitoringGoesWithItAndANewOneOfItsNameStartsAfresh(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.ofEpochMilli(M0 + 70_000));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var deployments = deployments(db, clock, "d");
            var store = new WindowStore(db);
            var random = new Random(8);
            var baselines = baseline(db, clock, random);
            flushDrifted(store, random, M0, clock.millis());
            var monitors = new MonitorService(db, clock, deployments, store, baselines, new Feedback(db, clock), () -> { });
            var alerts = new Alerts(db, clock);
            var webhooks = new Webhooks(db, clock, Duration.ofSeconds(2));
            var hook = webhooks.create("http://127.0.0.1:9/", null).webhook();
            monitors.addListener((deployment, results, again) -> alerts.onResults(deployment, results));
            monitors.updateSettings("d", Json.mapper().createObjectNode().put("enabled", false));
            monitors.runChecks("d", M0, M0 + 60_000);
            int open = alerts.incidents("open", "d", 10).size();
            assertThat(open).isPositive();

            deployments.delete("d");
            for (var table : List.of("monitor_settings", "monitor_jobs", "monitor_results")) {
                long left = db.read(h -> h.createQuery("SELECT COUNT(*) FROM " + table + " WHERE deployment = 'd'")
                        .mapTo(Long.class).one());
                assertThat(left).as(table).isZero();
            }
            assertThat(alerts.incidents("open", "d", 10)).isEmpty();
            assertThat(alerts.incidents("resolved", "d", 10)).hasSize(open).allSatisfy(i ->
                    assertThat(i.resolvedBy()).isEqualTo("launchpad (deployment deleted)"));
            assertThat(webhooks.deliveries(hook.id(), null, 100)).filteredOn(x -> x.event().equals("incident_resolved"))
                    .hasSize(open); // the receivers hear it
            assertThat(alerts.alerts("d", 0, 10)).isNotEmpty(); // the record of what happened stays
            assertThat(store.list("d", Granularity.MINUTE, M0, M0 + 60_000)).as("windows expire").isNotEmpty();

            deployments.create("d", new DeploymentService.Spec("m", 1, null, BatchingSettings.DEFAULTS, null));
            assertThat(monitors.settings("d").enabled()).isTrue();
            assertThat(monitors.latest("d")).isEmpty();
        }
    }

    @Test
    void cbpeOfCalibratedScoresMatchesTheTruthOnAverage() {
        var random = new Random(9);
        int n = 20_000;
        long correct = 0;
        var scores = new java.util.ArrayList<Double>();
        double[] p = new double[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = random.nextDouble() * random.nextDouble(); // skewed towards negatives
            boolean positive = random.nextDouble() < p[i]; // calibrated: P(y = 1) = p
            y[i] = positive ? 1 : 0;
            correct += (p[i] >= 0.5) == positive ? 1 : 0;
            scores.add(p[i]);
        }
        assertThat(Feedback.cbpeAccuracyForTest(scores))
                .isCloseTo((double) correct / n, org.assertj.core.api.Assertions.within(0.01));
        // the expected ROC AUC matches the AUC the labels turn out to give
        double trueAuc = dev.launchpad.stats.metrics.ClassificationMetrics.rocAuc(y, p);
        assertThat(Feedback.cbpe(p, true)[1]).isCloseTo(trueAuc, org.assertj.core.api.Assertions.within(0.01));
        // a multiclass score is the top probability: expected accuracy is its mean, no AUC
        var multi = Feedback.cbpe(new double[] {0.4, 0.9, 0.5}, false);
        assertThat(multi[0]).isCloseTo(0.6, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(multi[1]).isNaN();
    }
}
