package dev.launchpad.server.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.govern.identity.ApiToken;
import dev.launchpad.platform.govern.identity.IdentityService;
import dev.launchpad.platform.govern.identity.Role;
import dev.launchpad.platform.govern.identity.User;
import dev.launchpad.server.http.ApiRequest;
import dev.launchpad.server.http.ApiRoute;
import dev.launchpad.server.http.HttpServer;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The native users and tokens API: admins create users and service accounts, set roles, disable
 * users and manage anyone's tokens; every user can see themselves and manage their own tokens. A
 * token's secret is in the answer that issues it and nowhere else.
 */
public final class UsersApi {
    private final IdentityService identity;

    public UsersApi(IdentityService identity) {
        this.identity = identity;
    }

    public List<ApiRoute> routes() {
        return List.of(
                route(HandlerType.GET, "/api/v1/whoami", Access.role(Role.VIEWER), (ctx, r) -> {
                    var user = AuthFilter.user(ctx);
                    return user == null ? Json.mapper().createObjectNode().put("name", "anonymous")
                            .put("authentication", "off") : json(user);
                }),
                route(HandlerType.POST, "/api/v1/users", Access.role(Role.ADMIN), (ctx, r) -> {
                    requireAdmin(ctx);
                    var kind = r.string("kind") == null ? User.Kind.USER : kind(r.string("kind"));
                    var role = r.string("role") == null ? Role.VIEWER : Role.parse(r.string("role"));
                    return json(identity.createUser(r.requiredString("name"), kind, role, r.string("password")));
                }),
                route(HandlerType.GET, "/api/v1/users", Access.role(Role.ADMIN), (ctx, r) -> {
                    requireAdmin(ctx);
                    var node = Json.mapper().createObjectNode();
                    var list = node.putArray("users");
                    identity.listUsers().forEach(u -> list.add(json(u)));
                    return node;
                }),
                route(HandlerType.GET, "/api/v1/users/{name}", Access.role(Role.VIEWER), (ctx, r) -> {
                    requireSelfOrAdmin(ctx, ctx.pathParam("name"));
                    return json(identity.getUser(ctx.pathParam("name")));
                }),
                route(HandlerType.PATCH, "/api/v1/users/{name}", Access.role(Role.VIEWER, Locator.pathParam(Subject.Kind.USER, "name")).withBefore(), (ctx, r) -> {
                    var name = ctx.pathParam("name");
                    var role = r.string("role");
                    var disabled = r.fieldNames().contains("disabled") ? r.optionalBoolean("disabled") : null;
                    if (role != null || disabled != null) {
                        requireAdmin(ctx);
                    } else {
                        requireSelfOrAdmin(ctx, name);
                    }
                    if (role != null) {
                        identity.setRole(name, Role.parse(role));
                    }
                    if (disabled != null) {
                        identity.setDisabled(name, disabled);
                    }
                    if (r.string("password") != null) {
                        var self = AuthFilter.user(ctx);
                        if (self != null && self.name().equals(name)) {
                            identity.changeOwnPassword(name, r.string("current_password"), r.string("password"));
                        } else {
                            identity.setPassword(name, r.string("password"));
                        }
                    }
                    return json(identity.getUser(name));
                }),
                route(HandlerType.POST, "/api/v1/users/{name}/tokens", Access.role(Role.VIEWER), (ctx, r) -> {
                    var name = ctx.pathParam("name");
                    requireSelfOrAdmin(ctx, name);
                    var seconds = r.optionalLong("expires_in_seconds");
                    if (seconds != null && (seconds <= 0 || seconds > 10L * 366 * 24 * 3600)) {
                        throw LaunchpadException.invalid("expires_in_seconds must be between 1 and 10 years.");
                    }
                    var issued = identity.issueToken(name, r.requiredString("name"),
                            seconds == null ? null : Duration.ofSeconds(seconds));
                    var node = Json.mapper().createObjectNode();
                    node.set("token", json(issued.token()));
                    node.put("secret", issued.secret());
                    return node;
                }),
                route(HandlerType.GET, "/api/v1/users/{name}/tokens", Access.role(Role.VIEWER), (ctx, r) -> {
                    var name = ctx.pathParam("name");
                    requireSelfOrAdmin(ctx, name);
                    var node = Json.mapper().createObjectNode();
                    var list = node.putArray("tokens");
                    identity.listTokens(name).forEach(t -> list.add(json(t)));
                    return node;
                }),
                route(HandlerType.DELETE, "/api/v1/tokens/{id}", Access.role(Role.VIEWER), (ctx, r) -> {
                    var token = identity.getToken(ctx.pathParam("id"))
                            .orElseThrow(() -> LaunchpadException.notFound("Token '" + ctx.pathParam("id") + "' not found."));
                    requireSelfOrAdmin(ctx, token.userName());
                    return json(identity.revokeToken(token.id()));
                }));
    }

    private interface Action {
        Object apply(Context ctx, ApiRequest request);
    }

    /** A route; the user rules beyond {@code access} (admin, or the user themself) are checked by the action. */
    private static ApiRoute route(HandlerType method, String path, Access access, Action action) {
        return new ApiRoute(method, path, ctx -> HttpServer.json(ctx, action.apply(ctx, ApiRequest.of(ctx))), access);
    }

    private static void requireAdmin(Context ctx) {
        var user = AuthFilter.user(ctx);
        if (user != null && !user.role().includes(Role.ADMIN)) {
            throw new LaunchpadException(ErrorCode.PERMISSION_DENIED, "Only admins manage users; '" + user.name()
                    + "' has role " + user.role().label() + ".");
        }
    }

    private static void requireSelfOrAdmin(Context ctx, String name) {
        var user = AuthFilter.user(ctx);
        if (user != null && !user.name().equals(name) && !user.role().includes(Role.ADMIN)) {
            throw new LaunchpadException(ErrorCode.PERMISSION_DENIED, "User '" + user.name()
                    + "' may manage only their own account and tokens.");
        }
    }

    private static User.Kind kind(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "user" -> User.Kind.USER;
            case "service", "service_account" -> User.Kind.SERVICE;
            default -> throw LaunchpadException.invalid("Unknown kind '" + value + "'; use 'user' or 'service'.");
        };
    }

    static ObjectNode json(User u) {
        return Json.mapper().createObjectNode().put("name", u.name()).put("kind", u.kind().name().toLowerCase(Locale.ROOT))
                .put("role", u.role().label()).put("creation_timestamp", u.creationTime()).put("disabled", u.disabled());
    }

    static ObjectNode json(ApiToken t) {
        var node = Json.mapper().createObjectNode().put("id", t.id()).put("user", t.userName()).put("name", t.name())
                .put("creation_timestamp", t.creationTime());
        if (t.expiryTime() != null) {
            node.put("expiry_timestamp", t.expiryTime());
        }
        if (t.revokedTime() != null) {
            node.put("revoked_timestamp", t.revokedTime());
        }
        return node;
    }
}
