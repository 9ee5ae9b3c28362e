package dev.launchpad.server.auth;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.govern.access.Permission;
import dev.launchpad.platform.govern.access.PermissionService;
import dev.launchpad.platform.govern.identity.User;
import dev.launchpad.server.http.ApiRoute;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Authenticates every matched HTTP request and enforces the {@link Access} its route declares before the
 * handler runs: a global role, or a permission on the experiment or registered model the request names.
 * Puts the user in the context ({@link #USER}), its name in {@link #PRINCIPAL} and, for changes to a
 * located subject, the subject's state before the change in {@link #BEFORE} (for the audit log). A
 * route without a declared access is refused. With authentication off every request runs as
 * {@code anonymous} with full rights.
 */
public final class AuthFilter {
    /** Context attribute holding the authenticated {@link User} (absent with auth off). */
    public static final String USER = "launchpad.user";
    /** Context attribute holding the acting user's name ({@code anonymous} with auth off). */
    public static final String PRINCIPAL = "launchpad.principal";
    /** Context attribute holding the JSON state of the request's subject before a change. */
    public static final String BEFORE = "launchpad.before";
    private static final Set<HandlerType> CHANGES = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH,
            HandlerType.DELETE);

    private final Authenticator authenticator;
    private final PermissionService permissions;
    private final ResourceResolver resolver;
    private final boolean enabled;
    private volatile Map<String, Access> declared = Map.of();

    public AuthFilter(Authenticator authenticator, PermissionService permissions, ResourceResolver resolver,
                      boolean enabled) {
        this.authenticator = authenticator;
        this.permissions = permissions;
        this.resolver = resolver;
        this.enabled = enabled;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Takes the access each route declares (called once the server's route list is complete). */
    public void declare(List<ApiRoute> routes) {
        var map = new HashMap<String, Access>();
        for (var route : routes) {
            if (route.access() != null) {
                map.put(key(route.method(), route.path()), route.access());
            }
        }
        declared = Map.copyOf(map);
    }

    public void handle(Context ctx) {
        // decide on the route that matched (its template), not on the raw path, so that encoded or
        // oddly written paths cannot reach a route under another route's rules
        var endpoint = ctx.endpoints().matchedHttpEndpoint();
        var access = endpoint == null ? null : declared.get(key(endpoint.method, endpoint.path));
        if (!enabled) {
            ctx.attribute(PRINCIPAL, "anonymous");
            recordBefore(ctx, access);
            return;
        }
        if (access == null) {
            throw new LaunchpadException(ErrorCode.PERMISSION_DENIED, ctx.method() + " " + ctx.path()
                    + " declares no permission, so nobody may call it.");
        }
        if (access instanceof Access.Open) {
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
        ctx.attribute(USER, u);
        ctx.attribute(PRINCIPAL, u.name());
        switch (access) {
            case Access.Global global -> {
                if (!u.role().includes(global.role())) {
                    throw new LaunchpadException(ErrorCode.PERMISSION_DENIED, "User '" + u.name() + "' has role "
                            + u.role().label() + "; " + ctx.method() + " " + ctx.path() + " needs "
                            + global.role().label() + ".");
                }
            }
            case Access.OnResource onResource -> {
                var required = onResource.permission();
                var subject = onResource.subject().locate(ctx);
                var target = resolver.target(subject);
                if (subject != null && subject.kind() == Subject.Kind.UNOWNED) {
                    if (u.role() != dev.launchpad.platform.govern.identity.Role.ADMIN) {
                        throw new LaunchpadException(ErrorCode.PERMISSION_DENIED, "Artifact path '" + subject.id()
                                + "' is in no experiment's (<experiment_id>/...) or registered model's"
                                + " (registry/<model>/...) area; only admins may use it.");
                    }
                } else if (target.isPresent()) {
                    var has = permissions.effective(u, target.get().type(), target.get().id());
                    if (!has.includes(required)) {
                        throw Authorizer.denied(u, target.get().type(), target.get().id(), has, required);
                    }
                } else if (!Permission.defaultFor(u.role()).includes(required)) {
                    throw new LaunchpadException(ErrorCode.PERMISSION_DENIED, "User '" + u.name() + "' has role "
                            + u.role().label() + "; " + ctx.method() + " " + ctx.path() + " needs " + required + ".");
                }
            }
            case Access.Filtered filtered -> {
                // any user; the handler filters by READ
            }
            case Access.Open open -> {
            }
        }
        recordBefore(ctx, access);
    }

    private void recordBefore(Context ctx, Access access) {
        if (access == null || !access.recordsBefore() || !CHANGES.contains(ctx.method())) {
            return;
        }
        var before = resolver.snapshot(access.subject().locate(ctx));
        if (before != null) {
            ctx.attribute(BEFORE, before);
        }
    }

    /** The authenticated user of a request, or null with auth off. */
    public static User user(Context ctx) {
        return ctx.attribute(USER);
    }

    private static String key(HandlerType method, String path) {
        return method.name() + " " + path;
    }
}
