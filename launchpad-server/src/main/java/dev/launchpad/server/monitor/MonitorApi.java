package dev.launchpad.server.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.files.FileTrees;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.deploy.Deployment;
import dev.launchpad.platform.deploy.DeploymentService;
import dev.launchpad.platform.monitor.Alerts;
import dev.launchpad.platform.monitor.Baselines;
import dev.launchpad.platform.monitor.CheckResult;
import dev.launchpad.platform.monitor.Feedback;
import dev.launchpad.platform.monitor.Granularity;
import dev.launchpad.platform.monitor.MonitorChecks;
import dev.launchpad.platform.monitor.MonitorService;
import dev.launchpad.platform.monitor.WindowData;
import dev.launchpad.platform.monitor.WindowStore;
import dev.launchpad.platform.monitor.Webhooks;
import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.platform.govern.identity.Role;
import dev.launchpad.server.auth.Access;
import dev.launchpad.server.auth.Locator;
import dev.launchpad.server.auth.Subject;
import dev.launchpad.server.http.AcceptHeader;
import dev.launchpad.server.http.ApiRequest;
import dev.launchpad.server.http.ApiRoute;
import dev.launchpad.server.http.HttpServer;
import dev.launchpad.stats.profile.DatasetProfile;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The monitoring API under {@code /api/v1}: baselines of model versions, feedback, drift reports (JSON and
 * HTML), live performance, monitor settings and results, alert rules, alerts, incidents and webhooks.
 * Times are epoch milliseconds or ISO-8601 instants.
 */
public final class MonitorApi {
    private static final String DEPLOYMENT = "/api/v1/deployments/{name}";
    private static final String BASELINE = "/api/v1/models/{name}/versions/{version}/baseline";

    private final DeploymentService deployments;
    private final RegistryService registry;
    private final WindowStore windows;
    private final Baselines baselines;
    private final Feedback feedback;
    private final MonitorService monitors;
    private final Alerts alerts;
    private final Webhooks webhooks;
    private final Path uploads;
    private final Clock clock;

    /**
     * @param uploads where reference data uploads are received (under the server's home rather than the system's
     *                temporary directory, which is often memory); what a crash left there a day or more ago is deleted
     *                now (a younger file may be another server's upload in progress, on the same home)
     */
    MonitorApi(DeploymentService deployments, RegistryService registry, WindowStore windows, Baselines baselines,
               Feedback feedback, MonitorService monitors, Alerts alerts, Webhooks webhooks, Clock clock, Path uploads) {
        deleteLeftovers(uploads, java.time.Instant.now().minus(java.time.Duration.ofDays(1)));
        this.uploads = uploads;
        this.deployments = deployments;
        this.registry = registry;
        this.windows = windows;
        this.baselines = baselines;
        this.feedback = feedback;
        this.monitors = monitors;
        this.alerts = alerts;
        this.webhooks = webhooks;
        this.clock = clock;
    }

    private interface Action {
        Object apply(Context ctx);
    }

    /**
     * A deployment's and a model version's monitoring follow the registered model's permissions (READ to look,
     * EDIT to send feedback, change settings or baselines); rules and incidents are global (viewer to look,
     * editor to change); webhooks need an admin.
     */
    private static Access access(HandlerType method, String path) {
        boolean read = method == HandlerType.GET;
        if (path.startsWith("/api/v1/webhooks")) {
            return Access.role(Role.ADMIN); // webhook URLs and secrets
        }
        if (path.startsWith(DEPLOYMENT)) {
            var deployment = Locator.pathParam(Subject.Kind.DEPLOYMENT, "name");
            return read ? Access.read(deployment) : Access.edit(deployment);
        }
        if (path.startsWith(BASELINE)) {
            var model = Locator.pathParam(Subject.Kind.REGISTERED_MODEL, "name");
            return read ? Access.read(model) : Access.edit(model);
        }
        return Access.role(read ? Role.VIEWER : Role.EDITOR);
    }

    private static ApiRoute route(HandlerType method, String path, Action action) {
        return new ApiRoute(method, path, ctx -> {
            Object body;
            try {
                body = action.apply(ctx);
            } catch (IllegalArgumentException e) {
                throw LaunchpadException.invalid(e.getMessage());
            }
            if (body instanceof String html) {
                // a page of the API's origin, whose browser may hold its credentials: nothing in it may run or load
                ctx.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none';"
                                + " form-action 'none'; frame-ancestors 'none'")
                        .header("X-Content-Type-Options", "nosniff").header("Cache-Control", "no-store")
                        .header("Vary", "Accept")
                        .contentType("text/html; charset=utf-8").result(html);
            } else {
                HttpServer.json(ctx, body);
            }
        }, access(method, path));
    }

    public List<ApiRoute> routes() {
        var r = new ArrayList<ApiRoute>();
        r.add(route(HandlerType.PUT, BASELINE, this::putBaseline));
        r.add(route(HandlerType.GET, BASELINE, ctx -> baselineJson(baseline(ctx))));
        r.add(route(HandlerType.DELETE, BASELINE, ctx -> {
            var v = version(ctx);
            if (!baselines.delete(ctx.pathParam("name"), v)) {
                throw LaunchpadException.notFound("Version " + v + " of model '" + ctx.pathParam("name") + "' has no baseline.");
            }
            return Json.mapper().createObjectNode();
        }));
        r.add(route(HandlerType.POST, DEPLOYMENT + "/feedback", this::postFeedback));
        r.add(route(HandlerType.GET, DEPLOYMENT + "/drift", this::drift));
        r.add(route(HandlerType.GET, DEPLOYMENT + "/performance", this::performance));
        r.add(route(HandlerType.GET, DEPLOYMENT + "/windows", this::windowList));
        r.add(route(HandlerType.GET, DEPLOYMENT + "/monitor", ctx -> monitorJson(deployment(ctx))));
        r.add(route(HandlerType.PATCH, DEPLOYMENT + "/monitor", ctx -> {
            var d = deployment(ctx);
            var body = parseBody(ctx);
            monitors.updateSettings(d.name(), body);
            return monitorJson(d);
        }));
        r.add(route(HandlerType.POST, DEPLOYMENT + "/monitor/run", ctx -> {
            var d = deployment(ctx);
            var span = span(ctx, monitors.settings(d.name()).intervalMinutes() * 60_000L);
            if (span[1] > clock.millis() + MAX_RUN_AHEAD_MS) {
                // its results are stored, and the newest span's results are the deployment's status and gauges
                throw LaunchpadException.invalid("'to' of a run cannot be in the future: its results would stand for"
                        + " the deployment's status until then.");
            }
            var node = Json.mapper().createObjectNode();
            var list = node.putArray("results");
            monitors.runChecks(d.name(), span[0], span[1]).forEach(s -> list.add(resultJson(s)));
            return node;
        }));
        r.add(route(HandlerType.GET, DEPLOYMENT + "/monitor/results", ctx -> {
            var d = deployment(ctx);
            var span = span(ctx, 86_400_000L);
            var check = ctx.queryParam("check");
            if (check != null && !CheckResult.CHECKS.contains(check)) {
                throw LaunchpadException.invalid("Unknown check '" + check + "'; checks are " + CheckResult.CHECKS + ".");
            }
            long[] before = null;
            var token = ctx.queryParam("page_token");
            if (token != null) {
                // "<window_to>.<id>" of the oldest result of the page before
                var parts = token.split("\\.", -1);
                try {
                    if (parts.length != 2) {
                        throw new NumberFormatException();
                    }
                    before = new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
                } catch (NumberFormatException e) {
                    throw LaunchpadException.invalid("'page_token' is not one this API gave: '" + token + "'.");
                }
            }
            var node = Json.mapper().createObjectNode();
            var list = node.putArray("results");
            var page = monitors.results(d.name(), check, span[0], span[1], limit(ctx, 1000), before);
            page.results().forEach(s -> list.add(resultJson(s)));
            if (page.olderThan() != null) {
                node.put("next_page_token", page.olderThan().to() + "." + page.olderThan().id());
            }
            return node;
        }));
        r.add(route(HandlerType.GET, "/api/v1/alert-rules", ctx -> {
            var node = Json.mapper().createObjectNode();
            var list = node.putArray("rules");
            alerts.rules().forEach(rule -> list.add(ruleJson(rule)));
            return node;
        }));
        r.add(route(HandlerType.POST, "/api/v1/alert-rules", ctx -> {
            var body = ApiRequest.of(ctx);
            var cooldownMs = cooldownMs(body);
            var deployment = body.string("deployment");
            if (deployment != null) {
                deployments.get(deployment);
            }
            return ruleJson(alerts.createRule(body.requiredString("name"), deployment, body.requiredString("check"),
                    body.string("severity"), cooldownMs == null ? 3_600_000 : cooldownMs, body.optionalBoolean("auto_resolve")));
        }));
        r.add(route(HandlerType.PATCH, "/api/v1/alert-rules/{id}", ctx -> {
            // read as POST reads a rule (numbers and booleans may come as strings; a null is as if left out)
            var body = ApiRequest.of(ctx);
            var editable = List.of("enabled", "auto_resolve", "severity", "cooldown_seconds");
            for (var name : body.fieldNames()) {
                if (!editable.contains(name)) {
                    throw LaunchpadException.invalid("An alert rule's '" + name + "' cannot be changed: give any of "
                            + String.join(", ", editable) + " (delete the rule and create another for a new name,"
                            + " check or deployment).");
                }
            }
            var change = new Alerts.RuleChange(given(body, "enabled"), given(body, "auto_resolve"),
                    body.string("severity"), cooldownMs(body));
            if (change.isEmpty()) {
                throw LaunchpadException.invalid("Give any of " + String.join(", ", editable) + " to change.");
            }
            return ruleJson(alerts.updateRule(id(ctx), change));
        }));
        r.add(route(HandlerType.DELETE, "/api/v1/alert-rules/{id}", ctx -> {
            alerts.deleteRule(id(ctx));
            return Json.mapper().createObjectNode();
        }));
        r.add(route(HandlerType.GET, "/api/v1/alerts", ctx -> {
            var node = Json.mapper().createObjectNode();
            var list = node.putArray("alerts");
            long since = ctx.queryParam("since") == null ? 0 : time(ctx.queryParam("since"), "since");
            alerts.alerts(ctx.queryParam("deployment"), since, idParam(ctx, "after_id", "an alert id"),
                    idParam(ctx, "before_id", "an alert id"), limit(ctx, 100)).forEach(a -> list.add(alertJson(a)));
            return node;
        }));
        r.add(route(HandlerType.GET, "/api/v1/incidents", ctx -> {
            var node = Json.mapper().createObjectNode();
            var list = node.putArray("incidents");
            alerts.incidents(ctx.queryParam("status"), ctx.queryParam("deployment"),
                    idParam(ctx, "before_id", "an incident id"), limit(ctx, 100)).forEach(i -> list.add(incidentJson(i)));
            return node;
        }));
        r.add(route(HandlerType.GET, "/api/v1/incidents/{id}", ctx -> incidentJson(alerts.incident(id(ctx)))));
        r.add(route(HandlerType.POST, "/api/v1/incidents/{id}/acknowledge", ctx -> incidentJson(alerts.acknowledge(id(ctx),
                caller(ctx)))));
        r.add(route(HandlerType.POST, "/api/v1/incidents/{id}/resolve", ctx -> incidentJson(alerts.resolve(id(ctx),
                caller(ctx)))));
        r.add(route(HandlerType.GET, "/api/v1/webhooks", ctx -> {
            var node = Json.mapper().createObjectNode();
            var list = node.putArray("webhooks");
            webhooks.list().forEach(w -> list.addObject().put("id", w.id()).put("url", w.url()).put("enabled", w.enabled())
                    .put("created_at", w.createdAt()));
            return node;
        }));
        r.add(route(HandlerType.POST, "/api/v1/webhooks", ctx -> {
            var body = ApiRequest.of(ctx);
            var created = webhooks.create(body.requiredString("url"), body.string("secret"));
            return Json.mapper().createObjectNode().put("id", created.webhook().id()).put("url", created.webhook().url())
                    .put("secret", created.secret());
        }));
        r.add(route(HandlerType.DELETE, "/api/v1/webhooks/{id}", ctx -> {
            webhooks.delete(id(ctx));
            return Json.mapper().createObjectNode();
        }));
        r.add(route(HandlerType.GET, "/api/v1/webhooks/{id}/deliveries", ctx -> {
            var node = Json.mapper().createObjectNode();
            var list = node.putArray("deliveries");
            webhooks.deliveries(id(ctx), idParam(ctx, "before_id", "a delivery id"), limit(ctx, 1000))
                    .forEach(d -> list.add(deliveryJson(d)));
            return node;
        }));
        r.add(route(HandlerType.POST, "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver",
                ctx -> deliveryJson(webhooks.redeliver(id(ctx), id(ctx, "delivery")))));
        return r;
    }

    // ------------------------------------------------------------------ baselines

    /**
     * Largest reference data upload: it is streamed to a temporary file and profiled in chunks, so this bounds the
     * disk it takes, not memory.
     */
    public static final long MAX_REFERENCE_BYTES = 2L << 30;
    /** Largest dataset profile upload (profiles are kilobytes per column). */
    public static final long MAX_PROFILE_BYTES = 64L << 20;
    /** Uploads handled at once; a third is refused for now (503), so that uploads cannot fill the home's disk. */
    private static final int UPLOADS_AT_ONCE = 2;
    /**
     * The system property giving the free disk (MiB) left to the database and logs beyond what uploads declare (512 by
     * default; read at every upload).
     */
    public static final String MIN_FREE_PROPERTY = "launchpad.uploads.min-free-mb";
    /** How much an upload receives between two looks at the free disk. */
    private static final long SPACE_CHECK_EVERY = 16L << 20;
    /** What uploads being received have declared, not yet written: two at once must not both count the same space. */
    private final java.util.concurrent.atomic.AtomicLong reservedBytes = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.Semaphore uploadsReceiving = new java.util.concurrent.Semaphore(UPLOADS_AT_ONCE);

    private Object putBaseline(Context ctx) {
        var model = ctx.pathParam("name");
        int version = version(ctx);
        registry.getModelVersion(model, Integer.toString(version)); // 404 when there is no such version
        var type = String.valueOf(ctx.contentType()).toLowerCase(java.util.Locale.ROOT);
        boolean parquetType = type.startsWith("application/vnd.apache.parquet") || type.startsWith("application/x-parquet");
        boolean csvType = type.startsWith("text/csv");
        if (!parquetType && !csvType && !type.startsWith("application/octet-stream")) {
            throw new LaunchpadException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "A baseline is text/csv or"
                    + " application/vnd.apache.parquet (reference data), or application/octet-stream (a dataset profile),"
                    + " not '" + ctx.contentType() + "'.");
        }
        if (!uploadsReceiving.tryAcquire()) {
            throw new LaunchpadException(ErrorCode.TEMPORARILY_UNAVAILABLE, UPLOADS_AT_ONCE + " reference data uploads"
                    + " are being received already; try again when one has finished.");
        }
        Path file = null;
        try {
            file = receive(ctx, !parquetType && !csvType);
            long size = Files.size(file);
            if (size == 0) {
                throw LaunchpadException.invalid("Send the reference data as text/csv, or a profile as application/octet-stream.");
            }
            Baselines.Baseline stored;
            if (parquetType || (!csvType && Baselines.isParquet(file))) {
                var ref = Baselines.fromParquet(file);
                stored = baselines.put(model, version, "parquet", ref.profile(), ref.sample());
            } else if (csvType) {
                var ref = Baselines.fromCsv(file);
                stored = baselines.put(model, version, "csv", ref.profile(), ref.sample());
            } else {
                if (size > MAX_PROFILE_BYTES) {
                    throw profileTooLarge(Long.toString(size)); // it started as Parquet, but did not end as one
                }
                DatasetProfile profile;
                try {
                    profile = DatasetProfile.fromBytes(Files.readAllBytes(file));
                } catch (IllegalArgumentException e) {
                    throw LaunchpadException.invalid("The body is not a Launchpad dataset profile: " + e.getMessage());
                }
                stored = baselines.put(model, version, "profile", profile, null);
            }
            return baselineJson(stored);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                if (file != null) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException ignored) {
                // a temporary file
            } finally {
                uploadsReceiving.release();
            }
        }
    }

    /**
     * The request body in a temporary file (the caller deletes it): streamed, not held in memory, and refused with
     * PAYLOAD_TOO_LARGE past {@link #MAX_REFERENCE_BYTES}, or with {@code profileUnlessParquet} past
     * {@link #MAX_PROFILE_BYTES} once its first bytes say it is not Parquet. A body that breaks off is the client's
     * error; a file that cannot be written is the server's.
     */
    private Path receive(Context ctx, boolean profileUnlessParquet) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > MAX_REFERENCE_BYTES) {
            throw tooLarge();
        }
        long minFree = Math.min(Math.max(0, Long.getLong(MIN_FREE_PROPERTY, 512)), 1L << 40) << 20;
        // what this upload has declared and not yet written, reserved against the others'
        var reserved = new java.util.concurrent.atomic.AtomicLong(Math.max(declared, 0));
        long reservedNow = reservedBytes.addAndGet(reserved.get());
        try {
            var directory = Files.createDirectories(uploads);
            var store = Files.getFileStore(directory);
            long usable = store.getUsableSpace();
            if (usable - reservedNow < minFree) {
                throw noSpace(usable, directory);
            }
            var file = Files.createTempFile(directory, "reference-", ".upload");
            boolean received = false;
            try {
                try (var out = Files.newOutputStream(file)) {
                    // a body of undeclared length (chunked), or the disk filling up otherwise, is stopped on the way
                    copyBody(ctx, out, profileUnlessParquet, written -> {
                        long release = Math.min(written, reserved.get()); // written: no longer only reserved
                        reserved.addAndGet(-release);
                        long others = reservedBytes.addAndGet(-release) - reserved.get();
                        long left = store.getUsableSpace();
                        if (left - others < minFree) {
                            throw noSpace(left, directory);
                        }
                    });
                } catch (IOException writeFailed) {
                    // measured before the partial file is deleted, which would free what filled the disk
                    long left;
                    try {
                        left = store.getUsableSpace();
                    } catch (IOException unmeasured) {
                        writeFailed.addSuppressed(unmeasured);
                        throw writeFailed;
                    }
                    if (left < Math.max(minFree, 1L << 20)) {
                        throw noSpace(left, directory); // the disk filled up under the write: for now, not for good
                    }
                    throw writeFailed;
                }
                received = true;
                return file;
            } finally {
                if (!received) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException ignored) {
                        // a temporary file
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the server's disk, not the client
        } finally {
            reservedBytes.addAndGet(-reserved.get());
        }
    }

    /**
     * Copies the request body to {@code out}: what goes wrong reading it is the client's error (400), what goes wrong
     * writing the server's (the IOException); past {@link #MAX_REFERENCE_BYTES}, or {@link #MAX_PROFILE_BYTES} for a
     * body that {@code profileUnlessParquet} and does not start as Parquet does, it is PAYLOAD_TOO_LARGE.
     */
    private static void copyBody(Context ctx, java.io.OutputStream out, boolean profileUnlessParquet, SpaceCheck checkSpace)
            throws IOException {
        java.io.InputStream in;
        try {
            in = ctx.req().getInputStream();
        } catch (IOException e) {
            throw LaunchpadException.invalid("The upload could not be read: " + e.getMessage());
        }
        byte[] buffer = new byte[1 << 16];
        byte[] head = new byte[4]; // the body's first bytes: "PAR1" starts a Parquet file
        long total = 0;
        long checked = 0; // bytes written when the space was last looked at
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                throw LaunchpadException.invalid("The upload broke off: " + e.getMessage());
            }
            if (n < 0) {
                return; // the container closes the request's stream
            }
            for (int i = 0; i < n && total + i < head.length; i++) {
                head[(int) total + i] = buffer[i];
            }
            total += n;
            if (total > MAX_REFERENCE_BYTES) {
                throw tooLarge();
            }
            if (profileUnlessParquet && total > MAX_PROFILE_BYTES && !Baselines.startsAsParquet(head)) {
                throw profileTooLarge("more than that");
            }
            out.write(buffer, 0, n);
            if (total / SPACE_CHECK_EVERY != (total - n) / SPACE_CHECK_EVERY) {
                checkSpace.written(total - checked);
                checked = total;
            }
        }
    }

    /** Told, every {@link #SPACE_CHECK_EVERY} bytes, how many were written since; refuses to go on when the disk fills. */
    private interface SpaceCheck {
        void written(long bytes) throws IOException;
    }

    private static LaunchpadException noSpace(long usable, Path directory) {
        return new LaunchpadException(ErrorCode.TEMPORARILY_UNAVAILABLE, "Not enough free disk to receive the reference"
                + " data (" + usable + " bytes free under " + directory + ", and -D" + MIN_FREE_PROPERTY + " MiB are"
                + " kept for the database); try again later.");
    }

    /** Deletes the uploads last written before {@code before}; quietly, as they are only in the way. */
    static void deleteLeftovers(Path uploads, java.time.Instant before) {
        if (!Files.isDirectory(uploads)) {
            return;
        }
        try {
            FileTrees.deleteOlderThan(uploads, before);
        } catch (IOException | UncheckedIOException ignored) {
            // the next start tries again
        }
    }

    private static LaunchpadException profileTooLarge(String size) {
        return new LaunchpadException(ErrorCode.PAYLOAD_TOO_LARGE, "A dataset profile is at most " + MAX_PROFILE_BYTES
                + " bytes; this one has " + size + ".");
    }

    private static LaunchpadException tooLarge() {
        return new LaunchpadException(ErrorCode.PAYLOAD_TOO_LARGE, "Reference data is at most " + MAX_REFERENCE_BYTES
                + " bytes; profile a larger dataset yourself (the stats library's DatasetProfile) and upload the profile.");
    }

    private Baselines.Baseline baseline(Context ctx) {
        var model = ctx.pathParam("name");
        int version = version(ctx);
        return baselines.get(model, version).orElseThrow(() -> LaunchpadException.notFound("Version " + version
                + " of model '" + model + "' has no baseline."));
    }

    private static ObjectNode baselineJson(Baselines.Baseline b) {
        var node = Json.mapper().createObjectNode();
        node.put("model", b.model());
        node.put("version", Integer.toString(b.version()));
        node.put("source", b.source());
        node.put("rows", b.rows());
        node.put("sample_rows", b.sample() == null ? 0 : b.sample().size());
        node.put("created_at", b.createdAt());
        var columns = node.putArray("columns");
        for (var c : b.profile().columns().values()) {
            var o = columns.addObject().put("name", c.name()).put("type", c.kind().name().toLowerCase(java.util.Locale.ROOT))
                    .put("count", c.count()).put("missing", c.nullCount() + c.nanCount());
            if (c.kind() == dev.launchpad.stats.profile.ColumnProfile.Kind.NUMERIC && c.validCount() > 0) {
                o.put("min", c.min()).put("max", c.max()).put("mean", c.mean());
            } else if (c.hasDistinctCount()) { // (an uploaded profile's numeric columns may have none)
                o.put("distinct", Math.round(c.distinctEstimate()));
            }
        }
        return node;
    }

    // ------------------------------------------------------------------ feedback and performance

    private Object postFeedback(Context ctx) {
        var d = deployment(ctx);
        var body = parseBody(ctx);
        var items = body.get("feedback");
        if (items == null || !items.isArray()) {
            throw LaunchpadException.invalid("Send {\"feedback\": [{\"request_id\": ..., \"label\": ...}, ...]}; a"
                    + " multi-row request takes \"row\" (default 0) or \"labels\": [...] (one per row).");
        }
        var labels = new ArrayList<Feedback.Label>();
        for (var item : items) {
            if (!item.isObject()) {
                throw LaunchpadException.invalid("Every feedback item must be an object.");
            }
            var id = item.path("request_id").isTextual() ? item.get("request_id").asText() : null;
            if (item.has("labels")) {
                if (!item.get("labels").isArray() || item.get("labels").isEmpty()) {
                    throw LaunchpadException.invalid("'labels' must be a non-empty array (one label per row).");
                }
                if (item.has("label") || item.has("row")) {
                    throw LaunchpadException.invalid("A feedback item takes 'labels' (one per row) or 'label' with an"
                            + " optional 'row', not both.");
                }
                int row = 0;
                for (var l : item.get("labels")) {
                    labels.add(new Feedback.Label(id, row++, label(l)));
                    tooMany(labels);
                }
            } else {
                var row = item.path("row");
                boolean given = !row.isMissingNode() && !row.isNull();
                if (given && (!row.isIntegralNumber() || !row.canConvertToInt())) {
                    throw LaunchpadException.invalid("'row' must be an integer (the row of the request), got " + row + ".");
                }
                labels.add(new Feedback.Label(id, given ? row.asInt() : 0, label(item.get("label"))));
                tooMany(labels);
            }
        }
        var accepted = feedback.record(d.name(), labels);
        return Json.mapper().createObjectNode().put("accepted", accepted.accepted()).put("matched", accepted.matched());
    }

    private static void tooMany(List<Feedback.Label> labels) {
        if (labels.size() > Feedback.MAX_ITEMS) {
            throw LaunchpadException.invalid("At most " + Feedback.MAX_ITEMS + " labels per call.");
        }
    }

    static String label(JsonNode l) {
        if (l == null || l.isNull() || l.isContainerNode()) {
            throw LaunchpadException.invalid("Every feedback item needs a 'label' (a string, number or boolean).");
        }
        if (l.isNumber() && !Double.isFinite(l.asDouble())) {
            throw LaunchpadException.invalid("A feedback label is a number too large to compare: " + l + ".");
        }
        if (l.isIntegralNumber()) {
            return l.bigIntegerValue().toString(); // exact: class ids past 2^53 stay apart
        }
        if (l.isNumber()) {
            return dev.launchpad.platform.monitor.Predictions.format(l.asDouble());
        }
        return l.asText();
    }

    private Object performance(Context ctx) {
        var d = deployment(ctx);
        var span = span(ctx, 86_400_000L);
        var g = ctx.queryParam("granularity") == null ? Granularity.HOUR : Granularity.of(ctx.queryParam("granularity"));
        // each window may cost a query of its own (a quiet window the even sample missed): a week of minutes, a year
        // of hours, not a year of minutes
        long windowCount = (span[1] - g.floor(span[0]) + g.millis() - 1) / g.millis();
        if (windowCount > MAX_PERFORMANCE_WINDOWS) {
            throw LaunchpadException.invalid("The span holds " + windowCount + " " + g.id() + " windows; at most "
                    + MAX_PERFORMANCE_WINDOWS + " — choose a coarser granularity or a shorter span.");
        }
        // predictions and labels are kept 30 days: a span reaching further back would read as quiet windows (an
        // hour's slack for "the last 30 days" computed a moment before)
        var kept = MonitorService.Retention.defaults().predictions();
        if (span[0] < clock.millis() - kept.toMillis() - 3_600_000L) {
            throw LaunchpadException.invalid("'from' (" + Instant.ofEpochMilli(span[0]) + ") is further back than the "
                    + kept.toDays() + " days predictions and labels are kept.");
        }
        monitors.flushForRead(span[1]); // this replica's current minute's predictions too
        var node = Json.mapper().createObjectNode();
        node.put("deployment", d.name()).put("from", span[0]).put("to", span[1]).put("granularity", g.id());
        var list = node.putArray("windows");
        for (var w : feedback.performance(d.name(), span[0], span[1], g)) {
            var o = list.addObject().put("start", w.start()).put("predictions", w.predictions()).put("labelled", w.labelled())
                    .put("task", w.task().name().toLowerCase(java.util.Locale.ROOT));
            putIf(o, "accuracy", w.accuracy());
            putIf(o, "roc_auc", w.rocAuc());
            putIf(o, "mae", w.mae());
            putIf(o, "rmse", w.rmse());
            if (w.estimatedAccuracy() != null || w.estimatedRocAuc() != null) {
                var e = o.putObject("estimated");
                e.put("method", "cbpe");
                putIf(e, "accuracy", w.estimatedAccuracy());
                putIf(e, "roc_auc", w.estimatedRocAuc());
            }
        }
        return node;
    }

    private static void putIf(ObjectNode o, String field, Double v) {
        if (v != null && Double.isFinite(v)) {
            o.put(field, v);
        }
    }

    private Object windowList(Context ctx) {
        var d = deployment(ctx);
        var span = span(ctx, 3_600_000L);
        var g = ctx.queryParam("granularity") == null ? Granularity.MINUTE : Granularity.of(ctx.queryParam("granularity"));
        monitors.flushForRead(span[1]); // this replica's current minute too
        var node = Json.mapper().createObjectNode();
        var list = node.putArray("windows");
        for (var w : windows.counts(d.name(), g, span[0], span[1])) {
            list.addObject().put("start", w.start()).put("version", Integer.toString(w.version())).put("requests", w.requests())
                    .put("rows", w.rows()).put("client_errors", w.clientErrors()).put("server_errors", w.serverErrors())
                    .put("overloaded", w.overloaded());
        }
        return node;
    }

    // ------------------------------------------------------------------ drift

    private Object drift(Context ctx) {
        var d = deployment(ctx);
        var span = span(ctx, 3_600_000L);
        monitors.requireRetained(span[0], span[1]);
        var settings = monitors.settings(d.name());
        monitors.flushForRead(span[1]); // the span may include this replica's current minute, as a check run's does
        var version = windows.latestVersion(d.name(), span[0], span[1]);
        var node = Json.mapper().createObjectNode();
        node.put("deployment", d.name()).put("model", d.modelName()).put("from", span[0]).put("to", span[1]);
        var current = version.flatMap(v -> windows.summarize(d.name(), v, span[0], span[1]));
        var baseline = version.flatMap(v -> baselines.get(d.modelName(), v));
        version.ifPresent(v -> node.put("version", Integer.toString(v)));
        node.put("current_rows", current.map(w -> w.rows()).orElse(0L));
        node.put("reference_rows", baseline.map(Baselines.Baseline::rows).orElse(0L));
        List<MonitorChecks.FeatureDrift> features = List.of();
        List<MonitorChecks.FeatureDrift> outputs = List.of();
        if (current.isPresent() && baseline.isPresent()) {
            var w = current.get();
            var b = baseline.get();
            var compared = MonitorChecks.common(b, w.inputs());
            var notCompared = Json.mapper().createArrayNode();
            features = MonitorChecks.drift(b, w.inputs(), w.inputSample(), compared, settings,
                    MonitorChecks.notComparedInto(notCompared));
            outputs = MonitorChecks.drift(b, w.outputs(), w.outputSample(), MonitorChecks.common(b, w.outputs()), settings,
                    MonitorChecks.notComparedInto(notCompared));
            if (!notCompared.isEmpty()) {
                node.set("not_compared", notCompared); // (no values to compare on one side: all missing or infinite)
            }
            MonitorChecks.notInBaseline(w.inputs(), compared).forEach(node.putArray("not_in_baseline")::add);
            if (compared.isEmpty() && !w.inputs().columns().isEmpty()) {
                node.put("message", MonitorChecks.noFeatureInBaseline(w.inputs(), b));
            }
        } else {
            node.put("message", current.isEmpty() ? "No traffic was logged in the span."
                    : "The model version has no baseline; set one with launchpad monitor baseline.");
        }
        long drifted = features.stream().filter(f -> f.drift().drifted()).count();
        long rows = current.map(WindowData::rows).orElse(0L);
        node.put("drifted_features", drifted);
        node.put("share_of_drifted_features", features.isEmpty() ? 0 : (double) drifted / features.size());
        node.put("drift_share", settings.driftShare());
        // the scheduled check's verdict on the same span: none below min_rows, where the check reports no_data
        node.put("dataset_drift", rows >= settings.minRows() && MonitorChecks.datasetDrift(features, settings));
        if (current.isPresent() && baseline.isPresent() && rows < settings.minRows() && !node.has("message")) {
            node.put("message", "Fewer than " + settings.minRows() + " rows in the span (" + rows + "): the features'"
                    + " results are shown, but the feature_drift check reports no_data for it.");
        }
        node.set("features", MonitorChecks.table(features));
        node.set("predictions", MonitorChecks.table(outputs));
        var format = ctx.queryParam("format");
        if (format == null) {
            ctx.header("Vary", "Accept"); // the JSON answer too: a cache must not hand it to a browser asking for the page
        }
        if ("html".equals(format) || (format == null && AcceptHeader.prefers(ctx.header("Accept"), "text/html"))) {
            return DriftReport.html(node, baseline.orElse(null), current.orElse(null));
        }
        if (format != null && !format.equals("json")) {
            throw LaunchpadException.invalid("'format' must be json or html, got '" + format + "'.");
        }
        return node;
    }

    // ------------------------------------------------------------------ monitor

    private ObjectNode monitorJson(Deployment d) {
        var node = Json.mapper().createObjectNode();
        node.put("deployment", d.name());
        node.set("settings", monitors.settings(d.name()).toJson());
        monitors.schedule(d.name()).ifPresent(job -> {
            var schedule = node.putObject("schedule");
            if (job.lastTo() != null) {
                schedule.put("last_checked_to", job.lastTo());
            }
            schedule.put("next_run_at", job.nextRunAt()).put("failed_attempts", job.attempts());
            if (job.lastError() != null) {
                schedule.put("last_error", job.lastError());
            }
        });
        var latest = node.putArray("latest");
        monitors.latest(d.name()).forEach(s -> latest.add(resultJson(s)));
        return node;
    }

    static ObjectNode resultJson(MonitorService.StoredResult s) {
        var r = s.result();
        var o = Json.mapper().createObjectNode();
        o.put("id", s.id()).put("check", r.check()).put("status", r.status().id()).put("from", s.from()).put("to", s.to());
        putIf(o, "metric", r.metric());
        putIf(o, "threshold", r.threshold());
        var f = o.putArray("breached_features");
        r.features().forEach(f::add);
        o.set("details", r.details());
        o.put("checked_at", s.checkedAt());
        return o;
    }

    /**
     * A rule's {@code cooldown_seconds} in milliseconds, or null when left out; checked here, before the seconds are
     * multiplied (a huge number would overflow into a valid-looking cool-down).
     */
    private static Long cooldownMs(ApiRequest body) {
        var cooldown = body.optionalLong("cooldown_seconds");
        if (cooldown != null && (cooldown < 0 || cooldown > 30L * 86_400)) {
            throw LaunchpadException.invalid("'cooldown_seconds' must be between 0 and 30 days, got " + cooldown + ".");
        }
        return cooldown == null ? null : cooldown * 1000;
    }

    /** A boolean field of the body, or null when it is left out or null. */
    private static Boolean given(ApiRequest body, String name) {
        var node = body.json(name);
        return node == null || node.isNull() ? null : body.optionalBoolean(name);
    }

    private static ObjectNode ruleJson(Alerts.Rule r) {
        var o = Json.mapper().createObjectNode();
        o.put("id", r.id()).put("name", r.name());
        if (r.deployment() != null) {
            o.put("deployment", r.deployment());
        } else {
            o.putNull("deployment");
        }
        return o.put("check", r.check()).put("severity", r.severity()).put("cooldown_seconds", r.cooldownMs() / 1000)
                .put("enabled", r.enabled()).put("auto_resolve", r.autoResolve()).put("created_at", r.createdAt());
    }

    private static ObjectNode alertJson(Alerts.Alert a) {
        var o = Json.mapper().createObjectNode();
        o.put("id", a.id()).put("rule_id", a.ruleId()).put("rule", a.ruleName()).put("incident_id", a.incidentId()).put("result_id", a.resultId())
                .put("deployment", a.deployment()).put("check", a.check()).put("severity", a.severity())
                .put("message", a.message()).put("fired_at", a.firedAt());
        o.set("details", a.details());
        return o;
    }

    private static ObjectNode deliveryJson(Webhooks.Delivery d) {
        var o = Json.mapper().createObjectNode().put("id", d.id()).put("event", d.event()).put("alert_id", d.alertId())
                .put("status", d.status()).put("attempts", d.attempts()).put("next_attempt_at", d.nextAttemptAt());
        o.put("last_error", d.lastError());
        if (d.deliveredAt() != null) {
            o.put("delivered_at", d.deliveredAt());
        }
        return o;
    }

    private static ObjectNode incidentJson(Alerts.Incident i) {
        var o = Json.mapper().createObjectNode();
        o.put("id", i.id()).put("rule_id", i.ruleId()).put("rule", i.ruleName()).put("deployment", i.deployment()).put("check", i.check())
                .put("severity", i.severity()).put("status", i.status()).put("summary", i.summary())
                .put("opened_at", i.openedAt()).put("last_alert_at", i.lastAlertAt()).put("alert_count", i.alertCount());
        if (i.acknowledgedAt() != null) {
            o.put("acknowledged_at", i.acknowledgedAt()).put("acknowledged_by", i.acknowledgedBy());
            o.put("time_to_acknowledge_ms", i.acknowledgedAt() - i.openedAt());
        }
        if (i.resolvedAt() != null) {
            o.put("resolved_at", i.resolvedAt()).put("resolved_by", i.resolvedBy());
            o.put("time_to_resolve_ms", i.resolvedAt() - i.openedAt());
        }
        return o;
    }

    // ------------------------------------------------------------------ parameters

    private Deployment deployment(Context ctx) {
        return deployments.get(ctx.pathParam("name"));
    }

    private static String caller(Context ctx) {
        Object principal = ctx.attribute(dev.launchpad.server.auth.AuthFilter.PRINCIPAL);
        return principal == null ? null : principal.toString();
    }

    private static JsonNode parseBody(Context ctx) {
        var bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) {
            return Json.mapper().createObjectNode();
        }
        try {
            return Json.mapper().readTree(bytes);
        } catch (java.io.IOException e) {
            throw new LaunchpadException(ErrorCode.MALFORMED_REQUEST, "Malformed request body: it is not valid JSON.");
        }
    }

    private static int version(Context ctx) {
        try {
            int v = Integer.parseInt(ctx.pathParam("version"));
            if (v < 1) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw LaunchpadException.invalid("Version must be a positive integer, got '" + ctx.pathParam("version") + "'.");
        }
    }

    private static long id(Context ctx) {
        return id(ctx, "id");
    }

    private static long id(Context ctx, String param) {
        try {
            return Long.parseLong(ctx.pathParam(param));
        } catch (NumberFormatException e) {
            throw LaunchpadException.notFound("No such id '" + ctx.pathParam(param) + "'.");
        }
    }

    /** An optional id query parameter ({@code what} says what it names, for the error). */
    private static Long idParam(Context ctx, String name, String what) {
        var value = ctx.queryParam(name);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw LaunchpadException.invalid("'" + name + "' must be " + what + ", got '" + value + "'.");
        }
    }

    private static int limit(Context ctx, int max) {
        var value = ctx.queryParam("limit");
        if (value == null) {
            return max;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < 1 || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw LaunchpadException.invalid("'limit' must be an integer in [1, " + max + "], got '" + value + "'.");
        }
    }

    /** [from, to) from the query: {@code to} defaults to now, {@code from} to {@code to − defaultSpan}. */
    private long[] span(Context ctx, long defaultSpan) {
        long to = ctx.queryParam("to") == null ? clock.millis() : time(ctx.queryParam("to"), "to");
        long from = ctx.queryParam("from") == null ? to - defaultSpan : time(ctx.queryParam("from"), "from");
        if (from >= to) {
            throw LaunchpadException.invalid("'from' must be before 'to'.");
        }
        if (to - from > 366L * 86_400_000) {
            throw LaunchpadException.invalid("A span can be at most a year long.");
        }
        return new long[] {from, to};
    }

    /** Most windows one performance series may hold. */
    static final int MAX_PERFORMANCE_WINDOWS = 10_080;

    /** How far past the server's clock a run's span may end (clients' clocks differ a little). */
    private static final long MAX_RUN_AHEAD_MS = 60_000;

    /** Latest instant accepted in a query: the end of year 9999. */
    private static final long MAX_TIME = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

    /** Epoch milliseconds below this (1973-03-03) are taken for epoch seconds sent by mistake and refused. */
    private static final long MIN_MILLIS = 100_000_000_000L;

    static long time(String value, String name) {
        long t;
        try {
            t = Long.parseLong(value);
            if (t > 0 && t < MIN_MILLIS) {
                throw LaunchpadException.invalid("'" + name + "' must be epoch milliseconds; " + value + " would be "
                        + Instant.ofEpochMilli(t) + " — epoch seconds? Send " + value + "000.");
            }
        } catch (NumberFormatException e) {
            try {
                t = Instant.parse(value).toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e2) {
                throw LaunchpadException.invalid("'" + name + "' must be epoch milliseconds or an ISO-8601 instant, got '"
                        + value + "'" + (value.contains(" ") ? " (a '+' in a query string must be sent as %2B)" : "")
                        + ".");
            }
        }
        if (t < 0 || t > MAX_TIME) {
            throw LaunchpadException.invalid("'" + name + "' must be between 1970 and the year 9999, got '" + value + "'.");
        }
        return t;
    }
}
