package dev.launchpad.platform.monitor;

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
import java.util.HexFormat;
import java.util.List;

/**
 * Alert webhooks: JSON POSTs signed with HMAC-SHA256, delivered from a durable outbox
 * ({@code monitor_deliveries}) and retried with exponential backoff. A receiver checks
 * {@code X-Launchpad-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}
 * (and rejects old timestamps to stop replays). Secrets are stored as given: they are needed to sign.
 */
public final class Webhooks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
    public static final String SIGNATURE_HEADER = "X-Launchpad-Signature";
    /** Attempts before a delivery is given up as failed. */
    public static final int MAX_ATTEMPTS = 8;

    private final Database database;
    private final Clock clock;
    private final Duration baseBackoff;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Thread dispatcher;
    private volatile boolean stopped;

    /** @param baseBackoff the wait after the first failure; doubled after each further one (capped at one hour) */
    public Webhooks(Database database, Clock clock, Duration baseBackoff) {
        this.database = database;
        this.clock = clock;
        this.baseBackoff = baseBackoff;
    }

    /** A webhook; the secret is only shown when it is created. */
    public record Webhook(long id, String url, boolean enabled, long createdAt) {
    }

    /** A created webhook and its signing secret. */
    public record Created(Webhook webhook, String secret) {
    }

    /** A delivery of one alert to one webhook. */
    public record Delivery(long id, long webhookId, long alertId, String status, int attempts, long nextAttemptAt,
                           String lastError, Long deliveredAt) {
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

    public List<Delivery> deliveries(long webhookId) {
        return database.read(h -> h.createQuery("SELECT * FROM monitor_deliveries WHERE webhook_id = :w ORDER BY id")
                .bind("w", webhookId).map((rs, ctx) -> new Delivery(rs.getLong("id"), rs.getLong("webhook_id"),
                        rs.getLong("alert_id"), rs.getString("status"), rs.getInt("attempts"), rs.getLong("next_attempt_at"),
                        rs.getString("last_error"), Database.nullableLong(rs, "delivered_at"))).list());
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
        h.createUpdate("INSERT INTO monitor_deliveries (webhook_id, alert_id, payload, status, attempts, next_attempt_at,"
                        + " created_at) SELECT id, :a, :p, 'pending', 0, :t, :t FROM monitor_webhooks WHERE enabled = 1")
                .bind("a", alert.id()).bind("p", payload.toString()).bind("t", now).execute();
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

    /** Whether {@code header} is a valid signature of {@code body} (constant-time comparison). */
    public static boolean verify(String secret, String header, String body) {
        if (header == null || !header.startsWith("t=") || !header.contains(",v1=")) {
            return false;
        }
        try {
            long t = Long.parseLong(header.substring(2, header.indexOf(',')));
            return java.security.MessageDigest.isEqual(sign(secret, t, body).getBytes(StandardCharsets.UTF_8),
                    header.getBytes(StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private record Due(long id, String url, String secret, String payload, int attempts) {
    }

    /** Claims and attempts every delivery that is due now; returns how many it attempted. */
    public int deliverDue() {
        long now = clock.millis();
        var due = database.read(h -> h.createQuery("SELECT d.id, w.url, w.secret, d.payload, d.attempts FROM monitor_deliveries d"
                        + " JOIN monitor_webhooks w ON w.id = d.webhook_id WHERE d.status = 'pending' AND d.next_attempt_at <= :n"
                        + " ORDER BY d.id LIMIT 100").bind("n", now)
                .map((rs, ctx) -> new Due(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5)))
                .list());
        int attempted = 0;
        for (var d : due) {
            // claim it, so that another dispatcher (a replica, or a manual run) does not send it too
            long claimAt = clock.millis(); // now, not when the batch was read: earlier sends may have taken a while
            long lease = claimAt + CLAIM.toMillis();
            int claimed = database.write(h -> h.createUpdate("UPDATE monitor_deliveries SET next_attempt_at = :lease"
                            + " WHERE id = :id AND status = 'pending' AND next_attempt_at <= :n")
                    .bind("lease", lease).bind("id", d.id()).bind("n", claimAt).execute());
            if (claimed == 0) {
                continue;
            }
            attempted++;
            String error = null;
            try {
                var request = HttpRequest.newBuilder(URI.create(d.url())).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .header(SIGNATURE_HEADER, sign(d.secret(), clock.millis() / 1000, d.payload()))
                        .header("X-Launchpad-Delivery", Long.toString(d.id()))
                        .POST(HttpRequest.BodyPublishers.ofString(d.payload())).build();
                var response = http.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 != 2) {
                    error = "HTTP " + response.statusCode();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return attempted; // the claim runs out and the delivery is tried again
            } catch (Exception e) {
                error = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            int attempts = d.attempts() + 1;
            long at = clock.millis();
            if (error == null) {
                database.writeVoid(h -> h.createUpdate("UPDATE monitor_deliveries SET status = 'delivered', attempts = :a,"
                        + " delivered_at = :t, last_error = NULL WHERE id = :id AND next_attempt_at = :lease")
                        .bind("a", attempts).bind("t", at).bind("id", d.id()).bind("lease", lease).execute());
            } else {
                long wait = Math.min(3_600_000L, baseBackoff.toMillis() << Math.min(20, attempts - 1));
                var status = attempts >= MAX_ATTEMPTS ? "failed" : "pending";
                var message = error;
                // only while the claim is still ours: a late failure must not undo another dispatcher's delivery
                database.writeVoid(h -> h.createUpdate("UPDATE monitor_deliveries SET status = :s, attempts = :a,"
                        + " next_attempt_at = :n, last_error = :e WHERE id = :id AND next_attempt_at = :lease")
                        .bind("s", status).bind("a", attempts).bind("n", at + wait).bind("e", message).bind("id", d.id())
                        .bind("lease", lease).execute());
                LOG.info("Webhook delivery {} to {} failed ({}), attempt {} of {}", d.id(), d.url(), error, attempts, MAX_ATTEMPTS);
            }
        }
        return attempted;
    }

    /** How long a claimed delivery is left to its dispatcher (longer than the request's 10 s timeout). */
    private static final Duration CLAIM = Duration.ofMinutes(1);

    /** Starts delivering in the background, looking for due deliveries every {@code poll}. */
    public void start(Duration poll) {
        dispatcher = Thread.ofPlatform().daemon().name("launchpad-webhooks").start(() -> {
            while (!stopped) {
                try {
                    Thread.sleep(poll.toMillis());
                    deliverDue();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("Webhook dispatcher: {}", e.toString());
                }
            }
        });
    }

    @Override
    public void close() {
        stopped = true;
        if (dispatcher != null) {
            dispatcher.interrupt();
            try {
                dispatcher.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
