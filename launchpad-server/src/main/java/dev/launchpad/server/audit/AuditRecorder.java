package dev.launchpad.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.govern.audit.AuditEvent;
import dev.launchpad.platform.govern.audit.AuditLog;
import dev.launchpad.server.http.ApiRoute;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Records every mutating HTTP request (POST, PUT, PATCH, DELETE) of every API in the {@link AuditLog},
 * from one after-handler that runs once the request was handled, errors and rejections included:
 * actor (context attribute {@value #PRINCIPAL_ATTRIBUTE}, {@code anonymous} when absent), action
 * ({@code METHOD route-template}), resource (the concrete path), source (client address), outcome
 * (HTTP status), a request summary (query parameters and a JSON body up to {@value #MAX_CAPTURED_BYTES}
 * bytes) and, for a successful JSON response of at most that size, the response as the {@code after} state.
 * Fields named like passwords, tokens, secrets or keys are replaced by {@value #REDACTED} everywhere.
 *
 * <p>Not recorded: reads (GET, HEAD, OPTIONS), predictions ({@code .../infer}, {@code /invocations},
 * {@code /deployments/{name}/invocations}: they change nothing), and requests that matched no endpoint
 * (404/405). Bodies of artifact transfers ({@code /api/2.0/mlflow-artifacts/...}) and non-JSON bodies
 * are never captured, only their size and type. The {@code before} state is what the authentication
 * filter read of the request's subject before the handler ran, for routes that declare it (updates and
 * deletions of experiments, runs, models, versions, aliases, deployments and users; see
 * {@link dev.launchpad.server.auth.Access#withBefore()}).
 */
public final class AuditRecorder {
    /** The context attribute the authentication filter sets to the acting user's name. */
    public static final String PRINCIPAL_ATTRIBUTE = "launchpad.principal";
    /** The actor of a request without a principal. */
    public static final String ANONYMOUS = "anonymous";
    /**
     * The most bytes of a request or response body captured: as many as an error that answered before the body was read
     * keeps of it for this record ({@link dev.launchpad.server.http.HttpServer#DRAINED_BODY}).
     */
    public static final int MAX_CAPTURED_BYTES = dev.launchpad.server.http.HttpServer.DRAINED_BODY_KEPT_BYTES;
    /** What a secret-looking field's value is replaced with. */
    public static final String REDACTED = "[REDACTED]";

    private static final Logger LOG = LoggerFactory.getLogger(AuditRecorder.class);
    private static final Set<HandlerType> MUTATIONS = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH,
            HandlerType.DELETE);
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(password|passwd|passphrase|secret|token|api[_-]?key|authorization|credential|private[_-]?key).*");
    private static final Pattern PREDICTION = Pattern.compile(".*/(infer|invocations)$");
    private static final Pattern ARTIFACTS = Pattern.compile("^(/ajax-api|/api)/2\\.0/mlflow-artifacts/.*");

    private final AuditLog log;
    private final AtomicLong failures = new AtomicLong();

    public AuditRecorder(AuditLog log) {
        this.log = log;
    }

    /** The after-handler to serve with the APIs (it matches every path). */
    public ApiRoute route() {
        return new ApiRoute(HandlerType.AFTER, "*", this::record);
    }

    /** How many events could not be appended since start (each one is also logged as an error). */
    public long failures() {
        return failures.get();
    }

    void record(Context ctx) {
        if (!MUTATIONS.contains(ctx.method())) {
            return;
        }
        var endpoint = ctx.endpoints().matchedHttpEndpoint();
        int status = ctx.statusCode();
        if (endpoint == null && (status == 404 || status == 405)) {
            return; // no such endpoint: nothing could have changed
        }
        var route = endpoint != null ? endpoint.path : ctx.path();
        if (PREDICTION.matcher(route).matches()) {
            return;
        }
        try {
            boolean artifacts = ARTIFACTS.matcher(ctx.path()).matches();
            var event = new AuditEvent(actor(ctx), clip(ctx.method().name() + " " + route, AuditEvent.MAX_NAME_CHARS),
                    clip(ctx.path(), AuditEvent.MAX_RESOURCE_CHARS), source(ctx), status,
                    request(ctx, artifacts), before(ctx), artifacts ? null : after(ctx, status));
            log.append(event);
        } catch (Exception e) { // (a body that broke off throws an IOException that Javalin's Kotlin does not declare)
            failures.incrementAndGet();
            LOG.error("Could not append the audit record of {} {} (status {})", ctx.method(), ctx.path(), status, e);
        }
    }

    private static String before(Context ctx) {
        String before = ctx.attribute(dev.launchpad.server.auth.AuthFilter.BEFORE);
        if (before == null || before.length() > MAX_CAPTURED_BYTES) {
            return null;
        }
        var node = parse(before.getBytes(StandardCharsets.UTF_8));
        return node == null ? null : write(redact(node));
    }

    private static String actor(Context ctx) {
        Object principal = ctx.attribute(PRINCIPAL_ATTRIBUTE);
        if (principal == null || principal.toString().isBlank()) {
            return ANONYMOUS;
        }
        return clip(principal.toString(), AuditEvent.MAX_NAME_CHARS);
    }

    private static String source(Context ctx) {
        var source = ctx.ip();
        var forwarded = ctx.header("X-Forwarded-For");
        if (forwarded != null && !forwarded.isBlank()) {
            source += " (X-Forwarded-For: " + clip(forwarded, 512) + ")";
        }
        return clip(source, AuditEvent.MAX_RESOURCE_CHARS);
    }

    private static String request(Context ctx, boolean artifacts) {
        var summary = Json.mapper().createObjectNode();
        var query = ctx.queryParamMap();
        if (!query.isEmpty()) {
            var node = summary.putObject("query");
            query.forEach((name, values) -> {
                var array = node.putArray(clip(name, 256));
                values.forEach(v -> array.add(SECRET_NAME.matcher(name).matches() ? REDACTED : clip(v, 4096)));
            });
        }
        var contentType = ctx.contentType();
        long length = ctx.contentLength();
        if (contentType != null) {
            summary.put("content_type", clip(contentType, 256));
        }
        if (length > 0) {
            summary.put("content_length", length);
        }
        if (artifacts || !isJson(contentType)) {
            if (length > 0 || contentType != null) {
                summary.put("body_captured", false);
            }
        } else if (length > MAX_CAPTURED_BYTES) {
            summary.put("body_captured", false);
        } else {
            // an error that answered before the body was read has read it since (HttpServer): what it held, not the
            // servlet stream, which has nothing more to give
            byte[] drained = ctx.attribute(dev.launchpad.server.http.HttpServer.DRAINED_BODY);
            byte[] bytes = drained != null ? drained : bodyOf(ctx);
            var body = bytes == null ? null : parse(bytes);
            if (body != null) {
                summary.set("body", redact(body));
            } else if (length != 0) {
                summary.put("body_captured", false);
            }
        }
        return summary.isEmpty() ? null : write(summary);
    }

    /** The request body, or null when it cannot be read (it broke off, or was too large): not captured, then. */
    private static byte[] bodyOf(Context ctx) {
        try {
            return ctx.bodyAsBytes();
        } catch (Exception e) { // (an IOException, which Javalin's Kotlin throws undeclared, or a 413)
            return null;
        }
    }

    private static String after(Context ctx, int status) {
        if (status < 200 || status >= 300 || !isJson(ctx.res().getContentType())
                || !(ctx.resultInputStream() instanceof ByteArrayInputStream stream)
                || stream.available() > MAX_CAPTURED_BYTES) {
            return null;
        }
        var text = ctx.result();
        var node = text == null ? null : parse(text.getBytes(StandardCharsets.UTF_8));
        return node == null || (node.isObject() && node.isEmpty()) ? null : write(redact(node));
    }

    private static boolean isJson(String contentType) {
        return contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).contains("json");
    }

    private static JsonNode parse(byte[] bytes) {
        if (bytes.length == 0 || bytes.length > MAX_CAPTURED_BYTES) {
            return null;
        }
        try {
            var node = Json.mapper().readTree(bytes);
            return node == null || node.isMissingNode() ? null : node;
        } catch (IOException e) {
            return null;
        }
    }

    /** Replaces the value of every field whose name looks like a secret, at any depth. */
    static JsonNode redact(JsonNode node) {
        if (node instanceof ObjectNode object) {
            var names = new java.util.ArrayList<String>();
            object.fieldNames().forEachRemaining(names::add);
            for (var name : names) {
                if (SECRET_NAME.matcher(name).matches() && !object.get(name).isNull()) {
                    object.put(name, REDACTED);
                } else {
                    redact(object.get(name));
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(AuditRecorder::redact);
        }
        return node;
    }

    private static String write(JsonNode node) {
        try {
            return Json.mapper().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String clip(String value, int maxChars) {
        var clean = value.replace('\0', '\uFFFD');
        return clean.length() <= maxChars ? clean : clean.substring(0, maxChars - 3) + "...";
    }
}
