package dev.launchpad.platform.monitor;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.TestDatabases;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Alert rules' lifecycle: a deleted rule stops firing, but what it fired stays. */
class AlertsTest {
    private static final long T0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();

    private static MonitorService.StoredResult breach(long id, String deployment, String check, long at) {
        return new MonitorService.StoredResult(id, deployment, at - 60_000, at,
                new CheckResult(check, CheckResult.Status.BREACH, 2_000.0, 1_000.0, List.of(),
                        Json.mapper().createObjectNode()), at);
    }

    private static MonitorService.StoredResult result(long id, String check, CheckResult.Status status, long at) {
        return new MonitorService.StoredResult(id, "fraud", at - 60_000, at,
                new CheckResult(check, status, 10.0, 1_000.0, List.of(), Json.mapper().createObjectNode()), at);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aRuleThatResolvesItselfClosesItsIncidentWhenALaterSpanPasses(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.ofEpochMilli(T0));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var alerts = new Alerts(db, clock);
            alerts.rules().forEach(r -> alerts.setRuleEnabled(r.id(), false));
            var self = alerts.createRule("slow", "fraud", "latency", "critical", 0, true);
            var manual = alerts.createRule("errors", "fraud", "error_rate", "critical", 0);
            assertThat(alerts.rules()).filteredOn(r -> r.id() == self.id()).singleElement()
                    .satisfies(r -> assertThat(r.autoResolve()).isTrue());
            alerts.onResults("fraud", List.of(breach(1, "fraud", "latency", T0), breach(2, "fraud", "error_rate", T0)));
            var slow = alerts.incidents("open", "fraud", 10).stream().filter(i -> i.check().equals("latency")).findFirst()
                    .orElseThrow();
            alerts.acknowledge(slow.id(), "ops");

            // a pass over the span that breached (run again by hand) clears nothing; nor does a span without data
            clock.set(Instant.ofEpochMilli(T0 + 5_000));
            alerts.onResults("fraud", List.of(result(3, "latency", CheckResult.Status.OK, T0),
                    result(4, "latency", CheckResult.Status.NO_DATA, T0 + 60_000)));
            assertThat(alerts.incident(slow.id()).status()).isEqualTo("acknowledged");

            // the next span passes: the self-resolving rule's incident is resolved, the other rule's stays open
            clock.set(Instant.ofEpochMilli(T0 + 65_000));
            alerts.onResults("fraud", List.of(result(5, "latency", CheckResult.Status.OK, T0 + 60_000),
                    result(6, "error_rate", CheckResult.Status.OK, T0 + 60_000)));
            assertThat(alerts.incident(slow.id())).satisfies(i -> {
                assertThat(i.status()).isEqualTo("resolved");
                assertThat(i.resolvedBy()).isEqualTo(Alerts.RESOLVED_BY_CHECK);
                assertThat(i.resolvedAt()).isEqualTo(T0 + 65_000);
            });
            assertThat(alerts.incidents("open", "fraud", 10)).singleElement()
                    .satisfies(i -> assertThat(i.ruleId()).isEqualTo(manual.id()));

            // switched on later, it resolves that incident at the next pass; a breach after it opens a new one
            alerts.setRuleAutoResolve(manual.id(), true);
            clock.set(Instant.ofEpochMilli(T0 + 125_000));
            alerts.onResults("fraud", List.of(result(7, "error_rate", CheckResult.Status.OK, T0 + 120_000)));
            assertThat(alerts.incidents("open", "fraud", 10)).isEmpty();
            clock.set(Instant.ofEpochMilli(T0 + 185_000));
            assertThat(alerts.onResults("fraud", List.of(breach(8, "fraud", "latency", T0 + 180_000)))).hasSize(1);
            assertThat(alerts.incidents("open", "fraud", 10)).singleElement()
                    .satisfies(i -> assertThat(i.id()).isNotEqualTo(slow.id()));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void anIncidentResolvesItselfAfterItsLastBreachAndABreachCheckedLateAfterThatOpensANewOne(
            TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.ofEpochMilli(T0));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var alerts = new Alerts(db, clock);
            alerts.rules().forEach(r -> alerts.setRuleEnabled(r.id(), false));
            alerts.createRule("slow", "fraud", "latency", "critical", 3_600_000, true); // a one-hour cool-down
            assertThat(alerts.onResults("fraud", List.of(breach(1, "fraud", "latency", T0)))).hasSize(1);
            long incident = alerts.incidents("open", "fraud", 10).getFirst().id();
            // the next span breaches too, quietly (cooling down); its result is stored as every result is
            db.writeVoid(h -> h.createUpdate("INSERT INTO monitor_results (deployment, check_name, window_from, window_to,"
                    + " status, metric, threshold, details, checked_at) VALUES ('fraud', 'latency', :f, :t, 'breach', 2000,"
                    + " 1000, '{}', :t)").bind("f", T0 + 60_000).bind("t", T0 + 120_000).execute());
            clock.set(Instant.ofEpochMilli(T0 + 125_000));
            assertThat(alerts.onResults("fraud", List.of(breach(2, "fraud", "latency", T0 + 120_000)))).isEmpty();
            // a pass over a span ending before that quiet breach does not clear it
            alerts.onResults("fraud", List.of(result(3, "latency", CheckResult.Status.OK, T0 + 90_000)));
            assertThat(alerts.incident(incident).status()).isEqualTo("open");

            // the scheduler, catching up after a pause, checks a passing span and then a breaching one after it
            clock.set(Instant.ofEpochMilli(T0 + 3_600_000));
            alerts.onResults("fraud", List.of(result(4, "latency", CheckResult.Status.OK, T0 + 180_000)));
            assertThat(alerts.incident(incident).status()).isEqualTo("resolved");
            // a breach of a span before the pass does not reopen anything; one after it does, though checked later
            // than the resolution
            assertThat(alerts.onResults("fraud", List.of(breach(5, "fraud", "latency", T0 + 150_000)))).isEmpty();
            assertThat(alerts.onResults("fraud", List.of(breach(6, "fraud", "latency", T0 + 240_000)))).hasSize(1);
            assertThat(alerts.incidents("open", "fraud", 10)).singleElement()
                    .satisfies(i -> assertThat(i.id()).isNotEqualTo(incident));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aDeletedRuleStopsFiringAndItsAlertsAndIncidentsStay(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.ofEpochMilli(T0));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var alerts = new Alerts(db, clock);
            alerts.rules().forEach(r -> alerts.setRuleEnabled(r.id(), false)); // only this test's rule fires
            var rule = alerts.createRule("slow fraud", "fraud", "latency", "critical", 0);
            assertThat(alerts.onResults("fraud", List.of(breach(1, "fraud", "latency", T0)))).hasSize(1);
            var incident = alerts.incidents(null, "fraud", 10).getFirst();
            clock.set(Instant.ofEpochMilli(T0 + 60_000));
            alerts.resolve(incident.id(), "ops");

            alerts.deleteRule(rule.id());
            assertThat(alerts.rules()).extracting(Alerts.Rule::id).doesNotContain(rule.id());
            assertThat(alerts.alerts("fraud", 0, 10)).singleElement().satisfies(a -> {
                assertThat(a.ruleId()).isEqualTo(rule.id());
                assertThat(a.ruleName()).isEqualTo("slow fraud"); // as it was named, not its hidden name
            });
            assertThat(alerts.incident(incident.id())).satisfies(i -> {
                assertThat(i.ruleName()).isEqualTo("slow fraud");
                assertThat(i.openedAt()).isEqualTo(T0);
                assertThat(i.resolvedAt()).isEqualTo(T0 + 60_000);
            });

            // it no longer fires; its name can be used again; it cannot be changed or deleted twice
            clock.set(Instant.ofEpochMilli(T0 + 120_000));
            assertThat(alerts.onResults("fraud", List.of(breach(2, "fraud", "latency", T0 + 120_000)))).isEmpty();
            var again = alerts.createRule("slow fraud", "fraud", "latency", "warning", 0);
            // a deleted rule's hidden name cannot be taken, so deleting never collides with a rule's name
            assertThatThrownBy(() -> alerts.createRule("slow fraud\u001F" + rule.id(), null, "*", null, 0))
                    .isInstanceOf(LaunchpadException.class).hasMessageContaining("control characters");
            assertThat(alerts.rules()).extracting(Alerts.Rule::name).containsOnlyOnce("slow fraud");
            assertThatThrownBy(() -> alerts.setRuleEnabled(rule.id(), true)).isInstanceOf(LaunchpadException.class)
                    .hasMessageContaining("No alert rule");
            assertThatThrownBy(() -> alerts.deleteRule(rule.id())).isInstanceOf(LaunchpadException.class)
                    .hasMessageContaining("No alert rule");
            assertThat(alerts.onResults("fraud", List.of(breach(3, "fraud", "latency", T0 + 180_000))))
                    .extracting(Alerts.Alert::ruleId).containsExactly(again.id());
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void alertsReadAsAFeedFromTheLastIdSeen(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.ofEpochMilli(T0));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var alerts = new Alerts(db, clock);
            alerts.rules().forEach(r -> alerts.setRuleEnabled(r.id(), false));
            alerts.createRule("any", null, "*", "warning", 0);
            for (int i = 0; i < 5; i++) {
                clock.set(Instant.ofEpochMilli(T0 + i * 60_000L));
                alerts.onResults(i % 2 == 0 ? "a" : "b", List.of(breach(i + 1, i % 2 == 0 ? "a" : "b", "latency",
                        T0 + i * 60_000L)));
            }
            var newest = alerts.alerts(null, 0, 2);
            assertThat(newest).extracting(Alerts.Alert::firedAt).containsExactly(T0 + 240_000, T0 + 180_000);
            // a consumer reads two at a time, oldest first, from the last id it saw, and misses none
            var seen = new java.util.ArrayList<Long>();
            long last = 0;
            for (var page = alerts.alerts(null, 0, last, null, 2); !page.isEmpty(); page = alerts.alerts(null, 0, last, null, 2)) {
                page.forEach(a -> seen.add(a.firedAt()));
                last = page.getLast().id();
            }
            assertThat(seen).containsExactly(T0, T0 + 60_000, T0 + 120_000, T0 + 180_000, T0 + 240_000);
            assertThat(alerts.alerts("b", 0, 0L, null, 10)).extracting(Alerts.Alert::firedAt)
                    .containsExactly(T0 + 60_000, T0 + 180_000);
            // or pages back from the newest, and the incidents likewise
            assertThat(alerts.alerts(null, 0, null, newest.getLast().id(), 2)).extracting(Alerts.Alert::firedAt)
                    .containsExactly(T0 + 120_000, T0 + 60_000);
            assertThatThrownBy(() -> alerts.alerts(null, 0, 1L, 5L, 2)).isInstanceOf(LaunchpadException.class)
                    .hasMessageContaining("not both");
            var incidents = alerts.incidents(null, null, 1);
            assertThat(alerts.incidents(null, null, incidents.getFirst().id(), 10)).singleElement()
                    .satisfies(i -> assertThat(i.id()).isLessThan(incidents.getFirst().id()));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void anIncidentResolvedWhileItIsAcknowledgedStaysResolved(TestDatabases.Backend backend) throws Exception {
        var clock = new MutableClock(Instant.ofEpochMilli(T0));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var alerts = alerts(db, clock);
            alerts.onResults("fraud", List.of(breach(1, "fraud", "latency", T0)));
            long id = alerts.incidents("open", "fraud", 10).getFirst().id();
            var acknowledged = resolvedWhile(db, id, () -> alerts.acknowledge(id, "bob"));
            assertThatThrownBy(() -> acknowledged.get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(LaunchpadException.class).hasMessageContaining("resolved");
            assertThat(alerts.incident(id)).satisfies(i -> {
                assertThat(i.status()).isEqualTo("resolved");
                assertThat(i.acknowledgedAt()).isNull();
            });
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aDeploymentDeletedWhileItsIncidentIsResolvedKeepsThatResolution(TestDatabases.Backend backend) throws Exception {
        var clock = new MutableClock(Instant.ofEpochMilli(T0));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var alerts = alerts(db, clock);
            new Webhooks(db, clock, java.time.Duration.ofSeconds(2)).create("http://127.0.0.1:9/hook", null);
            alerts.onResults("fraud", List.of(breach(1, "fraud", "latency", T0)));
            long id = alerts.incidents("open", "fraud", 10).getFirst().id();
            // the deletion reads the incident as open, then waits for its row while ann resolves it
            var deleted = resolvedWhile(db, id, () -> {
                db.writeVoid(h -> Alerts.resolveAll(h, "fraud", "launchpad (deployment deleted)", T0 + 2));
                return true;
            });
            assertThat(deleted.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(alerts.incident(id)).satisfies(i -> {
                assertThat(i.resolvedBy()).isEqualTo("ann");
                assertThat(i.resolvedAt()).isEqualTo(T0 + 1);
            });
            int told = db.read(h -> h.createQuery("SELECT COUNT(*) FROM monitor_deliveries WHERE event = 'incident_resolved'")
                    .mapTo(Integer.class).one());
            assertThat(told).as("no second resolution told").isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void anAlertFiredWhileItsIncidentIsResolvedOpensANewOne(TestDatabases.Backend backend) throws Exception {
        var clock = new MutableClock(Instant.ofEpochMilli(T0));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var alerts = alerts(db, clock);
            alerts.onResults("fraud", List.of(breach(1, "fraud", "latency", T0)));
            long id = alerts.incidents("open", "fraud", 10).getFirst().id();
            clock.set(Instant.ofEpochMilli(T0 + 60_000));
            var fired = resolvedWhile(db, id, () -> alerts.onResults("fraud",
                    List.of(breach(2, "fraud", "latency", T0 + 60_000))));
            assertThat(fired.get(30, java.util.concurrent.TimeUnit.SECONDS)).singleElement()
                    .satisfies(a -> assertThat(a.incidentId()).isNotEqualTo(id));
            assertThat(alerts.incident(id).alertCount()).isEqualTo(1); // the resolved incident was not joined
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void theCoolDownHoldsWhileTheIncidentIsOpenAndABreachAfterItIsResolvedAlertsAtOnce(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.ofEpochMilli(T0));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var alerts = new Alerts(db, clock);
            alerts.rules().forEach(r -> alerts.setRuleEnabled(r.id(), false));
            alerts.createRule("slow", "fraud", "latency", "critical", 3_600_000);
            assertThat(alerts.onResults("fraud", List.of(breach(1, "fraud", "latency", T0)))).hasSize(1);
            clock.set(Instant.ofEpochMilli(T0 + 60_000));
            assertThat(alerts.onResults("fraud", List.of(breach(2, "fraud", "latency", T0 + 60_000)))).isEmpty();
            long first = alerts.incidents("open", "fraud", 10).getFirst().id();

            // fixed and resolved; ten minutes later it is back, within the hour's cool-down of the first alert
            clock.set(Instant.ofEpochMilli(T0 + 120_000));
            alerts.resolve(first, "ops");
            // a check run by hand to see whether the fix took, over a span that ended before the resolution: no page
            clock.set(Instant.ofEpochMilli(T0 + 150_000));
            assertThat(alerts.onResults("fraud", List.of(breach(4, "fraud", "latency", T0 + 90_000)))).isEmpty();
            assertThat(alerts.incidents("open", "fraud", 10)).isEmpty();
            clock.set(Instant.ofEpochMilli(T0 + 720_000));
            assertThat(alerts.onResults("fraud", List.of(breach(3, "fraud", "latency", T0 + 720_000)))).singleElement()
                    .satisfies(a -> assertThat(a.incidentId()).isNotEqualTo(first));
            assertThat(alerts.incidents("open", "fraud", 10)).singleElement()
                    .satisfies(i -> assertThat(i.openedAt()).isEqualTo(T0 + 720_000));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aRulesNewSeverityAndCoolDownHoldFromItsNextAlert(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.ofEpochMilli(T0));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var alerts = new Alerts(db, clock);
            alerts.rules().forEach(r -> alerts.setRuleEnabled(r.id(), false));
            var rule = alerts.createRule("slow", "fraud", "latency", "warning", 3_600_000);
            assertThat(alerts.onResults("fraud", List.of(breach(1, "fraud", "latency", T0)))).singleElement()
                    .satisfies(a -> assertThat(a.severity()).isEqualTo("warning"));
            long incident = alerts.incidents("open", "fraud", 10).getFirst().id();

            // louder, and a minute's cool-down instead of an hour's: the next breach two minutes on alerts, as critical
            var changed = alerts.updateRule(rule.id(), new Alerts.RuleChange(null, null, "CRITICAL", 60_000L));
            assertThat(changed).isEqualTo(new Alerts.Rule(rule.id(), "slow", "fraud", "latency", "critical", 60_000, true,
                    rule.createdAt(), false));
            assertThat(alerts.rules()).filteredOn(r -> r.id() == rule.id()).containsExactly(changed);
            clock.set(Instant.ofEpochMilli(T0 + 120_000));
            assertThat(alerts.onResults("fraud", List.of(breach(2, "fraud", "latency", T0 + 120_000)))).singleElement()
                    .satisfies(a -> {
                        assertThat(a.severity()).isEqualTo("critical");
                        assertThat(a.incidentId()).isEqualTo(incident); // the incident it opened stays the one
                    });
            // the incident keeps the severity it was opened with
            assertThat(alerts.incident(incident).severity()).isEqualTo("warning");

            // what cannot be: nothing to change, an unknown severity, a cool-down past 30 days, a rule not there
            assertThatThrownBy(() -> alerts.updateRule(rule.id(), new Alerts.RuleChange(null, null, null, null)))
                    .isInstanceOf(LaunchpadException.class).hasMessageContaining("Nothing to change");
            assertThatThrownBy(() -> alerts.updateRule(rule.id(), new Alerts.RuleChange(null, null, "loud", null)))
                    .isInstanceOf(LaunchpadException.class).hasMessageContaining("info, warning or critical");
            assertThatThrownBy(() -> alerts.updateRule(rule.id(), new Alerts.RuleChange(false, null, null, 31 * 86_400_000L)))
                    .isInstanceOf(LaunchpadException.class).hasMessageContaining("30 days");
            assertThat(alerts.rules()).filteredOn(r -> r.id() == rule.id()).containsExactly(changed); // nothing half done
            alerts.deleteRule(rule.id());
            assertThatThrownBy(() -> alerts.updateRule(rule.id(), new Alerts.RuleChange(true, null, null, null)))
                    .isInstanceOf(LaunchpadException.class).hasMessageContaining("No alert rule");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aSpanCheckedTwiceFiresARuleOnce(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.ofEpochMilli(T0));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var alerts = alerts(db, clock); // no cool-down
            assertThat(alerts.onResults("fraud", List.of(breach(1, "fraud", "latency", T0)))).hasSize(1);
            // the same span's run stored again (retried after a failure, or run by hand beside the scheduler)
            clock.set(Instant.ofEpochMilli(T0 + 5_000));
            assertThat(alerts.onResults("fraud", List.of(breach(2, "fraud", "latency", T0)))).isEmpty();
            // the next span alerts
            assertThat(alerts.onResults("fraud", List.of(breach(3, "fraud", "latency", T0 + 60_000)))).singleElement()
                    .satisfies(a -> assertThat(a.resultId()).isEqualTo(3));
        }
    }

    /**
     * Someone resolves incident {@code id}: their transaction holds its row while {@code action} runs on another
     * thread, which must wait for it; returns what the action returned or threw.
     */
    private static <T> java.util.concurrent.CompletableFuture<T> resolvedWhile(Database db, long id,
                                                                               java.util.function.Supplier<T> action) {
        var outcome = new java.util.concurrent.CompletableFuture<T>();
        var other = new Thread(() -> {
            try {
                outcome.complete(action.get());
            } catch (RuntimeException e) {
                outcome.completeExceptionally(e);
            }
        });
        db.writeVoid(h -> {
            h.createQuery("SELECT status FROM monitor_incidents WHERE id = :id" + db.dialect().rowLock())
                    .bind("id", id).mapTo(String.class).one();
            other.start();
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            assertThat(outcome).as("the other waits for the incident's row").isNotDone();
            h.createUpdate("UPDATE monitor_incidents SET status = 'resolved', resolved_at = :t, resolved_by = 'ann'"
                    + " WHERE id = :id").bind("t", T0 + 1).bind("id", id).execute();
        });
        return outcome;
    }

    /** Alerts with one enabled rule: "slow", latency of fraud, no cool-down. */
    private static Alerts alerts(Database db, MutableClock clock) {
        var alerts = new Alerts(db, clock);
        alerts.rules().forEach(r -> alerts.setRuleEnabled(r.id(), false));
        alerts.createRule("slow", "fraud", "latency", "critical", 0);
        return alerts;
    }
}
