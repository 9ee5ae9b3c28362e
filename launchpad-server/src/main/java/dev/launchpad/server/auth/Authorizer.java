package dev.launchpad.server.auth;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.govern.access.Permission;
import dev.launchpad.platform.govern.access.PermissionService;
import dev.launchpad.platform.govern.access.ResourcePermission;
import dev.launchpad.platform.govern.access.ResourceType;
import dev.launchpad.platform.govern.identity.Role;
import dev.launchpad.platform.govern.identity.User;
import io.javalin.http.Context;

import java.util.Collection;
import java.util.HashMap;
import java.util.function.Predicate;

/**
 * Per-resource permission checks for handlers that act on many resources at once (searches filter
 * their results, a run search over several experiments needs READ on each) and grants to creators.
 * With authentication off everyone may do everything.
 */
public final class Authorizer {
    private final PermissionService permissions;
    private final boolean enabled;

    public Authorizer(PermissionService permissions, boolean enabled) {
        this.permissions = permissions;
        this.enabled = enabled;
    }

    public PermissionService permissions() {
        return permissions;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Which resources of {@code type} the request's user may read (their grants are read once). */
    public Predicate<String> readable(Context ctx, ResourceType type) {
        var user = AuthFilter.user(ctx);
        if (!enabled || user == null || user.role() == Role.ADMIN) {
            return id -> true;
        }
        var grants = new HashMap<String, Permission>();
        for (var grant : permissions.listForUser(user.name())) {
            if (grant.type() == type) {
                grants.put(grant.resourceId(), grant.permission());
            }
        }
        var fallback = Permission.defaultFor(user.role());
        return id -> grants.getOrDefault(id, fallback).includes(Permission.READ);
    }

    /** PERMISSION_DENIED unless the user has {@code required} on every one of {@code ids}. */
    public void require(Context ctx, ResourceType type, Collection<String> ids, Permission required) {
        var user = AuthFilter.user(ctx);
        if (!enabled || user == null) {
            return;
        }
        for (var given : ids) {
            var id = type == ResourceType.EXPERIMENT
                    ? ResourceResolver.canonicalExperimentId(given).orElse(given) : given;
            var has = permissions.effective(user, type, id);
            if (!has.includes(required)) {
                throw denied(user, type, id, has, required);
            }
        }
    }

    /** Makes the request's user MANAGE a resource they just created (MLflow does the same). */
    public void grantCreator(Context ctx, ResourceType type, String id) {
        var user = AuthFilter.user(ctx);
        if (enabled && user != null && user.role() != Role.ADMIN) {
            permissions.put(type, id, user.name(), Permission.MANAGE, user.name());
        }
    }

    static LaunchpadException denied(User user, ResourceType type, String id, Permission has, Permission required) {
        return new LaunchpadException(ErrorCode.PERMISSION_DENIED, "User '" + user.name() + "' has "
                + has + " on " + (type == ResourceType.EXPERIMENT ? "experiment " : "registered model '") + id
                + (type == ResourceType.EXPERIMENT ? "" : "'") + "; this needs " + required + ".");
    }

    /** A grant as MLflow's permission APIs show it. */
    static java.util.Map<String, Object> json(ResourcePermission p) {
        var node = new java.util.LinkedHashMap<String, Object>();
        node.put(p.type() == ResourceType.EXPERIMENT ? "experiment_id" : "name", p.resourceId());
        node.put("username", p.user());
        node.put("permission", p.permission().name());
        node.put("granted_by", p.grantedBy());
        node.put("granted_time", p.grantedTime());
        return node;
    }
}
