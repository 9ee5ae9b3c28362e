package dev.launchpad.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The HTTP server (Javalin on Jetty 12, virtual threads) serving a set of {@link ApiRoute}s.
 * Every failure leaves as {@code {"error_code","message"}} with the code's status: typed errors as
 * they are, unknown endpoints as ENDPOINT_NOT_FOUND, and anything unexpected as INTERNAL_ERROR
 * (logged with its stack trace, which the client never sees).
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    /** Requests larger than this are refused with 413 before they are read. */
    public static final long MAX_REQUEST_BYTES = 32L * 1024 * 1024;
    /**
     * At most this much of a request body left unread is read and dropped before an error answers it, so that a
     * small body still on its way does not arrive at a closed connection and reset it, taking the answer with it.
     */
    static final int UNREAD_BODY_DRAINED_BYTES = 1 << 20;
    /**
     * The request attribute that holds, after an error answered a request whose body it had not read, what that body
     * held (a byte array; empty when it was larger than {@link #DRAINED_BODY_KEPT_BYTES} or not read whole).
     */
    public static final String DRAINED_BODY = "launchpad.drainedBody";
    /** How much of a drained body is kept in {@link #DRAINED_BODY}: as much as an audit record captures. */
    public static final int DRAINED_BODY_KEPT_BYTES = 64 * 1024;
    /** How long at most a body left unread is read before an error answers it. */
    static final long UNREAD_BODY_DRAIN_NANOS = 5_000_000_000L;
    /** How long a body left unread may pause before an error answers it without the rest. */
    static final long UNREAD_BODY_QUIET_NANOS = 2_000_000_000L;

    private final Javalin app;

    private HttpServer(Javalin app) {
        this.app = app;
    }

    public static HttpServer start(String host, int port, List<ApiRoute> routes) {
        var app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.concurrency.useVirtualThreads = true;
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
            config.http.prefer405over404 = true;
            for (var route : routes) {
                config.routes.addEndpoint(new io.javalin.router.Endpoint(route.method(), route.path(), route.handler()));
            }
            config.routes.exception(LaunchpadException.class, (e, ctx) -> error(ctx, e.code(), e.getMessage()));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, codeFor(e.getStatus(), ctx),
                    messageFor(e, ctx)));
            config.routes.exception(Exception.class, (e, ctx) -> {
                if (dev.launchpad.platform.store.Database.isUnstorableText(e)) {
                    error(ctx, ErrorCode.INVALID_PARAMETER_VALUE, "A text value of the request holds a character the"
                            + " database cannot store (NUL, U+0000).");
                    return;
                }
                LOG.error("Unexpected failure serving {} {}", ctx.method(), ctx.path(), e);
                error(ctx, ErrorCode.INTERNAL_ERROR, "Internal error: " + e.getClass().getSimpleName()
                        + ". The server log has the details.");
            });
        });
        app.start(host, port);
        return new HttpServer(app);
    }

    public int port() {
        return app.port();
    }

    /** Writes a JSON response with status 200. */
    public static void json(Context ctx, Object body) {
        try {
            ctx.contentType("application/json").result(Json.mapper().writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void error(Context ctx, ErrorCode code, String message) {
        drainUnreadBody(ctx);
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("error_code", code.name());
        body.put("message", message);
        ctx.status(code.httpStatus());
        if (code == ErrorCode.REQUEST_LIMIT_EXCEEDED || code == ErrorCode.TEMPORARILY_UNAVAILABLE) {
            ctx.header("Retry-After", "1");
        }
        json(ctx, body);
    }

    /**
     * Reads what is left of a request body of at most {@link #UNREAD_BODY_DRAINED_BYTES}, and drops it. A handler
     * that refuses a request before reading its body (a wrong version, a full disk) would otherwise answer while the
     * body is still arriving; Jetty then closes the connection, and the body's late bytes make the client's side reset
     * it, losing the answer.
     * <ul>
     * <li>The body is read through Jetty's own request, whose reads never wait and mark the body's end: only as it
     *     arrives, for at most {@link #UNREAD_BODY_DRAIN_NANOS}, and no longer than {@link #UNREAD_BODY_QUIET_NANOS}
     *     after its last bytes, so a client that stopped sending to wait for the answer gets it.</li>
     * <li>What it held is left in {@link #DRAINED_BODY} for the refusal's audit record (the servlet stream has nothing
     *     more to give): the bytes of a body of at most {@link #DRAINED_BODY_KEPT_BYTES} read whole from its first byte;
     *     else an empty array, also when nothing arrived, so that the audit record does not wait for it either.</li>
     * <li>Not read at all: a request without a body (most GETs: answered at once), a declared body over the limit (the
     *     connection closes as before), and the body of a client waiting for {@code 100 Continue}, which has sent
     *     nothing and is asked for nothing, by the audit record neither.</li>
     * </ul>
     */
    private static void drainUnreadBody(Context ctx) {
        var request = ctx.req();
        long declared = request.getContentLengthLong();
        boolean chunked = declared < 0 && request.getHeader("Transfer-Encoding") != null;
        if ((declared <= 0 && !chunked) || declared > UNREAD_BODY_DRAINED_BYTES) {
            return;
        }
        // Jetty's own request, underneath the servlet stream (whose reads either wait or cannot tell a body's end
        // from a pause); what the servlet stream has taken already is not seen again here
        jakarta.servlet.ServletRequest unwrapped = request;
        while (unwrapped instanceof jakarta.servlet.ServletRequestWrapper wrapper) {
            unwrapped = wrapper.getRequest();
        }
        if (!(unwrapped instanceof org.eclipse.jetty.ee10.servlet.ServletApiRequest api)) {
            return;
        }
        var core = api.getRequest();
        long readBefore = org.eclipse.jetty.server.Request.getContentBytesRead(core);
        if (request.getHeader("Expect") != null) {
            if (readBefore == 0) {
                ctx.attribute(DRAINED_BODY, new byte[0]); // nor is the audit record to ask for it
            }
            return;
        }
        var kept = new java.io.ByteArrayOutputStream();
        long drained = 0;
        boolean ended = false;
        try {
            long started = System.nanoTime();
            long lastBytes = started;
            while (drained < UNREAD_BODY_DRAINED_BYTES) {
                var chunk = core.read();
                long now = System.nanoTime();
                if (chunk == null) { // nothing arrived yet
                    if (now - started > UNREAD_BODY_DRAIN_NANOS || now - lastBytes > UNREAD_BODY_QUIET_NANOS) {
                        break;
                    }
                    Thread.sleep(2);
                    continue;
                }
                try {
                    if (org.eclipse.jetty.io.Content.Chunk.isFailure(chunk)) {
                        break; // broken off
                    }
                    int n = chunk.remaining();
                    if (n > 0 && drained + n <= DRAINED_BODY_KEPT_BYTES) {
                        var bytes = new byte[n];
                        chunk.getByteBuffer().get(bytes);
                        kept.write(bytes, 0, n);
                    }
                    drained += n;
                    lastBytes = now;
                    if (chunk.isLast()) {
                        ended = true;
                        break;
                    }
                } finally {
                    chunk.release();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the request failed under us: nothing more to drop
        }
        // none when the handler had read the whole body itself (Javalin keeps what it read); only a body read from its
        // first byte is kept (a tail of one the handler began reading could parse as something it was not)
        if (drained > 0 || !ended) {
            boolean whole = ended && readBefore == 0 && drained <= DRAINED_BODY_KEPT_BYTES;
            ctx.attribute(DRAINED_BODY, whole ? kept.toByteArray() : new byte[0]);
        }
    }

    private static ErrorCode codeFor(int status, Context ctx) {
        return switch (status) {
            case 404 -> ErrorCode.ENDPOINT_NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.PERMISSION_DENIED;
            case 429 -> ErrorCode.REQUEST_LIMIT_EXCEEDED;
            case 503 -> ErrorCode.TEMPORARILY_UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.BAD_REQUEST;
        };
    }

    private static String messageFor(HttpResponseException e, Context ctx) {
        return switch (e.getStatus()) {
            case 404 -> "No API endpoint " + ctx.method() + " " + ctx.path();
            case 405 -> "Method " + ctx.method() + " is not allowed for " + ctx.path();
            case 413 -> "Request body exceeds the limit of " + MAX_REQUEST_BYTES + " bytes";
            default -> e.getMessage();
        };
    }

    @Override
    public void close() {
        app.stop();
    }
}
