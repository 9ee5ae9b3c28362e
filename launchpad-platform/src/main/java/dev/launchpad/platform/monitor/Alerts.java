package dev.launchpad.platform.monitor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.store.Database;
import org.jdbi.v3.core.Handle;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Alert rules, alerts and incidents. A breached check result that matches an enabled rule fires an alert,
 * unless the rule's incident for the deployment and check is still open or acknowledged and had an alert within
 * the rule's cool-down, or the rule fired for the same span already, or the span ended before the rule's last
 * incident there was resolved; an alert opens an incident, or joins the rule's incident for the deployment that is
 * still open or acknowledged. Incidents move
 * open → acknowledged → resolved (or open → resolved) with timestamps, so time to acknowledge and time to
 * resolve can be measured. Each alert, acknowledgement and resolution is queued for every enabled webhook in the
 * same transaction ({@link Webhooks} delivers them).
 */
public final class Alerts {
    public static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");

    private final Database database;
    private final Clock clock;

    public Alerts(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /**
     * A rule: which check (or {@code *}) of which deployment (or every one, null) alerts, how loudly, how often, and
     * whether its incidents resolve themselves once a later span of the check passes.
     */
    public record Rule(long id, String name, String deployment, String check, String severity, long cooldownMs,
                       boolean enabled, long createdAt, boolean autoResolve) {
    }

    /** Who resolves an incident whose rule resolves itself. */
    public static final String RESOLVED_BY_CHECK = "launchpad (check passed)";

    /** An incident and its lifecycle timestamps; {@code ruleName} is the name the rule has or had when deleted. */
    public record Incident(long id, long ruleId, String ruleName, String deployment, String check, String severity, String status,
                           String summary, long openedAt, Long acknowledgedAt, String acknowledgedBy, Long resolvedAt,
                           String resolvedBy, long lastAlertAt, int alertCount) {
    }

    /** A fired alert; {@code ruleName} is the name its rule has or had when deleted. */
    public record Alert(long id, long ruleId, String ruleName, long incidentId, long resultId, String deployment, String check,
                        String severity, String message, ObjectNode details, long firedAt) {
    }

    // ------------------------------------------------------------------ rules

    public Rule createRule(String name, String deployment, String check, String severity, long cooldownMs) {
        return createRule(name, deployment, check, severity, cooldownMs, false);
    }

    public Rule createRule(String name, String deployment, String check, String severity, long cooldownMs,
                           boolean autoResolve) {
        if (name == null || name.isBlank() || name.length() > 200 || name.chars().anyMatch(Character::isISOControl)) {
            throw LaunchpadException.invalid("A rule needs a 'name' of 1 to 200 characters, none of them control"
                    + " characters.");
        }
        if (check == null || !(check.equals("*") || CheckResult.CHECKS.contains(check))) {
            throw LaunchpadException.invalid("'check' must be * or one of " + CheckResult.CHECKS + ", got '" + check + "'.");
        }
        var sev = severity == null ? "warning" : severityOf(severity);
        checkCooldown(cooldownMs);
        long now = clock.millis();
        try {
            long id = database.write(h -> h.createQuery("INSERT INTO monitor_alert_rules (name, deployment, check_name, severity,"
                            + " cooldown_ms, enabled, created_at, auto_resolve) VALUES (:n, :d, :c, :s, :cd, 1, :t, :ar)"
                            + " RETURNING id")
                    .bind("n", name).bind("d", deployment).bind("c", check).bind("s", sev).bind("cd", cooldownMs).bind("t", now)
                    .bind("ar", autoResolve ? 1 : 0).mapTo(Long.class).one());
            return new Rule(id, name, deployment, check, sev, cooldownMs, true, now, autoResolve);
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                throw LaunchpadException.alreadyExists("An alert rule named '" + name + "' already exists.");
            }
            throw e;
        }
    }

    public List<Rule> rules() {
        return database.read(h -> h.createQuery("SELECT * FROM monitor_alert_rules WHERE deleted_at IS NULL ORDER BY id")
                .map((rs, ctx) -> rule(rs)).list());
    }

    /** Between a deleted rule's name and its id (a control character, which no rule's name may hold). */
    private static final char DELETED_MARK = '\u001F';

    /** A known severity, in lower case; anything else is refused. */
    private static String severityOf(String severity) {
        var sev = severity.toLowerCase(Locale.ROOT);
        if (!SEVERITIES.contains(sev)) {
            throw LaunchpadException.invalid("'severity' must be info, warning or critical, got '" + severity + "'.");
        }
        return sev;
    }

    private static void checkCooldown(long cooldownMs) {
        if (cooldownMs < 0 || cooldownMs > 30L * 86_400_000) {
            throw LaunchpadException.invalid("'cooldown_seconds' must be between 0 and 30 days.");
        }
    }

    public void setRuleEnabled(long id, boolean enabled) {
        updateRule(id, new RuleChange(enabled, null, null, null));
    }

    /** Whether the rule's incidents resolve themselves when a later span of the check passes. */
    public void setRuleAutoResolve(long id, boolean autoResolve) {
        updateRule(id, new RuleChange(null, autoResolve, null, null));
    }

    /**
     * What may change in a rule, null where it stays: whether it is enabled, whether its incidents resolve themselves,
     * its severity and its cool-down. Its name, check and deployment do not change: they say which rule it is (a rule
     * for another check is another rule, created as one).
     */
    public record RuleChange(Boolean enabled, Boolean autoResolve, String severity, Long cooldownMs) {
        public boolean isEmpty() {
            return enabled == null && autoResolve == null && severity == null && cooldownMs == null;
        }
    }

    /**
     * Changes a rule in one statement and returns it as it now is. A new severity or cool-down holds from the rule's
     * next alert on: an incident it already opened keeps the severity it was opened with.
     */
    public Rule updateRule(long id, RuleChange change) {
        if (change.isEmpty()) {
            throw LaunchpadException.invalid("Nothing to change in alert rule " + id + ".");
        }
        String severity = change.severity() == null ? null : severityOf(change.severity());
        if (change.cooldownMs() != null) {
            checkCooldown(change.cooldownMs());
        }
        var sets = new ArrayList<String>();
        if (change.enabled() != null) {
            sets.add("enabled = :enabled");
        }
        if (change.autoResolve() != null) {
            sets.add("auto_resolve = :auto_resolve");
        }
        if (severity != null) {
            sets.add("severity = :severity");
        }
        if (change.cooldownMs() != null) {
            sets.add("cooldown_ms = :cooldown_ms");
        }
        var updated = database.write(h -> {
            var update = h.createUpdate("UPDATE monitor_alert_rules SET " + String.join(", ", sets)
                    + " WHERE id = :id AND deleted_at IS NULL").bind("id", id);
            if (change.enabled() != null) {
                update.bind("enabled", change.enabled() ? 1 : 0);
            }
            if (change.autoResolve() != null) {
                update.bind("auto_resolve", change.autoResolve() ? 1 : 0);
            }
            if (severity != null) {
                update.bind("severity", severity);
            }
            if (change.cooldownMs() != null) {
                update.bind("cooldown_ms", change.cooldownMs());
            }
            if (update.execute() == 0) {
                return null;
            }
            return h.createQuery("SELECT * FROM monitor_alert_rules WHERE id = :id").bind("id", id)
                    .map((rs, ctx) -> rule(rs)).one();
        });
        if (updated == null) {
            throw LaunchpadException.notFound("No alert rule " + id + ".");
        }
        return updated;
    }

    private static Rule rule(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Rule(rs.getLong("id"), rs.getString("name"), rs.getString("deployment"), rs.getString("check_name"),
                rs.getString("severity"), rs.getLong("cooldown_ms"), rs.getInt("enabled") != 0, rs.getLong("created_at"),
                rs.getInt("auto_resolve") != 0);
    }

    /**
     * Deletes a rule: it no longer fires or shows, and its name is free again; the alerts and incidents it fired stay
     * (the row is kept, disabled, for them to refer to, and renamed to its name, a control character and its id: a
     * name no rule can be given, so the rename never collides).
     */
    public void deleteRule(long id) {
        int n = database.write(h -> {
            var name = h.createQuery("SELECT name FROM monitor_alert_rules WHERE id = :id AND deleted_at IS NULL")
                    .bind("id", id).mapTo(String.class).findOne();
            if (name.isEmpty()) {
                return 0;
            }
            return h.createUpdate("UPDATE monitor_alert_rules SET deleted_at = :t, enabled = 0, name = :n"
                            + " WHERE id = :id AND deleted_at IS NULL")
                    .bind("t", clock.millis()).bind("n", name.get() + DELETED_MARK + id).bind("id", id).execute();
        });
        if (n == 0) {
            throw LaunchpadException.notFound("No alert rule " + id + ".");
        }
    }

    // ------------------------------------------------------------------ firing

    /**
     * Fires the alerts a run's results call for, and resolves the incidents of rules that resolve themselves whose
     * check passed on a later span than the last that breached; returns the alerts fired.
     */
    public List<Alert> onResults(String deployment, List<MonitorService.StoredResult> results) {
        var rules = rules().stream().filter(Rule::enabled)
                .filter(r -> r.deployment() == null || r.deployment().equals(deployment)).toList();
        var fired = new java.util.ArrayList<Alert>();
        for (var stored : results) {
            var r = stored.result();
            if (r.status() == CheckResult.Status.OK) {
                for (var rule : rules) {
                    if (rule.autoResolve() && (rule.check().equals("*") || rule.check().equals(r.check()))) {
                        database.writeVoid(h -> resolveCleared(h, rule, stored));
                    }
                }
                continue;
            }
            if (r.status() != CheckResult.Status.BREACH) {
                continue;
            }
            for (var rule : rules) {
                if (!rule.check().equals("*") && !rule.check().equals(r.check())) {
                    continue;
                }
                database.write(h -> fire(h, rule, stored)).ifPresent(fired::add);
            }
        }
        return fired;
    }

    private Optional<Alert> fire(Handle h, Rule read, MonitorService.StoredResult stored) {
        // one firing of a rule at a time (PostgreSQL locks its row until commit; SQLite writes one transaction at a
        // time anyway): a run that fires it concurrently, on another replica say, sees this one's alert and incident.
        // The rule as it is now, not as it was read: its severity or cool-down may have changed meanwhile
        var locked = h.createQuery("SELECT * FROM monitor_alert_rules WHERE id = :r AND enabled = 1 AND deleted_at IS NULL"
                + database.dialect().rowLock()).bind("r", read.id()).map((rs, ctx) -> rule(rs)).findOne();
        if (locked.isEmpty()) {
            return Optional.empty(); // deleted or disabled since the rules were read
        }
        var rule = locked.get();
        var r = stored.result();
        if (h.createQuery("SELECT id FROM monitor_alerts WHERE rule_id = :r AND result_id = :res").bind("r", rule.id())
                .bind("res", stored.id()).mapTo(Long.class).findFirst().isPresent()
                || h.createQuery("SELECT id FROM monitor_alerts WHERE rule_id = :r AND deployment = :d AND window_to = :t"
                        + " AND window_from = :f AND check_name = :c").bind("r", rule.id()).bind("d", stored.deployment())
                .bind("t", stored.to()).bind("f", stored.from()).bind("c", r.check()).mapTo(Long.class).findFirst().isPresent()) {
            // this result fired this rule already (it is announced again after a failure), or another result of the
            // same span did (a run retried after a failure, a manual run of the scheduled span)
            return Optional.empty();
        }
        // the open incident's row is locked too, so that one resolved at this moment is not joined
        var open = h.createQuery("SELECT id, last_alert_at FROM monitor_incidents WHERE rule_id = :r AND deployment = :d"
                        + " AND check_name = :c AND status <> 'resolved' ORDER BY id DESC LIMIT 1" + database.dialect().rowLock())
                .bind("r", rule.id()).bind("d", stored.deployment()).bind("c", r.check())
                .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)}).findOne();
        long now = clock.millis(); // once the incident is ours: a resolution that held it came before
        if (open.isPresent() && now - open.get()[1] < rule.cooldownMs()) {
            return Optional.empty(); // cooling down: the incident is still open, and its last alert is recent
        }
        if (open.isEmpty() && h.createQuery("SELECT 1 FROM monitor_incidents WHERE rule_id = :r AND deployment = :d"
                        + " AND check_name = :c AND status = 'resolved' AND (cleared_through >= :t"
                        + " OR (cleared_through IS NULL AND resolved_at > :t))")
                .bind("r", rule.id()).bind("d", stored.deployment()).bind("c", r.check()).bind("t", stored.to())
                .mapTo(Integer.class).findFirst().isPresent()) {
            // the span ended before the last incident was resolved: traffic whoever resolved it had seen (a check run
            // by hand to see whether the fix took, a breach announced again late), not a new occurrence
            return Optional.empty();
        }
        var message = message(stored);
        long incident;
        if (open.isPresent()) {
            incident = open.get()[0];
            h.createUpdate("UPDATE monitor_incidents SET last_alert_at = :t, alert_count = alert_count + 1 WHERE id = :id")
                    .bind("t", now).bind("id", incident).execute();
        } else {
            incident = h.createQuery("INSERT INTO monitor_incidents (rule_id, deployment, check_name, severity, status, summary,"
                            + " opened_at, last_alert_at, alert_count) VALUES (:r, :d, :c, :s, 'open', :m, :t, :t, 1) RETURNING id")
                    .bind("r", rule.id()).bind("d", stored.deployment()).bind("c", r.check()).bind("s", rule.severity())
                    .bind("m", message).bind("t", now).mapTo(Long.class).one();
        }
        var details = Json.mapper().createObjectNode();
        details.put("window_from", stored.from());
        details.put("window_to", stored.to());
        if (r.metric() != null) {
            details.put("metric", r.metric());
        }
        if (r.threshold() != null) {
            details.put("threshold", r.threshold());
        }
        var features = details.putArray("features");
        r.features().forEach(features::add);
        details.set("result", r.details());
        long alertId = h.createQuery("INSERT INTO monitor_alerts (rule_id, incident_id, result_id, deployment, check_name, severity,"
                        + " message, details, fired_at, window_from, window_to) VALUES (:r, :i, :res, :d, :c, :s, :m, :det, :t,"
                        + " :f, :to) RETURNING id")
                .bind("r", rule.id()).bind("i", incident).bind("res", stored.id()).bind("d", stored.deployment())
                .bind("f", stored.from()).bind("to", stored.to())
                .bind("c", r.check()).bind("s", rule.severity()).bind("m", message).bind("det", details.toString())
                .bind("t", now).mapTo(Long.class).one();
        var alert = new Alert(alertId, rule.id(), rule.name(), incident, stored.id(), stored.deployment(), r.check(), rule.severity(),
                message, details, now);
        Webhooks.enqueue(h, alert, rule.name(), now);
        return Optional.of(alert);
    }

    /**
     * Resolves the rule's open or acknowledged incident for this result's check when the result's span ends after
     * every span that breached since it opened (alerted, or kept quiet by the cool-down): a pass over a span the breach
     * was part of (a check run again by hand, a result announced late) does not clear it.
     */
    private void resolveCleared(Handle h, Rule rule, MonitorService.StoredResult stored) {
        var open = h.createQuery("SELECT id FROM monitor_incidents WHERE rule_id = :r AND deployment = :d"
                        + " AND check_name = :c AND status <> 'resolved' ORDER BY id DESC LIMIT 1" + database.dialect().rowLock())
                .bind("r", rule.id()).bind("d", stored.deployment()).bind("c", stored.result().check())
                .mapTo(Long.class).findOne();
        if (open.isEmpty()) {
            return;
        }
        // the last breach: of the spans that alerted into it (those before V15 recorded none), and of the later ones
        // the cool-down kept quiet (by span, not by when they were checked: replicas' clocks differ)
        long lastAlerted = h.createQuery("SELECT COALESCE(MAX(window_to), 0) FROM monitor_alerts WHERE incident_id = :i")
                .bind("i", open.get()).mapTo(Long.class).one();
        long lastBreached = h.createQuery("SELECT COALESCE(MAX(window_to), 0) FROM monitor_results WHERE deployment = :d"
                        + " AND check_name = :c AND window_to > :after AND status = :breach")
                .bind("d", stored.deployment()).bind("c", stored.result().check()).bind("after", lastAlerted)
                .bind("breach", CheckResult.Status.BREACH.id()).mapTo(Long.class).one();
        if (stored.to() > Math.max(lastAlerted, lastBreached)) {
            markResolved(h, open.get(), RESOLVED_BY_CHECK, clock.millis());
            // a breach checked later (a scheduler catching up) of a span ending after this pass opens a new incident
            h.createUpdate("UPDATE monitor_incidents SET cleared_through = :t WHERE id = :i")
                    .bind("t", stored.to()).bind("i", open.get()).execute();
        }
    }

    private static String message(MonitorService.StoredResult stored) {
        var r = stored.result();
        var text = new StringBuilder(stored.deployment()).append(": ").append(r.check().replace('_', ' ')).append(" breached");
        if (!r.features().isEmpty()) {
            text.append(" on ").append(String.join(", ", r.features()));
        }
        if (r.metric() != null) {
            text.append(" (").append(String.format(Locale.ROOT, "%.4g", r.metric()));
            if (r.threshold() != null) {
                text.append(" vs ").append(String.format(Locale.ROOT, "%.4g", r.threshold()));
            }
            text.append(')');
        }
        return text.toString();
    }

    // ------------------------------------------------------------------ reading

    /** The newest alerts fired since {@code since} (epoch ms), newest first. */
    public List<Alert> alerts(String deployment, long since, int limit) {
        return alerts(deployment, since, null, null, limit);
    }

    /**
     * Alerts fired since {@code since}: the newest first (with {@code beforeId}, the newest of those before that id:
     * the next page), or with {@code afterId} those after that id, oldest first — a feed a consumer reads on from the
     * last id it saw.
     */
    public List<Alert> alerts(String deployment, long since, Long afterId, Long beforeId, int limit) {
        if (afterId != null && beforeId != null) {
            throw LaunchpadException.invalid("Give 'after_id' (oldest first, from there on) or 'before_id' (newest first,"
                    + " from there back), not both.");
        }
        return database.read(h -> {
            var q = h.createQuery("SELECT a.*, r.name AS rule_name FROM monitor_alerts a"
                    + " LEFT JOIN monitor_alert_rules r ON r.id = a.rule_id WHERE a.fired_at >= :s"
                    + (afterId != null ? " AND a.id > :a" : "")
                    + (beforeId != null ? " AND a.id < :b" : "")
                    + (deployment != null ? " AND a.deployment = :d" : "")
                    + (afterId != null ? " ORDER BY a.id LIMIT :l" : " ORDER BY a.id DESC LIMIT :l"))
                    .bind("s", since).bind("l", limit);
            if (afterId != null) {
                q.bind("a", afterId.longValue());
            }
            if (beforeId != null) {
                q.bind("b", beforeId.longValue());
            }
            if (deployment != null) {
                q.bind("d", deployment);
            }
            return q.map((rs, ctx) -> {
                ObjectNode details;
                try {
                    details = (ObjectNode) Json.mapper().readTree(rs.getString("details"));
                } catch (java.io.IOException e) {
                    throw new java.sql.SQLException(e);
                }
                return new Alert(rs.getLong("id"), rs.getLong("rule_id"), ruleName(rs), rs.getLong("incident_id"), rs.getLong("result_id"),
                        rs.getString("deployment"), rs.getString("check_name"), rs.getString("severity"),
                        rs.getString("message"), details, rs.getLong("fired_at"));
            }).list();
        });
    }

    /** The newest incidents, newest first. */
    public List<Incident> incidents(String status, String deployment, int limit) {
        return incidents(status, deployment, null, limit);
    }

    /** Incidents newest first; with {@code beforeId}, the newest of those before that id (the next page). */
    public List<Incident> incidents(String status, String deployment, Long beforeId, int limit) {
        if (status != null && !Set.of("open", "acknowledged", "resolved").contains(status)) {
            throw LaunchpadException.invalid("'status' must be open, acknowledged or resolved, got '" + status + "'.");
        }
        return database.read(h -> {
            var q = h.createQuery(INCIDENTS + " WHERE 1 = 1" + (status != null ? " AND i.status = :s" : "")
                    + (deployment != null ? " AND i.deployment = :d" : "") + (beforeId != null ? " AND i.id < :b" : "")
                    + " ORDER BY i.id DESC LIMIT :l").bind("l", limit);
            if (beforeId != null) {
                q.bind("b", beforeId.longValue());
            }
            if (status != null) {
                q.bind("s", status);
            }
            if (deployment != null) {
                q.bind("d", deployment);
            }
            return q.map((rs, ctx) -> incident(rs)).list();
        });
    }

    public Incident incident(long id) {
        return database.read(h -> incident(h, id));
    }

    private static Incident incident(Handle h, long id) {
        return h.createQuery(INCIDENTS + " WHERE i.id = :id").bind("id", id).map((rs, ctx) -> incident(rs)).findOne()
                .orElseThrow(() -> LaunchpadException.notFound("No incident " + id + "."));
    }

    /** Incidents with their rules' names. */
    private static final String INCIDENTS = "SELECT i.*, r.name AS rule_name FROM monitor_incidents i"
            + " LEFT JOIN monitor_alert_rules r ON r.id = i.rule_id";

    /** The {@code rule_name} column as the rule was named: a deleted rule's name without the mark and id added. */
    private static String ruleName(java.sql.ResultSet rs) throws java.sql.SQLException {
        var name = rs.getString("rule_name");
        int mark = name == null ? -1 : name.indexOf(DELETED_MARK);
        return mark < 0 ? name : name.substring(0, mark);
    }

    private static Incident incident(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Incident(rs.getLong("id"), rs.getLong("rule_id"), ruleName(rs), rs.getString("deployment"), rs.getString("check_name"),
                rs.getString("severity"), rs.getString("status"), rs.getString("summary"), rs.getLong("opened_at"),
                Database.nullableLong(rs, "acknowledged_at"), rs.getString("acknowledged_by"),
                Database.nullableLong(rs, "resolved_at"), rs.getString("resolved_by"), rs.getLong("last_alert_at"),
                rs.getInt("alert_count"));
    }

    /**
     * An incident's status, its row locked until the transaction ends (PostgreSQL; SQLite writes one transaction at a
     * time); NOT_FOUND when there is no such incident.
     */
    private String lockedStatus(Handle h, long id) {
        return h.createQuery("SELECT status FROM monitor_incidents WHERE id = :id" + database.dialect().rowLock())
                .bind("id", id).mapTo(String.class).findOne()
                .orElseThrow(() -> LaunchpadException.notFound("No incident " + id + "."));
    }

    /**
     * open → acknowledged; INVALID_STATE otherwise. The incident's row is locked while its status is read (PostgreSQL;
     * SQLite writes one transaction at a time), so two people acting on it at once are answered in turn.
     */
    public Incident acknowledge(long id, String by) {
        database.writeVoid(h -> {
            var current = lockedStatus(h, id);
            long now = clock.millis(); // once the row is ours: an alert that joined meanwhile came before
            if (!current.equals("open")) {
                throw new LaunchpadException(ErrorCode.INVALID_STATE, "Incident " + id + " is " + current
                        + "; only an open incident can be acknowledged.");
            }
            h.createUpdate("UPDATE monitor_incidents SET status = 'acknowledged', acknowledged_at = :t, acknowledged_by = :b"
                    + " WHERE id = :id").bind("t", now).bind("b", by).bind("id", id).execute();
            Webhooks.enqueue(h, incident(h, id), "incident_acknowledged", now);
        });
        return incident(id);
    }

    /** Resolves a deployment's open and acknowledged incidents in the caller's transaction, telling the webhooks. */
    static void resolveAll(Handle h, String deployment, String by, long now) {
        var open = h.createQuery("SELECT id FROM monitor_incidents WHERE deployment = :d AND status <> 'resolved'"
                + " ORDER BY id").bind("d", deployment).mapTo(Long.class).list();
        for (long id : open) {
            markResolved(h, id, by, now);
        }
    }

    /**
     * Resolves an incident in the caller's transaction and queues the event for the webhooks; nothing when it was
     * resolved meanwhile (a person resolving it while its deployment is deleted keeps their resolution, told once).
     */
    private static void markResolved(Handle h, long id, String by, long now) {
        int changed = h.createUpdate("UPDATE monitor_incidents SET status = 'resolved', resolved_at = :t, resolved_by = :b"
                + " WHERE id = :id AND status <> 'resolved'").bind("t", now).bind("b", by).bind("id", id).execute();
        if (changed > 0) {
            Webhooks.enqueue(h, incident(h, id), "incident_resolved", now);
        }
    }

    /** open or acknowledged → resolved; INVALID_STATE when already resolved. */
    public Incident resolve(long id, String by) {
        database.writeVoid(h -> {
            var current = lockedStatus(h, id);
            long now = clock.millis(); // once the row is ours: an alert that joined meanwhile came before
            if (current.equals("resolved")) {
                throw new LaunchpadException(ErrorCode.INVALID_STATE, "Incident " + id + " is already resolved.");
            }
            markResolved(h, id, by, now);
        });
        return incident(id);
    }
}
