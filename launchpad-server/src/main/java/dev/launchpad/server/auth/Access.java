package dev.launchpad.server.auth;

import dev.launchpad.platform.govern.access.Permission;
import dev.launchpad.platform.govern.access.ResourceType;
import dev.launchpad.platform.govern.identity.Role;

/**
 * Who may call a route, declared on every route where the route is built (see
 * {@link dev.launchpad.server.http.ApiRoute}): nobody needs credentials ({@link Open}), a global role
 * ({@link Global}), a permission on the experiment or registered model the request names
 * ({@link OnResource}), or a viewer whose results the handler filters by READ permission
 * ({@link Filtered}). A subject locator, when given, also lets the audit log record the subject's
 * state before a change.
 */
public sealed interface Access {

    /** Where the route's subject is found, or null. */
    Locator subject();

    /** Whether the audit log records the subject's state before a change through this route. */
    default boolean recordsBefore() {
        return false;
    }

    /** This access, with the subject's state recorded before each change. */
    default Access withBefore() {
        return switch (this) {
            case Global g -> new Global(g.role(), g.subject(), true);
            case OnResource r -> new OnResource(r.permission(), r.subject(), true);
            default -> throw new IllegalStateException(describe() + " names no subject to record");
        };
    }

    /** Health probes and the like: no credentials. */
    record Open() implements Access {
        @Override
        public Locator subject() {
            return null;
        }
    }

    /** Any user whose global role includes {@code role}. */
    record Global(Role role, Locator subject, boolean recordsBefore) implements Access {
    }

    /**
     * A user with at least {@code permission} on the subject's experiment or registered model (an admin
     * always; a grant if there is one; else the role's default). When the request names no existing
     * subject (a create, a missing parameter), the role's default permission decides.
     */
    record OnResource(Permission permission, Locator subject, boolean recordsBefore) implements Access {
    }

    /** Any viewer; the handler shows or accepts only the {@code type} resources the user may READ. */
    record Filtered(ResourceType type) implements Access {
        @Override
        public Locator subject() {
            return null;
        }
    }

    static Access open() {
        return new Open();
    }

    static Access role(Role role) {
        return new Global(role, null, false);
    }

    /** A global role on a located subject (deployments, users), whose state can be recorded before changes. */
    static Access role(Role role, Locator subject) {
        return new Global(role, subject, false);
    }

    static Access read(Locator subject) {
        return new OnResource(Permission.READ, subject, false);
    }

    static Access edit(Locator subject) {
        return new OnResource(Permission.EDIT, subject, false);
    }

    static Access manage(Locator subject) {
        return new OnResource(Permission.MANAGE, subject, false);
    }

    static Access filtered(ResourceType type) {
        return new Filtered(type);
    }

    /** A short human description, for error messages and the permission table in the docs. */
    default String describe() {
        return switch (this) {
            case Open o -> "no credentials";
            case Global g -> "role `" + g.role().label() + "`";
            case OnResource r -> "`" + r.permission() + "` on the " + r.subject().what();
            case Filtered f -> "role `viewer`; shows only " + (f.type() == ResourceType.EXPERIMENT ? "experiments"
                    : "registered models") + " with `READ`";
        };
    }
}
