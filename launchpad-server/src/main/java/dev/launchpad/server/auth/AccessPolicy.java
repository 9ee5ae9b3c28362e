package dev.launchpad.server.auth;

import dev.launchpad.platform.govern.identity.Role;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The role each request needs, decided by method and path: reads (GET, and POST searches) need a
 * viewer, predictions need a viewer, every other change needs an editor, the audit log needs an admin;
 * health probes need nobody.
 * User and token management is checked by the users API itself (admins, or users for their own tokens).
 */
public final class AccessPolicy {
    private static final Set<String> PUBLIC = Set.of("/health/live", "/health/ready", "/v2/health/live",
            "/v2/health/ready", "/ping", "/health");
    private static final Pattern INFERENCE = Pattern.compile(
            "^(/v2/models/[^/]+(/versions/[^/]+)?/infer|/invocations|/deployments/[^/]+/invocations|/api/v1/noop)$");
    private static final Pattern SEARCH = Pattern.compile("^/(api|ajax-api)/2\\.0/mlflow/[a-z-]+/search$");

    private AccessPolicy() {
    }

    /** The role a request needs, or null when it needs no credentials at all. */
    public static Role required(String method, String path) {
        if (PUBLIC.contains(path) && (method.equals("GET") || method.equals("HEAD"))) {
            return null;
        }
        if (path.startsWith("/api/v1/audit")) {
            return Role.ADMIN; // who did what is for admins (auditors) only
        }
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
            return Role.VIEWER;
        }
        if (method.equals("POST") && (INFERENCE.matcher(path).matches() || SEARCH.matcher(path).matches())) {
            return Role.VIEWER;
        }
        if (path.startsWith("/api/v1/users") || path.startsWith("/api/v1/tokens")) {
            return Role.VIEWER; // the users API decides: admins, or a user for their own tokens
        }
        return Role.EDITOR;
    }
}
