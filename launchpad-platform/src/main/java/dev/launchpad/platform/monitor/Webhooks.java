package dev.launchpad.platform.monitor;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.store.Database;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Alert webhooks: JSON POSTs signed with HMAC-SHA256, delivered from a durable outbox
 * ({@code monitor_deliveries}) and retried with exponential backoff for about a day. A receiver checks
 * {@code X-Launchpad-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}
 * (and rejects old timestamps to stop replays). Secrets are stored as given: they are needed to sign.
 *
 * <p>Each webhook is sent to by a thread of its own, so that a receiver that is down or slow delays only its own
 * deliveries; a request gets {@link #REQUEST_TIMEOUT} (by default) in all, its answer's body included. Deliveries are
 * retried each on its own schedule (a receiver may refuse one and take the next), except that one the receiver could
 * not be reached for holds back the webhook's other deliveries due at that moment until its own next attempt, so that
 * a receiver that is down is not tried once a pass for each of them. A delivery is given up after
 * {@link #MAX_ATTEMPTS} attempts or {@link #GIVE_UP_AFTER}, whichever comes first.
 */
public final class Webhooks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
    public static final String SIGNATURE_HEADER = "X-Launchpad-Signature";
    /**
     * Attempts before a delivery is given up as failed: with the waits doubling from 2 s up to an hour, about a
     * day of them (a receiver being redeployed, or down overnight, still gets its alerts).
     */
    public static final int MAX_ATTEMPTS = 36;
    /**
     * How long after it was queued (or redelivered) a delivery is given up, however few attempts it had: one held
     * back behind another that could not reach the receiver is not charged an attempt, so without this a backlog of
     * them would be tried for days.
     */
    public static final Duration GIVE_UP_AFTER = Duration.ofHours(26);
    /** Longest wait between two attempts. */
    private static final long MAX_BACKOFF_MS = 3_600_000;
    /** What one attempt may take by default, from connecting to the end of the receiver's answer. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final Database database;
    private final Clock clock;
    private final Duration baseBackoff;
    private final Duration requestTimeout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Thread dispatcher;
    private volatile boolean stopped;
    /** The webhooks being sent to now, and by which thread. */
    private final ConcurrentHashMap<Long, Thread> sending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("launchpad-webhook-deadlines").factory());

    /** @param baseBackoff the wait after the first failure; doubled after each further one (capped at one hour) */
    public Webhooks(Database database, Clock clock, Duration baseBackoff) {
        this(database, clock, baseBackoff, REQUEST_TIMEOUT);
    }

    /** @param requestTimeout what one attempt may take, from connecting to the end of the receiver's answer */
    public Webhooks(Database database, Clock clock, Duration baseBackoff, Duration requestTimeout) {
        this.database = database;
        this.clock = clock;
        this.baseBackoff = baseBackoff;
        if (requestTimeout.isNegative() || requestTimeout.isZero() || requestTimeout.compareTo(CLAIM.dividedBy(2)) > 0) {
            throw new IllegalArgumentException("a request timeout is positive and at most " + CLAIM.dividedBy(2));
        }
        this.requestTimeout = requestTimeout;
    }

    /** A webhook; the secret is only shown when it is created. */
    public record Webhook(long id, String url, boolean enabled, long createdAt) {
    }

    /** A created webhook and its signing secret. */
    public record Created(Webhook webhook, String secret) {
    }

    /**
     * A delivery of one event to one webhook: {@code alert}, or {@code incident_acknowledged} or
     * {@code incident_resolved}, whose {@code alertId} is the incident's latest alert.
     */
    public record Delivery(long id, long webhookId, long alertId, String event, String status, int attempts,
                           long nextAttemptAt, String lastError, Long deliveredAt) {
    }

    public Created create(String url, String secret) {
        URI uri;
        try {
            uri = URI.create(url == null ? "" : url);
        } catch (IllegalArgumentException e) {
            throw LaunchpadException.invalid("'url' is not a URL: " + e.getMessage());
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw LaunchpadException.invalid("'url' must be an http or https URL, got '" + url + "'.");
        }
        if (secret == null) {
            var bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            secret = HexFormat.of().formatHex(bytes);
        } else if (secret.length() < 16 || secret.length() > 256) {
            throw LaunchpadException.invalid("'secret' must have 16 to 256 characters.");
        }
        long now = clock.millis();
        var s = secret;
        long id = database.write(h -> h.createQuery("INSERT INTO monitor_webhooks (url, secret, enabled, created_at)"
                + " VALUES (:u, :s, 1, :t) RETURNING id").bind("u", url).bind("s", s).bind("t", now).mapTo(Long.class).one());
        return new Created(new Webhook(id, url, true, now), secret);
    }

    public List<Webhook> list() {
        return database.read(h -> h.createQuery("SELECT id, url, enabled, created_at FROM monitor_webhooks ORDER BY id")
                .map((rs, ctx) -> new Webhook(rs.getLong(1), rs.getString(2), rs.getInt(3) != 0, rs.getLong(4))).list());
    }

    public void delete(long id) {
        if (database.write(h -> h.createUpdate("DELETE FROM monitor_webhooks WHERE id = :id").bind("id", id).execute()) == 0) {
            throw LaunchpadException.notFound("No webhook " + id + ".");
        }
    }

    /**
     * A webhook's newest {@code limit} deliveries, newest first, or with {@code beforeId} the newest of those before
     * that delivery (the next page); NOT_FOUND when there is no such webhook.
     */
    public List<Delivery> deliveries(long webhookId, Long beforeId, int limit) {
        return database.read(h -> {
            if (h.createQuery("SELECT id FROM monitor_webhooks WHERE id = :w").bind("w", webhookId).mapTo(Long.class)
                    .findOne().isEmpty()) {
                throw LaunchpadException.notFound("No webhook " + webhookId + ".");
            }
            var q = h.createQuery("SELECT * FROM monitor_deliveries WHERE webhook_id = :w"
                    + (beforeId != null ? " AND id < :b" : "") + " ORDER BY id DESC LIMIT :l")
                    .bind("w", webhookId).bind("l", limit);
            if (beforeId != null) {
                q.bind("b", beforeId.longValue());
            }
            return q.map((rs, ctx) -> delivery(rs)).list();
        });
    }


    private static Delivery delivery(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Delivery(rs.getLong("id"), rs.getLong("webhook_id"), rs.getLong("alert_id"), rs.getString("event"),
                rs.getString("status"), rs.getInt("attempts"), rs.getLong("next_attempt_at"), rs.getString("last_error"),
                Database.nullableLong(rs, "delivered_at"));
    }

    /**
     * Sends a delivered or failed delivery again, from its first attempt on (a receiver that was down for longer than
     * the retries lasted, or lost what it got); INVALID_STATE while it is still pending.
     */
    public Delivery redeliver(long webhookId, long deliveryId) {
        long now = clock.millis();
        return database.write(h -> {
            var current = h.createQuery("SELECT * FROM monitor_deliveries WHERE id = :id AND webhook_id = :w"
                            + database.dialect().rowLock()).bind("id", deliveryId).bind("w", webhookId)
                    .map((rs, ctx) -> delivery(rs)).findOne()
                    .orElseThrow(() -> LaunchpadException.notFound("Webhook " + webhookId + " has no delivery " + deliveryId + "."));
            if (current.status().equals("pending")) {
                throw new LaunchpadException(ErrorCode.INVALID_STATE, "Delivery " + deliveryId
                        + " is still pending (attempt " + (current.attempts() + 1) + " is due at "
                        + Instant.ofEpochMilli(current.nextAttemptAt()) + ").");
            }
            h.createUpdate("UPDATE monitor_deliveries SET status = 'pending', attempts = 0, next_attempt_at = :t,"
                    + " delivered_at = NULL, give_up_at = :g WHERE id = :id").bind("t", now)
                    .bind("g", now + GIVE_UP_AFTER.toMillis()).bind("id", deliveryId).execute();
            return new Delivery(current.id(), webhookId, current.alertId(), current.event(), "pending", 0, now,
                    current.lastError(), null);
        });
    }

    /** Queues an alert for every enabled webhook, in the caller's transaction. */
    static void enqueue(Handle h, Alerts.Alert alert, String ruleName, long now) {
        var payload = Json.mapper().createObjectNode();
        payload.put("type", "alert");
        payload.put("alert_id", alert.id());
        payload.put("incident_id", alert.incidentId());
        payload.put("rule", ruleName);
        payload.put("deployment", alert.deployment());
        payload.put("check", alert.check());
        payload.put("severity", alert.severity());
        payload.put("message", alert.message());
        payload.put("fired_at", alert.firedAt());
        payload.set("details", alert.details());
        queue(h, "alert", alert.id(), payload.toString(), now);
    }

    /**
     * Queues an incident's acknowledgement or resolution ({@code event}: {@code incident_acknowledged} or
     * {@code incident_resolved}) for every enabled webhook, in the caller's transaction.
     */
    static void enqueue(Handle h, Alerts.Incident incident, String event, long now) {
        var payload = Json.mapper().createObjectNode();
        payload.put("type", event);
        payload.put("incident_id", incident.id());
        payload.put("rule", incident.ruleName());
        payload.put("deployment", incident.deployment());
        payload.put("check", incident.check());
        payload.put("severity", incident.severity());
        payload.put("status", incident.status());
        payload.put("summary", incident.summary());
        payload.put("opened_at", incident.openedAt());
        payload.put("alert_count", incident.alertCount());
        if (incident.acknowledgedAt() != null) {
            payload.put("acknowledged_at", incident.acknowledgedAt()).put("acknowledged_by", incident.acknowledgedBy());
        }
        if (incident.resolvedAt() != null) {
            payload.put("resolved_at", incident.resolvedAt()).put("resolved_by", incident.resolvedBy())
                    .put("time_to_resolve_ms", incident.resolvedAt() - incident.openedAt());
        }
        long latestAlert = h.createQuery("SELECT MAX(id) FROM monitor_alerts WHERE incident_id = :i")
                .bind("i", incident.id()).mapTo(Long.class).one();
        payload.put("alert_id", latestAlert); // the incident's latest alert, and when this happened: to order events by
        payload.put("at", now);
        queue(h, event, latestAlert, payload.toString(), now);
    }

    private static void queue(Handle h, String event, long alertId, String payload, long now) {
        h.createUpdate("INSERT INTO monitor_deliveries (webhook_id, alert_id, event, payload, status, attempts,"
                        + " next_attempt_at, created_at, give_up_at) SELECT id, :a, :e, :p, 'pending', 0, :t, :t, :g"
                        + " FROM monitor_webhooks WHERE enabled = 1")
                .bind("a", alertId).bind("e", event).bind("p", payload).bind("t", now)
                .bind("g", now + GIVE_UP_AFTER.toMillis()).execute();
    }

    /** The signature header value for {@code body} sent at {@code unixSeconds}. */
    public static String sign(String secret, long unixSeconds, String body) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            var digest = mac.doFinal((unixSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
            return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether {@code header} is a valid signature of {@code body} made within {@code tolerance} of {@code at} (either
     * side: clocks differ): what a receiver checks, so that a request recorded on the way cannot be sent it again later.
     */
    public static boolean verify(String secret, String header, String body, java.time.Duration tolerance,
                                 java.time.Instant at) {
        if (tolerance.isNegative()) {
            throw new IllegalArgumentException("tolerance must not be negative: " + tolerance);
        }
        Long t = signedAt(header);
        if (t == null || !signs(secret, t, header, body)) {
            return false;
        }
        long now = at.getEpochSecond();
        // (as a difference that cannot overflow: t is whatever the header says)
        long seconds = Math.min(tolerance.toSeconds(), Long.MAX_VALUE / 4);
        return t >= now - seconds && t <= now + seconds;
    }

    /**
     * Whether {@code header} is a valid signature of {@code body} (constant-time comparison), made at any time; see
     * {@link #verify(String, String, String, java.time.Duration, java.time.Instant)} for a receiver's check.
     */
    public static boolean verify(String secret, String header, String body) {
        Long t = signedAt(header);
        return t != null && signs(secret, t, header, body);
    }

    /** The unix seconds a signature header says it was made at; null when it is not one. */
    private static Long signedAt(String header) {
        if (header == null || !header.startsWith("t=") || !header.contains(",v1=")) {
            return null;
        }
        try {
            return Long.parseLong(header.substring(2, header.indexOf(',')));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Whether {@code header} is the signature of {@code body} made at {@code t} (constant-time comparison). */
    private static boolean signs(String secret, long t, String header, String body) {
        return java.security.MessageDigest.isEqual(sign(secret, t, body).getBytes(StandardCharsets.UTF_8),
                header.getBytes(StandardCharsets.UTF_8));
    }

    /** A delivery due now; {@code giveUpAt} null for a row queued without one (by an older server): no deadline. */
    private record Due(long id, String url, String secret, String payload, int attempts, Long giveUpAt) {
    }

    /** How an attempt went. */
    private enum Outcome {
        DELIVERED,
        /** the receiver answered with an error status */
        REFUSED,
        /** no complete answer: could not connect, or timed out */
        UNREACHABLE,
        /** another dispatcher had claimed it */
        NOT_CLAIMED,
        INTERRUPTED
    }

    /**
     * Attempts every delivery that is due now, each webhook's on a thread of its own, and returns once they are done;
     * returns how many it attempted. A webhook already being sent to (by the background dispatcher) is left to it.
     */
    public int deliverDue() {
        var attempted = new AtomicInteger();
        var threads = dispatch(attempted);
        try {
            for (var t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return attempted.get();
    }

    /** Starts a thread for every webhook with deliveries due and none sending to it yet; returns them. */
    private List<Thread> dispatch(AtomicInteger attempted) {
        long now = clock.millis();
        var webhooksDue = database.read(h -> h.createQuery("SELECT DISTINCT webhook_id FROM monitor_deliveries"
                + " WHERE status = 'pending' AND next_attempt_at <= :n").bind("n", now).mapTo(Long.class).list());
        var started = new ArrayList<Thread>();
        for (long webhook : webhooksDue) {
            var thread = Thread.ofVirtual().name("launchpad-webhook-" + webhook).unstarted(() -> {
                try {
                    sendDue(webhook, attempted);
                } catch (RuntimeException e) {
                    LOG.warn("Webhook {}: {}", webhook, e.toString());
                } finally {
                    sending.remove(webhook, Thread.currentThread());
                }
            });
            if (sending.putIfAbsent(webhook, thread) == null) {
                started.add(thread);
                thread.start();
            }
        }
        return started;
    }

    /**
     * Attempts a webhook's due deliveries, oldest first; at the first the receiver could not be reached for, the others
     * due are put off to that one's next attempt (not charged an attempt).
     */
    private void sendDue(long webhook, AtomicInteger attempted) {
        long now = clock.millis();
        var due = database.read(h -> h.createQuery("SELECT d.id, w.url, w.secret, d.payload, d.attempts, d.give_up_at"
                        + " FROM monitor_deliveries d"
                        + " JOIN monitor_webhooks w ON w.id = d.webhook_id WHERE d.webhook_id = :w AND d.status = 'pending'"
                        + " AND d.next_attempt_at <= :n ORDER BY d.id LIMIT 100").bind("w", webhook).bind("n", now)
                .map((rs, ctx) -> new Due(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                        Database.nullableLong(rs, "give_up_at")))
                .list());
        for (var d : due) {
            if (stopped) {
                return;
            }
            var outcome = attempt(d);
            if (outcome != Outcome.NOT_CLAIMED && outcome != Outcome.INTERRUPTED) {
                attempted.incrementAndGet();
            }
            if (outcome == Outcome.UNREACHABLE) {
                long at = clock.millis();
                database.writeVoid(h -> {
                    // the due ones (none claimed): those past their time are given up, the others wait for this one
                    h.createUpdate("UPDATE monitor_deliveries SET status = 'failed', last_error = :e WHERE webhook_id = :w"
                                    + " AND status = 'pending' AND id <> :id AND next_attempt_at <= :n AND give_up_at <= :n")
                            .bind("e", "given up after " + GIVE_UP_AFTER.toHours() + " hours: the receiver could not be"
                                    + " reached (delivery " + d.id() + ")").bind("id", d.id()).bind("w", webhook)
                            .bind("n", at).execute();
                    h.createUpdate("UPDATE monitor_deliveries SET next_attempt_at = (SELECT next_attempt_at FROM"
                                    + " monitor_deliveries WHERE id = :id) WHERE webhook_id = :w AND status = 'pending'"
                                    + " AND id <> :id AND next_attempt_at <= :n")
                            .bind("id", d.id()).bind("w", webhook).bind("n", at).execute();
                });
                return;
            }
            if (outcome == Outcome.INTERRUPTED) {
                return;
            }
        }
    }

    private Outcome attempt(Due d) {
        // claim it, so that another dispatcher (a replica, or a manual run) does not send it too
        long claimAt = clock.millis(); // now, not when the batch was read: earlier sends may have taken a while
        long lease = claimAt + CLAIM.toMillis();
        int claimed = database.write(h -> h.createUpdate("UPDATE monitor_deliveries SET next_attempt_at = :lease"
                        + " WHERE id = :id AND status = 'pending' AND next_attempt_at <= :n")
                .bind("lease", lease).bind("id", d.id()).bind("n", claimAt).execute());
        if (claimed == 0) {
            return Outcome.NOT_CLAIMED;
        }
        String error = null;
        var outcome = Outcome.DELIVERED;
        var deadline = new Deadline(Thread.currentThread());
        try {
            var request = HttpRequest.newBuilder(URI.create(d.url())).timeout(requestTimeout)
                    .header("Content-Type", "application/json")
                    .header(SIGNATURE_HEADER, sign(d.secret(), clock.millis() / 1000, d.payload()))
                    .header("X-Launchpad-Delivery", Long.toString(d.id()))
                    .POST(HttpRequest.BodyPublishers.ofString(d.payload())).build();
            // the request's own timeout ends when the headers arrive; the deadline interrupts a body that does not end
            deadline.start(timer, requestTimeout);
            var response = http.send(request, HttpResponse.BodyHandlers.discarding());
            deadline.finish();
            if (response.statusCode() / 100 != 2) {
                error = "HTTP " + response.statusCode();
                outcome = Outcome.REFUSED;
            }
        } catch (InterruptedException e) {
            if (!deadline.finish()) {
                Thread.currentThread().interrupt();
                return Outcome.INTERRUPTED; // closing: the claim runs out and the delivery is tried again
            }
            error = "no complete answer within " + requestTimeout.toMillis() + " ms";
            outcome = Outcome.UNREACHABLE;
        } catch (java.io.IOException e) {
            deadline.finish();
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
            outcome = Outcome.UNREACHABLE;
        } catch (RuntimeException e) {
            deadline.finish();
            error = e.getClass().getSimpleName() + ": " + e.getMessage(); // a URL the client cannot send to
            outcome = Outcome.REFUSED;
        }
        int attempts = d.attempts() + 1;
        long at = clock.millis();
        if (error == null) {
            database.writeVoid(h -> h.createUpdate("UPDATE monitor_deliveries SET status = 'delivered', attempts = :a,"
                    + " delivered_at = :t, last_error = NULL WHERE id = :id AND next_attempt_at = :lease")
                    .bind("a", attempts).bind("t", at).bind("id", d.id()).bind("lease", lease).execute());
        } else {
            long wait = Math.min(MAX_BACKOFF_MS, baseBackoff.toMillis() << Math.min(20, attempts - 1));
            var status = attempts >= MAX_ATTEMPTS || (d.giveUpAt() != null && at >= d.giveUpAt()) ? "failed" : "pending";
            var message = error;
            // only while the claim is still ours: a late failure must not undo another dispatcher's delivery
            database.writeVoid(h -> h.createUpdate("UPDATE monitor_deliveries SET status = :s, attempts = :a,"
                    + " next_attempt_at = :n, last_error = :e WHERE id = :id AND next_attempt_at = :lease")
                    .bind("s", status).bind("a", attempts).bind("n", at + wait).bind("e", message).bind("id", d.id())
                    .bind("lease", lease).execute());
            LOG.info("Webhook delivery {} to {} failed ({}), attempt {} of {}", d.id(), origin(d.url()), error, attempts,
                    MAX_ATTEMPTS);
        }
        return outcome;
    }

    /**
     * Where a URL points, for the log: its scheme, host and port, without what often carries a credential — user
     * information, and a path or query (a chat service's webhook URL is its own secret).
     */
    static String origin(String url) {
        try {
            var uri = URI.create(url);
            if (uri.getHost() == null) {
                return "(a URL without a host)";
            }
            boolean more = uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")
                    || uri.getRawQuery() != null || uri.getRawUserInfo() != null;
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                    + (more ? "/…" : "/");
        } catch (IllegalArgumentException e) {
            return "(not a URL)";
        }
    }

    /**
     * Interrupts a thread sending a request once its time is up, unless it has finished by then. The HTTP client's
     * blocking send is used, with this, rather than its asynchronous one, which completes on the common fork-join
     * pool and so can stall while that pool is busy.
     */
    private static final class Deadline {
        private final Thread sender;
        private boolean finished;
        private boolean expired;
        private ScheduledFuture<?> alarm;

        Deadline(Thread sender) {
            this.sender = sender;
        }

        synchronized void start(ScheduledExecutorService timer, Duration after) {
            alarm = timer.schedule(this::expire, after.toMillis(), TimeUnit.MILLISECONDS);
        }

        private synchronized void expire() {
            if (!finished) {
                expired = true;
                sender.interrupt();
            }
        }

        /** Ends the wait; returns whether the time ran out, in which case the interrupt it caused is cleared. */
        synchronized boolean finish() {
            finished = true;
            if (alarm != null) {
                alarm.cancel(false);
            }
            if (expired) {
                Thread.interrupted();
            }
            return expired;
        }
    }

    /** How long a claimed delivery is left to its dispatcher (longer than a request may take). */
    private static final Duration CLAIM = Duration.ofMinutes(1);

    /** Starts delivering in the background, looking for due deliveries every {@code poll}. */
    public void start(Duration poll) {
        dispatcher = Thread.ofPlatform().daemon().name("launchpad-webhooks").start(() -> {
            while (!stopped) {
                LockSupport.parkNanos(poll.toNanos()); // close() unparks it
                if (stopped) {
                    return;
                }
                try {
                    dispatch(new AtomicInteger()); // webhooks still sending are left to it
                } catch (RuntimeException e) {
                    LOG.warn("Webhook dispatcher: {}", e.toString());
                }
            }
        });
    }

    /**
     * Stops sending: no delivery is started from now on, and those being sent finish (within the request timeout);
     * they are not interrupted, as an interrupt could land in the database call that records their outcome.
     */
    @Override
    public void close() {
        stopped = true;
        var threads = new ArrayList<Thread>(sending.values());
        if (dispatcher != null) {
            LockSupport.unpark(dispatcher);
            threads.add(dispatcher);
        }
        try {
            for (var t : threads) {
                t.join(requestTimeout.toMillis() + 5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
    }
}
