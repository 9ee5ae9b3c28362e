package dev.launchpad.server.auth;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.govern.identity.User;
import io.javalin.http.Context;

/**
 * Authenticates every matched HTTP request and checks its role against {@link AccessPolicy} before the
 * handler runs. Puts the user in the context ({@link #USER}) and its name in {@link #PRINCIPAL} (for the
 * audit log). With authentication turned off every request runs as {@code anonymous} with full rights.
 */
public final class AuthFilter {
    /** Context attribute holding the authenticated {@link User} (absent with auth off). */
    public static final String USER = "launchpad.user";
    /** Context attribute holding the acting user's name ({@code anonymous} with auth off). */
    public static final String PRINCIPAL = "launchpad.principal";

    private final Authenticator authenticator;
    private final boolean enabled;

    public AuthFilter(Authenticator authenticator, boolean enabled) {
        this.authenticator = authenticator;
        this.enabled = enabled;
    }

    public boolean enabled() {
        return enabled;
    }

    public void handle(Context ctx) {
        if (!enabled) {
            ctx.attribute(PRINCIPAL, "anonymous");
            return;
        }
        // decide on the route that matched (its template), not on the raw path, so that encoded or
        // oddly written paths cannot reach a route under another route's rules
        var endpoint = ctx.endpoints().matchedHttpEndpoint();
        var required = AccessPolicy.required(ctx.method().name(), endpoint != null ? endpoint.path : ctx.path());
        if (required == null) {
            return;
        }
        var user = authenticator.authenticate(ctx.header("Authorization"));
        if (user.isEmpty()) {
            ctx.header("WWW-Authenticate", "Basic realm=\"launchpad\", Bearer realm=\"launchpad\"");
            throw new LaunchpadException(ErrorCode.UNAUTHENTICATED, ctx.header("Authorization") == null
                    ? "Authentication required: send 'Authorization: Bearer <token>' (MLFLOW_TRACKING_TOKEN) or Basic"
                            + " credentials (MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD)."
                    : "The credentials are not valid (unknown, expired or revoked token, wrong password, or a"
                            + " disabled user).");
        }
        var u = user.get();
        if (!u.role().includes(required)) {
            throw new LaunchpadException(ErrorCode.PERMISSION_DENIED, "User '" + u.name() + "' has role "
                    + u.role().label() + "; " + ctx.method() + " " + ctx.path() + " needs " + required.label() + ".");
        }
        ctx.attribute(USER, u);
        ctx.attribute(PRINCIPAL, u.name());
    }

    /** The authenticated user of a request, or null with auth off. */
    public static User user(Context ctx) {
        return ctx.attribute(USER);
    }
}
