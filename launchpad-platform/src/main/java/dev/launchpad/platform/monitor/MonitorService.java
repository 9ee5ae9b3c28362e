package dev.launchpad.platform.monitor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.deploy.Deployment;
import dev.launchpad.platform.deploy.DeploymentService;
import dev.launchpad.platform.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The monitors: per-deployment settings, the scheduled checks (one durable job per deployment in
 * {@code monitor_jobs}, claimed by an optimistic update so that several replicas can share the table and
 * a crashed replica's claim expires), and every check result stored as a time series. Listeners (alerts,
 * Prometheus gauges) hear about each run's results.
 *
 * <p>A run checks the span [to − interval, to) where {@code to} is the end of the last whole window at least
 * {@link #GRACE} old; a job that fell behind (server down) catches up one span per run, from where it stopped.
 */
public final class MonitorService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorService.class);
    /** How long after a window ends its checks wait for late flushes. */
    public static final Duration GRACE = Duration.ofSeconds(5);
    private static final Duration LOCK = Duration.ofMinutes(5);
    /**
     * How far back the scheduler catches up after the server was down (or monitoring stopped): the spans of the last
     * hour, or the last span when spans are longer. Older ones are not checked: their alerts would fire now for
     * traffic long gone, and their cool-downs would hold back today's.
     */
    static final Duration CATCH_UP = Duration.ofHours(1);
    /** Failed runs of one span before it is passed over, so that the spans after it are checked (every 30 s). */
    static final int MAX_SPAN_ATTEMPTS = 10;
    private static final Duration RETRY_AFTER = Duration.ofSeconds(30);

    private final Database database;
    private final Clock clock;
    private final DeploymentService deployments;
    private final WindowStore windows;
    private final Baselines baselines;
    private final Feedback feedback;
    private final Runnable beforeChecks;
    private final String owner = UUID.randomUUID().toString();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<DeploymentList>> deploymentListeners = new CopyOnWriteArrayList<>();
    private volatile Thread scheduler;
    private volatile boolean stopped;
    /** Renews the claims of this replica's runs under way; its thread ends when there are none for a while. */
    private final java.util.concurrent.ScheduledThreadPoolExecutor claimRenewal = claimRenewal();

    private static java.util.concurrent.ScheduledThreadPoolExecutor claimRenewal() {
        var executor = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().daemon().name("monitor-claim-renewal").unstarted(r));
        executor.setKeepAliveTime(10, java.util.concurrent.TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /**
     * @param beforeChecks run before each check run (the local ingestor's flush, so the span is complete)
     */
    public MonitorService(Database database, Clock clock, DeploymentService deployments, WindowStore windows,
                          Baselines baselines, Feedback feedback, Runnable beforeChecks) {
        this.database = database;
        this.clock = clock;
        this.deployments = deployments;
        this.windows = windows;
        this.baselines = baselines;
        this.feedback = feedback;
        this.beforeChecks = beforeChecks;
        deployments.addReferences(this::forget);
    }

    /**
     * Forgets, in the transaction that deletes a deployment, how it was monitored — settings, schedule and check
     * results — and resolves its open incidents (telling the webhooks), so that a deployment created later under the
     * name starts with the defaults and no stale status. Its alerts and incidents stay as the record of what
     * happened; its windows, logged predictions and labels stay until they expire (deleting days of them here would
     * hold every other write back for as long).
     */
    private void forget(org.jdbi.v3.core.Handle h, String deployment) {
        for (var table : List.of("monitor_settings", "monitor_jobs", "monitor_results")) {
            h.createUpdate("DELETE FROM " + table + " WHERE deployment = :d").bind("d", deployment).execute();
        }
        Alerts.resolveAll(h, deployment, "launchpad (deployment deleted)", clock.millis());
    }

    /** A stored check result. */
    public record StoredResult(long id, String deployment, long from, long to, CheckResult result, long checkedAt) {
    }

    /** Hears check results as they are announced. */
    @FunctionalInterface
    public interface Listener {
        /**
         * A current run's results ({@code again} false), or breached results announced again because a listener
         * failed on them or the server stopped before they were heard ({@code again} true): listeners must take a
         * result twice calmly.
         */
        void heard(String deployment, List<StoredResult> results, boolean again);
    }

    /**
     * Hears the results of every run over a current span (see {@link #runChecks}): the scheduler's, and manual ones.
     * A manual run over a span long past is stored and returned but not announced:
     * its alerts would fire now for traffic long gone, and its cool-downs would hold back today's.
     */
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /**
     * The deployments that existed, with monitoring switched on, when they were listed: {@code listedAt} is a
     * {@link System#nanoTime()} reading taken before the list was read, so that a listener can tell what it recorded
     * after that moment (a deployment created or switched on since, and already checked) from what the list truly
     * lacks.
     */
    public record DeploymentList(Set<String> names, long listedAt) {
        public DeploymentList {
            names = Set.copyOf(names);
        }
    }

    /**
     * Hears, at every {@link #runDue} pass, the deployments that exist and are monitored, so that what is kept per
     * deployment outside the database (gauges) can follow deletions and monitoring switched off.
     */
    public void addDeploymentsListener(Consumer<DeploymentList> listener) {
        deploymentListeners.add(listener);
    }

    // ------------------------------------------------------------------ settings

    /** Deployments whose unreadable stored settings were logged (they are read every second). */
    private final Set<String> unreadableSettings = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public MonitorSettings settings(String deployment) {
        return database.read(h -> h.createQuery("SELECT settings FROM monitor_settings WHERE deployment = :d")
                        .bind("d", deployment).mapTo(String.class).findOne())
                .map(text -> parseSettings(deployment, text)).orElse(MonitorSettings.defaults());
    }

    private MonitorSettings parseSettings(String deployment, String text) {
        try {
            return MonitorSettings.fromJson(Json.mapper().readTree(text));
        } catch (java.io.IOException e) {
            // as for a stored field that no longer holds: its default, so the deployment stays monitored
            // and a PATCH can write readable settings again
            if (unreadableSettings.add(deployment)) { // once, not at every scheduler pass
                LOG.error("Deployment {}: its stored monitor settings are not JSON and are back at their"
                        + " defaults until they are set again: {}", deployment, e.getMessage());
            }
            return MonitorSettings.defaults();
        }
    }

    /**
     * Applies {@code patch} to the stored settings: read, changed and written in one transaction that holds the
     * deployment's row, so that two PATCHes at once both take effect, one after the other.
     */
    public MonitorSettings updateSettings(String deployment, com.fasterxml.jackson.databind.JsonNode patch) {
        deployments.get(deployment);
        long now = clock.millis();
        var updated = database.write(h -> {
            // the deployment's row locked first, as its deletion does: one deleted meanwhile is not found, rather than
            // given settings that a deployment created later under its name would inherit
            if (h.createQuery("SELECT 1 FROM deployments WHERE name = :d" + database.dialect().rowLock())
                    .bind("d", deployment).mapTo(Integer.class).findOne().isEmpty()) {
                throw LaunchpadException.notFound("Deployment '" + deployment + "' not found.");
            }
            // the row, to hold: the defaults' where none was stored yet (gone again if the patch is refused)
            h.createUpdate("INSERT INTO monitor_settings (deployment, settings, updated_at) VALUES (:d, :s, :t)"
                    + " ON CONFLICT (deployment) DO NOTHING").bind("d", deployment)
                    .bind("s", MonitorSettings.defaults().toJson().toString()).bind("t", now).execute();
            // held from here to the commit (on PostgreSQL a row lock; SQLite has one writer at a time anyway)
            h.createUpdate("UPDATE monitor_settings SET updated_at = :t WHERE deployment = :d").bind("d", deployment)
                    .bind("t", now).execute();
            var before = parseSettings(deployment, h.createQuery("SELECT settings FROM monitor_settings"
                    + " WHERE deployment = :d").bind("d", deployment).mapTo(String.class).one());
            var after = before.with(patch);
            h.createUpdate("UPDATE monitor_settings SET settings = :s WHERE deployment = :d").bind("d", deployment)
                    .bind("s", after.toJson().toString()).execute();
            // switched on again, or a new interval: the schedule starts afresh from the newest span, rather than
            // checking the time it was off or waiting out the old interval's next run
            if ((after.enabled() && !before.enabled()) || after.intervalMinutes() != before.intervalMinutes()) {
                // a run in progress loses its claim, so that it does not put back the old schedule when it ends
                h.createUpdate("UPDATE monitor_jobs SET last_to = NULL, next_run_at = :n, attempts = 0, last_error = NULL,"
                        + " locked_by = NULL, locked_until = NULL WHERE deployment = :d").bind("n", now).bind("d", deployment)
                        .execute();
            }
            return after;
        });
        unreadableSettings.remove(deployment); // readable again: a later corruption is logged anew
        return updated;
    }

    // ------------------------------------------------------------------ checks

    /** Reads flush this replica at most this often (a dashboard polling a report does not write each time). */
    private static final long READ_FLUSH_EVERY_MS = 5_000;
    /** A read of a span that ended longer ago than this reads what the minute flushes have stored already. */
    private static final long READ_FLUSH_REACH_MS = 2 * 60_000;
    private final Object readFlushLock = new Object();
    private long lastReadFlush = Long.MIN_VALUE; // guarded by readFlushLock: when the last read's flush began

    /**
     * Before a read of stored windows or predictions up to {@code to}: writes what this replica has logged and not
     * yet flushed, when the span reaches into the last two minutes and no read has had it done in the last five
     * seconds (a read meanwhile, while that flush may still be writing, goes on without waiting for it). A flush that
     * fails is logged, and the read goes on without this replica's latest minute rather than failing.
     */
    public void flushForRead(long to) {
        if (to <= clock.millis() - READ_FLUSH_REACH_MS) {
            return;
        }
        synchronized (readFlushLock) {
            long now = clock.millis();
            if (lastReadFlush != Long.MIN_VALUE && now - lastReadFlush < READ_FLUSH_EVERY_MS) {
                return;
            }
            lastReadFlush = now;
        }
        try {
            beforeChecks.run();
        } catch (RuntimeException e) {
            LOG.warn("A read goes on without this replica's unflushed minute: {}", e.toString());
        }
    }

    /**
     * Runs every check of {@code deployment} over [from, to) now and stores the results; announces them (to the
     * alert rules and gauges) when the span is current: it ended within the {@link #CATCH_UP} period, or within the
     * deployment's check interval when that is longer — the spans the scheduler would still check. A span long past
     * (last week's, checked again by hand) is not announced.
     */
    public List<StoredResult> runChecks(String deployment, long from, long to) {
        if (from >= to) {
            throw LaunchpadException.invalid("'from' must be before 'to'.");
        }
        requireRetained(from, to);
        var settings = settings(deployment);
        long interval = settings.intervalMinutes() * 60_000L;
        return run(deployment, from, to, settings, to > clock.millis() - Math.max(CATCH_UP.toMillis(), interval));
    }

    /**
     * INVALID_PARAMETER_VALUE for a span whose edges need windows the retention has deleted: a span's partial hours
     * are read from minute windows and its partial days from hour windows (see {@link WindowStore#summarize}), so an
     * older span must start and end on whole hours, or whole days, rather than be read with its edges missing.
     */
    public void requireRetained(long from, long to) {
        var retention = Retention.defaults();
        // an hour of slack ("the last 7 days" asked a moment after the client computed it is answered); pruning lags
        // by twice that, which covers a prune between this check and the reads, or replicas' clocks apart
        long now = clock.millis() - PRUNE_EVERY.toMillis();
        // per edge, the coarsest windows it must be on for the span to be read from windows still kept: found by
        // moving the named edges out to those windows and looking again, until nothing new comes up (an edge moved to
        // an hour can find that hour gone too, or the other edge's piece grow past its retention)
        var needs = new java.util.EnumMap<Edge, Granularity>(Edge.class);
        long f = from;
        long t = to;
        for (int pass = 0; pass < 4; pass++) {
            var found = unretainedEdges(f, t, now, retention);
            boolean more = false;
            for (var e : found.entrySet()) {
                var before = needs.get(e.getKey());
                var after = before == null ? e.getValue() : coarsest(before, e.getValue());
                more |= after != before;
                needs.put(e.getKey(), after);
            }
            if (!more) {
                break;
            }
            f = needs.containsKey(Edge.FROM) ? needs.get(Edge.FROM).floor(f) : f;
            t = needs.containsKey(Edge.TO) ? needs.get(Edge.TO).ceil(t) : t;
        }
        if (!needs.isEmpty()) {
            var parts = new ArrayList<String>();
            needs.forEach((edge, g) -> parts.add((edge == Edge.FROM ? "'from' (" + Instant.ofEpochMilli(from)
                    : "'to' (" + Instant.ofEpochMilli(to)) + ") on " + (g == Granularity.HOUR ? "a whole hour"
                    : "a whole day (UTC)")));
            throw LaunchpadException.invalid("Minute windows are kept for " + retention.minutes().toDays()
                    + " days and hour windows for " + retention.hours().toDays() + " days, so this span needs "
                    + String.join(" and ", parts) + ": it is then read from the coarser windows, which are kept longer.");
        }
    }

    private enum Edge { FROM, TO }

    /** The edges of [from, to) whose pieces read windows past their retention, and the windows each must be on. */
    private static java.util.Map<Edge, Granularity> unretainedEdges(long from, long to, long now, Retention retention) {
        var span = WindowStore.minutes(from, to);
        var needs = new java.util.EnumMap<Edge, Granularity>(Edge.class);
        for (var tile : WindowStore.tiles(from, to)) {
            var g = Granularity.values()[(int) tile[0]];
            long kept = g == Granularity.MINUTE ? retention.minutes().toMillis()
                    : g == Granularity.HOUR ? retention.hours().toMillis() : Long.MAX_VALUE;
            if (kept == Long.MAX_VALUE || tile[1] >= now - kept) {
                continue;
            }
            // the piece is a partial hour (day) at an edge of the span: that edge, when it is off the hours (days),
            // judged by where the piece's data near it starts, and asked for days when even its hour is past the
            // hours' retention
            var coarser = g == Granularity.MINUTE ? Granularity.HOUR : Granularity.DAY;
            if (coarser.floor(tile[1]) == coarser.floor(span[0]) && coarser.floor(span[0]) != span[0]) {
                needs.merge(Edge.FROM, need(coarser.floor(tile[1]), now, retention), MonitorService::coarsest);
            }
            long nearTo = Math.max(tile[1], coarser.floor(span[1] - 1));
            if (coarser.floor(tile[2] - 1) == coarser.floor(span[1] - 1) && coarser.floor(span[1]) != span[1]
                    && nearTo < now - kept) {
                needs.merge(Edge.TO, need(coarser.floor(nearTo), now, retention), MonitorService::coarsest);
            }
        }
        return needs;
    }

    /** The windows an edge must be on for a span whose data near it starts at {@code start}: hours, or days. */
    private static Granularity need(long start, long now, Retention retention) {
        return start < now - retention.hours().toMillis() ? Granularity.DAY : Granularity.HOUR;
    }

    private static Granularity coarsest(Granularity a, Granularity b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    /**
     * The scheduler's job moved on past a span in the transaction that stores the span's results, while this replica
     * still holds its claim: {@code next} its next run. A claim lost to another replica (this run outlasted it) stores
     * nothing, so a span's results are stored once.
     */
    private record JobAdvance(long next) {
    }

    /** Runs, stores and, when {@code current}, announces a span's checks (the scheduler's spans are all current). */
    private List<StoredResult> run(String deployment, long from, long to, MonitorSettings settings, boolean current) {
        return run(deployment, from, to, settings, current, null);
    }

    /** {@link #run}, moving the scheduler's job on with the results unless {@code advance} is null. */
    private List<StoredResult> run(String deployment, long from, long to, MonitorSettings settings, boolean current,
                                   JobAdvance advance) {
        var d = deployments.get(deployment);
        beforeChecks.run();
        if (advance != null && stopped) {
            throw new Closing(); // the flush before the checks may not have run: the span would lack traffic
        }
        var results = evaluate(d, from, to, settings);
        long now = clock.millis();
        var stored = database.write(h -> {
            var out = new ArrayList<StoredResult>();
            // the deployment's row locked until the results are in: a deletion either comes after (and deletes them)
            // or before (and nothing is stored for a deployment that is gone, or for one created again since)
            var created = h.createQuery("SELECT creation_time FROM deployments WHERE name = :d" + database.dialect().rowLock())
                    .bind("d", deployment).mapTo(Long.class).findOne();
            if (created.isEmpty() || created.get() != d.creationTime()) {
                return out;
            }
            if (advance != null && moveJobOn(h, deployment, to, advance.next()) == 0) {
                LOG.info("Monitor checks of {} over {} lost their claim (another replica took it, or a settings change"
                        + " restarted the schedule): their results are not stored", deployment,
                        Instant.ofEpochMilli(from) + " – " + Instant.ofEpochMilli(to));
                return out;
            }
            for (var r : results) {
                long id = h.createQuery("INSERT INTO monitor_results (deployment, check_name, window_from, window_to, status,"
                                + " metric, threshold, details, checked_at, unannounced) VALUES (:d, :c, :f, :t, :s, :m, :th,"
                                + " :det, :now, :u) RETURNING id")
                        .bind("d", deployment).bind("c", r.check()).bind("f", from).bind("t", to).bind("s", r.status().id())
                        .bind("m", r.metric()).bind("th", r.threshold()).bind("det", detailsWithFeatures(r).toString())
                        .bind("now", now).bind("u", current && r.status() == CheckResult.Status.BREACH ? 1 : 0)
                        .mapTo(Long.class).one();
                out.add(new StoredResult(id, deployment, from, to, r, now));
            }
            return out;
        });
        if (current) {
            try {
                announce(deployment, stored, false);
            } catch (RuntimeException e) {
                // stored already: what was not marked announced, the scheduler announces later
                LOG.warn("Cannot mark the monitor results of {} announced: {}", deployment, e.toString());
            }
        }
        return stored;
    }

    /**
     * Tells every listener; once all have heard them, the breached results are marked announced (else the scheduler
     * announces them again).
     */
    private void announce(String deployment, List<StoredResult> results, boolean again) {
        boolean heard = true;
        for (var l : listeners) {
            try {
                l.heard(deployment, results, again);
            } catch (RuntimeException e) {
                heard = false;
                LOG.warn("A monitor listener failed for {}: {}", deployment, e.toString());
            }
        }
        var breached = results.stream().filter(r -> r.result().status() == CheckResult.Status.BREACH)
                .map(StoredResult::id).toList();
        if (heard && !breached.isEmpty()) {
            database.writeVoid(h -> h.createUpdate("UPDATE monitor_results SET unannounced = 0 WHERE id IN (<ids>)")
                    .bindList("ids", breached).execute());
        }
    }

    /** How long a breached result may wait for its run to announce it before the scheduler does. */
    static final Duration ANNOUNCE_AFTER = Duration.ofMinutes(1);

    /**
     * Announces the breached results that were stored but not heard by every listener (a listener failed, or the
     * server stopped in between) at least {@link #ANNOUNCE_AFTER} ago, within the {@link #CATCH_UP} period (older
     * ones would alert now on traffic long gone, as the scheduler's catch-up would); returns how many.
     */
    int announceLeftovers() {
        long now = clock.millis();
        var left = database.read(h -> h.createQuery("SELECT * FROM monitor_results WHERE unannounced = 1"
                        + " AND checked_at <= :b AND checked_at > :a ORDER BY id LIMIT 1000")
                .bind("b", now - ANNOUNCE_AFTER.toMillis()).bind("a", now - CATCH_UP.toMillis())
                .map((rs, ctx) -> read(rs)).list());
        var byDeployment = new java.util.LinkedHashMap<String, List<StoredResult>>();
        left.forEach(r -> byDeployment.computeIfAbsent(r.deployment(), k -> new ArrayList<>()).add(r));
        byDeployment.forEach((deployment, results) -> {
            LOG.info("Announcing {} breached results of {} that were not heard when they were stored", results.size(),
                    deployment);
            announce(deployment, results, true);
        });
        return left.size();
    }

    private static ObjectNode detailsWithFeatures(CheckResult r) {
        var node = r.details().deepCopy();
        var array = node.putArray("breached_features");
        r.features().forEach(array::add);
        return node;
    }

    /** The check results for a span without storing them. */
    public List<CheckResult> evaluate(Deployment d, long from, long to, MonitorSettings settings) {
        var version = windows.latestVersion(d.name(), from, to);
        WindowData current = version.flatMap(v -> windows.summarize(d.name(), v, from, to)).orElse(null);
        var baseline = version.flatMap(v -> baselines.get(d.modelName(), v)).orElse(null);
        if (baseline == null && version.isEmpty() && d.version() != null) {
            baseline = baselines.get(d.modelName(), d.version()).orElse(null);
        }
        long lookback = Math.max(to - from, settings.performanceLookbackMinutes() * 60_000L);
        var perf = feedback.total(d.name(), to - lookback, to);
        return MonitorChecks.all(current, baseline, perf, settings);
    }

    /** Stored results of a deployment (optionally one check) whose span ends in (from, to], oldest first. */
    public List<StoredResult> results(String deployment, String check, long from, long to, int limit) {
        return results(deployment, check, from, to, limit, null).results();
    }

    /**
     * A page of results: the newest {@code limit} of those before {@code after} (null: of all in the span), oldest
     * first, and where the next (older) page starts, or null when there is none.
     */
    public record ResultPage(List<StoredResult> results, StoredResult olderThan) {
    }

    /** {@link #results(String, String, long, long, int)}, continued before {@code before} (a result of a page before). */
    public ResultPage results(String deployment, String check, long from, long to, int limit, long[] before) {
        if (limit < 1 || limit > 100_000) {
            throw new IllegalArgumentException("limit must be in [1, 100000], got " + limit);
        }
        var sql = "SELECT * FROM monitor_results WHERE deployment = :d AND window_to > :f AND window_to <= :t"
                + (check != null ? " AND check_name = :c" : "")
                + (before != null ? " AND (window_to < :bt OR (window_to = :bt AND id < :bi))" : "")
                + " ORDER BY window_to DESC, id DESC LIMIT :l";
        var list = database.read(h -> {
            var q = h.createQuery(sql).bind("d", deployment).bind("f", from).bind("t", to).bind("l", limit + 1);
            if (check != null) {
                q.bind("c", check);
            }
            if (before != null) {
                q.bind("bt", before[0]).bind("bi", before[1]);
            }
            return q.map((rs, ctx) -> read(rs)).list();
        });
        boolean more = list.size() > limit;
        var out = new ArrayList<>(list.subList(0, Math.min(limit, list.size())));
        java.util.Collections.reverse(out);
        return new ResultPage(out, more ? out.getFirst() : null);
    }

    /** The newest result of each check of a deployment. */
    public List<StoredResult> latest(String deployment) {
        var out = new ArrayList<StoredResult>();
        for (var check : CheckResult.CHECKS) {
            database.read(h -> h.createQuery("SELECT * FROM monitor_results WHERE deployment = :d AND check_name = :c"
                            + " ORDER BY window_to DESC, id DESC LIMIT 1").bind("d", deployment).bind("c", check)
                    .map((rs, ctx) -> read(rs)).findOne()).ifPresent(out::add);
        }
        return out;
    }

    public Optional<StoredResult> result(long id) {
        return database.read(h -> h.createQuery("SELECT * FROM monitor_results WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> read(rs)).findOne());
    }

    private static StoredResult read(java.sql.ResultSet rs) throws java.sql.SQLException {
        ObjectNode details;
        try {
            details = (ObjectNode) Json.mapper().readTree(rs.getString("details"));
        } catch (java.io.IOException e) {
            throw new java.sql.SQLException("corrupt result details", e);
        }
        var features = new ArrayList<String>();
        details.path("breached_features").forEach(n -> features.add(n.asText()));
        details.remove("breached_features");
        double metric = rs.getDouble("metric");
        Double m = rs.wasNull() ? null : metric;
        double threshold = rs.getDouble("threshold");
        Double t = rs.wasNull() ? null : threshold;
        var result = new CheckResult(rs.getString("check_name"), CheckResult.Status.of(rs.getString("status")), m, t,
                features, details);
        return new StoredResult(rs.getLong("id"), rs.getString("deployment"), rs.getLong("window_from"),
                rs.getLong("window_to"), result, rs.getLong("checked_at"));
    }

    // ------------------------------------------------------------------ durable schedule

    /** The end of the newest span due for a deployment checked every {@code minutes}. */
    long dueEnd(long now, int minutes) {
        long span = minutes * 60_000L;
        return Math.floorDiv(now - GRACE.toMillis(), span) * span;
    }

    /**
     * Runs every check span that is due, for every monitored deployment, claiming each deployment's job
     * first; returns the number of spans checked. Safe to call from several replicas at once.
     */
    public int runDue() {
        int runs = 0;
        long listedAt = System.nanoTime();
        var all = deployments.list();
        var settingsOf = new java.util.HashMap<String, MonitorSettings>();
        for (var d : all) {
            try {
                settingsOf.put(d.name(), settings(d.name()));
            } catch (RuntimeException e) {
                // one deployment's unreadable settings stop its checks, not every deployment's
                LOG.error("Deployment {}: monitor settings cannot be read, its checks do not run: {}", d.name(), e.toString());
            }
        }
        var listed = new DeploymentList(all.stream().map(Deployment::name)
                // (one whose settings could not be read this pass keeps its gauges: only monitoring switched off drops them)
                .filter(name -> !settingsOf.containsKey(name) || settingsOf.get(name).enabled())
                .collect(Collectors.toUnmodifiableSet()), listedAt);
        for (var l : deploymentListeners) {
            try {
                l.accept(listed);
            } catch (RuntimeException e) {
                LOG.warn("A monitor deployments listener failed: {}", e.toString());
            }
        }
        for (var d : all) {
            if (stopped) {
                break;
            }
            try {
                runs += runDue(d, settingsOf.get(d.name()));
            } catch (Throwable e) {
                // (the database failing for one deployment's job: the others' are still tried this pass)
                LOG.warn("Deployment {}: its due checks could not be run: {}", d.name(), e.toString());
            }
        }
        try {
            announceLeftovers();
        } catch (RuntimeException e) {
            LOG.warn("Cannot announce the monitor results left unannounced: {}", e.toString());
        }
        return runs;
    }

    /** Runs one deployment's due span, if any, once its job is claimed; 1 when it ran. */
    private int runDue(Deployment d, MonitorSettings settings) {
        if (settings == null || !settings.enabled()) {
            return 0;
        }
        long now = clock.millis();
        long span = settings.intervalMinutes() * 60_000L;
        long end = dueEnd(now, settings.intervalMinutes());
        // (only while it exists: the list may be a moment old, and a job row left behind by a deleted deployment
        // would hand its schedule to one created later under the name)
        var found = job(d.name());
        if (found.isEmpty()) {
            database.writeVoid(h -> {
                // its row locked first: on PostgreSQL a deletion under way is waited for, and then seen
                if (h.createQuery("SELECT 1 FROM deployments WHERE name = :d" + database.dialect().rowLock())
                        .bind("d", d.name()).mapTo(Integer.class).findOne().isPresent()) {
                    h.createUpdate("INSERT INTO monitor_jobs (deployment, next_run_at, attempts) VALUES (:d, :n, 0)"
                            + " ON CONFLICT (deployment) DO NOTHING").bind("d", d.name()).bind("n", now).execute();
                }
            });
            found = job(d.name());
        }
        if (found.isEmpty()) {
            return 0; // deleted since the list was read
        }
        var job = found.get();
        if (job[0] > now) {
            return 0;
        }
        Long lastTo = job[1];
        // after a long pause, only the spans of the catch-up period are checked
        long catchUpFrom = end - Math.max(1, CATCH_UP.toMillis() / span) * span;
        long to = lastTo == null ? end : Math.min(end, Math.max(lastTo, catchUpFrom) + span);
        if (lastTo != null && to <= lastTo) {
            return 0; // nothing new yet (the interval changed, or the clock went back)
        }
        // the claim also checks that nobody has run this span since it was read (a replica catching up)
        var sameSpan = lastTo == null ? " AND last_to IS NULL" : " AND last_to = :last";
        // a claim taken over (it ran out with its run unfinished: the replica stopped, or the run outlasted its
        // renewals) counts as a failed attempt, so a span no run finishes is passed over in the end
        int claimed = database.write(h -> {
            var update = h.createUpdate("UPDATE monitor_jobs SET locked_by = :o, locked_until = :u,"
                            + " attempts = CASE WHEN locked_by IS NULL THEN attempts ELSE attempts + 1 END,"
                            // (the error of an earlier attempt of this span, if any: attempts > 0 only while it is
                            // this span's, a passed-over span's error staying on the job with attempts back at 0)
                            + " last_error = CASE WHEN locked_by IS NULL THEN last_error WHEN attempts > 0"
                            + " THEN COALESCE(last_error, :lapsed) ELSE :lapsed END"
                            + " WHERE deployment = :d AND next_run_at <= :now AND (locked_until IS NULL OR locked_until < :now)"
                            + sameSpan)
                    .bind("lapsed", "a run of " + Instant.ofEpochMilli(to - span) + " – " + Instant.ofEpochMilli(to)
                            + " did not end within its claim (its replica stopped, or it ran over " + MAX_RENEWING + ")")
                    .bind("o", owner).bind("u", now + LOCK.toMillis()).bind("d", d.name()).bind("now", now);
            if (lastTo != null) {
                update.bind("last", lastTo);
            }
            return update.execute();
        });
        if (claimed == 0) {
            return 0; // another replica has it
        }
        long from = to - span;
        // from here the claim is renewed, and whatever fails is this span's failed attempt (the claim released)
        Runnable stopRenewal = renewingClaim(d.name());
        try {
            var claimedWith = settings(d.name()); // read again now that the job is ours
            if (!claimedWith.enabled() || claimedWith.intervalMinutes() != settings.intervalMinutes()) {
                // switched off, or a new interval (the job restarted), since the settings were read: next pass
                release(d.name());
                return 0;
            }
            int lapsed = attempts(d.name());
            if (lapsed >= MAX_SPAN_ATTEMPTS) { // the runs before this claim all failed or lapsed
                var before = lastError(d.name());
                failed(d.name(), from, to, now, new IllegalStateException("its runs failed or did not end within their"
                        + " claims" + (before == null ? "" : "; the last error: " + before)), lapsed);
                return 0; // passed over
            }
            // a span whose results are stored already (by a manual run over its bounds, or before a scheduled run's
            // job moved on in the same transaction as its results) is not run again, which would store its results
            // twice; only results checked once the span had ended count (a manual run over the same bounds, made
            // while the span was still under way, saw part of its traffic)
            boolean stored = database.read(h -> h.createQuery("SELECT 1 FROM monitor_results WHERE deployment = :d"
                            + " AND check_name IN (<checks>) AND window_to = :t AND window_from = :f AND checked_at >= :ended"
                            + " LIMIT 1")
                    .bind("d", d.name()).bindList("checks", List.copyOf(CheckResult.CHECKS)).bind("t", to).bind("f", from)
                    .bind("ended", to + GRACE.toMillis()).mapTo(Integer.class).findOne().isPresent());
            long next = to < end ? now : to + span + GRACE.toMillis(); // catching up: again at once
            if (stored) {
                database.writeVoid(h -> moveJobOn(h, d.name(), to, next));
                return 0;
            }
            // the job moves on in the results' transaction: stored results and the span's end are never apart
            // (nothing stored: the deployment is gone, or the claim was lost to another replica)
            return run(d.name(), from, to, claimedWith, true, new JobAdvance(next)).isEmpty() ? 0 : 1;
        } catch (Throwable e) {
            try {
                if (stopped) {
                    // closing (Closing itself, or its interrupt failing a read): not a failure of the span, whose
                    // next replica or start runs it whole
                    release(d.name());
                } else {
                    failed(d.name(), from, to, now, e); // (an Error too: counted towards passing the span over)
                }
            } catch (RuntimeException f) {
                LOG.warn("Cannot record the failed monitor checks of {} (the claim runs out): {}; they failed with {}",
                        d.name(), f.toString(), e.toString());
            }
            return 0;
        } finally {
            stopRenewal.run();
        }
    }

    /** A scheduled run stopped once its replica began closing, before its checks: its span may lack traffic. */
    private static final class Closing extends RuntimeException {
        Closing() {
            super("closing", null, false, false);
        }
    }

    /**
     * Moves a deployment's job past the span ending at {@code to}, next run at {@code next}, and gives its claim back,
     * if this replica still holds it; returns the rows changed (0: the claim was lost).
     */
    private int moveJobOn(org.jdbi.v3.core.Handle h, String deployment, long to, long next) {
        return h.createUpdate("UPDATE monitor_jobs SET last_to = :t, next_run_at = :n, locked_by = NULL,"
                        + " locked_until = NULL, attempts = 0, last_error = NULL WHERE deployment = :d AND locked_by = :o")
                .bind("t", to).bind("n", next).bind("d", deployment).bind("o", owner).execute();
    }

    /** Gives this replica's claim of a deployment's job back, the job otherwise as it is. */
    private void release(String deployment) {
        database.writeVoid(h -> h.createUpdate("UPDATE monitor_jobs SET locked_by = NULL, locked_until = NULL"
                + " WHERE deployment = :d AND locked_by = :o").bind("d", deployment).bind("o", owner).execute());
    }

    /** How often a run under way renews its claim of {@link #LOCK} (a minute; shorter in tests). */
    private volatile Duration renewClaimsEvery = Duration.ofMinutes(1);

    void renewClaimsEvery(Duration every) {
        renewClaimsEvery = every;
    }

    /** How long a run's claim is renewed at most: one that hangs lets another replica take its span then. */
    static final Duration MAX_RENEWING = Duration.ofHours(1);

    /** Renews the claim of a deployment's run until the returned action stops it; nothing once this is closing. */
    private Runnable renewingClaim(String deployment) {
        long every = renewClaimsEvery.toMillis();
        long until = clock.millis() + MAX_RENEWING.toMillis();
        var warned = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            var renewal = claimRenewal.scheduleWithFixedDelay(() -> {
                long now = clock.millis();
                if (now <= until) {
                    renewClaim(deployment, now);
                } else if (!warned.getAndSet(true)) {
                    LOG.warn("The monitor checks of {} have run for {} and renew their claim no more: another"
                            + " replica may take their span over", deployment, MAX_RENEWING);
                }
            }, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
            return () -> renewal.cancel(false);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return () -> { };
        }
    }

    private void renewClaim(String deployment, long now) {
        try {
            database.writeVoid(h -> h.createUpdate("UPDATE monitor_jobs SET locked_until = :u WHERE deployment = :d"
                    + " AND locked_by = :o").bind("u", now + LOCK.toMillis()).bind("d", deployment)
                    .bind("o", owner).execute());
        } catch (RuntimeException e) {
            LOG.warn("Cannot renew the claim of the monitor checks of {} under way: {}", deployment, e.toString());
        }
    }

    private String lastError(String deployment) {
        return database.read(h -> h.createQuery("SELECT last_error FROM monitor_jobs WHERE deployment = :d")
                .bind("d", deployment).mapTo(String.class).findOne().orElse(null));
    }

    private int attempts(String deployment) {
        return database.read(h -> h.createQuery("SELECT attempts FROM monitor_jobs WHERE deployment = :d")
                .bind("d", deployment).mapTo(Integer.class).findOne().orElse(0));
    }

    /** A job's next run and the end of the last span it checked (null before the first), if it has a row. */
    private Optional<Long[]> job(String deployment) {
        return database.read(h -> h.createQuery("SELECT next_run_at, last_to FROM monitor_jobs WHERE deployment = :d")
                .bind("d", deployment).map((rs, ctx) -> {
                    long next = rs.getLong(1);
                    long last = rs.getLong(2);
                    return new Long[] {next, rs.wasNull() ? null : last};
                }).findOne());
    }

    /**
     * Records a failed run of [from, to): tried again in 30 s, and after {@link #MAX_SPAN_ATTEMPTS} failures passed
     * over (the job moves on to the next span; the error stays on the job until a run succeeds).
     */
    private void failed(String deployment, long from, long to, long now, Throwable e) {
        failed(deployment, from, to, now, e, attempts(deployment) + 1);
    }

    /** {@link #failed}, the span's {@code attempts} counted already (this one's included, if any). */
    private void failed(String deployment, long from, long to, long now, Throwable e, int attempts) {
        boolean passOver = attempts >= MAX_SPAN_ATTEMPTS;
        var error = Instant.ofEpochMilli(from) + " – " + Instant.ofEpochMilli(to) + ": "
                + (e.getMessage() != null ? e.getMessage() : e.toString())
                + (passOver ? " (passed over after " + attempts + " attempts)" : "");
        int recorded = database.write(h -> h.createUpdate("UPDATE monitor_jobs SET locked_by = NULL, locked_until = NULL,"
                        + " attempts = :a, last_error = :e, next_run_at = :n"
                        + (passOver ? ", last_to = :t" : "") + " WHERE deployment = :d AND locked_by = :o")
                .bind("a", passOver ? 0 : attempts).bind("e", error).bind("n", passOver ? now : now + RETRY_AFTER.toMillis())
                .bind("t", to).bind("d", deployment).bind("o", owner).execute());
        if (recorded == 0) {
            LOG.info("Monitor checks of {} failed after their claim was dropped (a settings change, or another"
                    + " replica): {}", deployment, e.toString());
        } else if (passOver) {
            LOG.error("Monitor checks of {} over {} failed {} times; going on with the next span", deployment,
                    Instant.ofEpochMilli(from) + " – " + Instant.ofEpochMilli(to), attempts, e);
        } else {
            LOG.warn("Monitor checks of {} failed (attempt {}): {}", deployment, attempts, e.toString());
        }
    }

    /** A deployment's scheduled job: the end of the last span checked, the next run, and the latest failure. */
    public record Schedule(Long lastTo, long nextRunAt, int attempts, String lastError) {
    }

    /** The deployment's scheduled job, or empty before its first run. */
    public Optional<Schedule> schedule(String deployment) {
        return database.read(h -> h.createQuery("SELECT last_to, next_run_at, attempts, last_error FROM monitor_jobs"
                        + " WHERE deployment = :d").bind("d", deployment)
                .map((rs, ctx) -> new Schedule(Database.nullableLong(rs, "last_to"), rs.getLong("next_run_at"),
                        rs.getInt("attempts"), rs.getString("last_error"))).findOne());
    }

    /** Starts the background scheduler, polling every {@code poll}. */
    public void start(Duration poll) {
        // (assigned before it starts: a close() from one of its own runs must find it to interrupt and wait for)
        var thread = Thread.ofPlatform().daemon().name("launchpad-monitor-scheduler").unstarted(() -> {
            long lastPrune = 0;
            while (!stopped) {
                try {
                    Thread.sleep(poll.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                // each in its own try: a pass that keeps failing does not hold the pruning back, nor the reverse; and
                // an Error (out of memory reading a large window) fails the pass, not the scheduler for good
                try {
                    runDue();
                } catch (Throwable e) { // whatever it is, it fails the pass, not the scheduler for good
                    LOG.warn("Monitor scheduler: {}", e.toString());
                }
                if (System.nanoTime() - lastPrune > PRUNE_EVERY.toNanos() || lastPrune == 0) {
                    lastPrune = System.nanoTime();
                    try {
                        prune(Retention.defaults());
                    } catch (Throwable e) {
                        LOG.warn("Monitor pruning: {}", e.toString());
                    }
                }
            }
        });
        scheduler = thread;
        thread.start();
    }

    /** How often the scheduler deletes what is past the retention. */
    private static final Duration PRUNE_EVERY = Duration.ofHours(1);

    /**
     * How long stored monitoring data is kept: minute windows, hour windows, logged predictions and labels, results
     * (and webhook deliveries that were delivered or given up).
     */
    public record Retention(Duration minutes, Duration hours, Duration predictions, Duration results) {
        public static Retention defaults() {
            return new Retention(Duration.ofDays(7), Duration.ofDays(90), Duration.ofDays(30), Duration.ofDays(90));
        }
    }

    // pruned through the indexes that lead with the deployment: V8's primary keys and series index, V10's
    private static final AgedRows MINUTE_WINDOWS = new AgedRows("monitor_windows", List.of("deployment"),
            "granularity = 'minute'", "window_start", 100); // profiles and samples: large rows
    private static final AgedRows HOUR_WINDOWS = new AgedRows("monitor_windows", List.of("deployment"),
            "granularity = 'hour'", "window_start", 100);
    private static final AgedRows PREDICTIONS = new AgedRows("monitor_predictions", List.of("deployment"), "",
            "predicted_at", 20_000); // about 25 ms a batch on SQLite; the longest write waited 38 ms (docs/benchmarks.md)
    private static final AgedRows FEEDBACK = new AgedRows("monitor_feedback", List.of("deployment"), "", "received_at",
            20_000);
    private static final AgedRows RESULTS = new AgedRows("monitor_results", List.of("deployment", "check_name"), "",
            "window_to", 5_000);

    /** What {@link #prune} deletes by age through the deployment's index (finished webhook deliveries aside). */
    static List<AgedRows> prunedByDeployment() {
        return List.of(MINUTE_WINDOWS, HOUR_WINDOWS, PREDICTIONS, FEEDBACK, RESULTS);
    }

    /** Deletes what is older than the retention (day windows, alerts and incidents are kept); returns rows deleted. */
    public int prune(Retention retention) {
        long now = clock.millis();
        // windows two hours past their retention: requireRetained accepts spans reaching an hour past it, and the
        // second hour covers a prune between its check and the reads, or replicas' clocks apart (not both at once
        // beyond an hour in all)
        long lag = 2 * PRUNE_EVERY.toMillis();
        // a batch a transaction: writers (the window flusher, on SQLite every writer) wait for one at a time
        int n = MINUTE_WINDOWS.deleteBefore(database, now - retention.minutes().toMillis() - lag);
        n += HOUR_WINDOWS.deleteBefore(database, now - retention.hours().toMillis() - lag);
        n += PREDICTIONS.deleteBefore(database, now - retention.predictions().toMillis());
        n += FEEDBACK.deleteBefore(database, now - retention.predictions().toMillis());
        n += RESULTS.deleteBefore(database, now - retention.results().toMillis());
        // finished ones, by when they finished: delivered, or given up at their last attempt
        n += deleteOlder("DELETE FROM monitor_deliveries WHERE status <> 'pending' AND COALESCE(delivered_at, next_attempt_at) < :t",
                now - retention.results().toMillis());
        return n;
    }

    private int deleteOlder(String delete, long before) {
        return database.write(h -> h.createUpdate(delete).bind("t", before).execute());
    }

    @Override
    public void close() {
        stopped = true;
        if (scheduler != null) {
            scheduler.interrupt();
            try {
                scheduler.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        claimRenewal.shutdownNow();
        try {
            // a run still under way past the wait stores nothing now, so its span goes to the next replica or start
            // at once rather than when the claim runs out (and not as a failed attempt)
            database.writeVoid(h -> h.createUpdate("UPDATE monitor_jobs SET locked_by = NULL, locked_until = NULL"
                    + " WHERE locked_by = :o").bind("o", owner).execute());
        } catch (RuntimeException e) {
            LOG.warn("Cannot give the monitor jobs' claims back: {}", e.toString());
        }
    }
}
