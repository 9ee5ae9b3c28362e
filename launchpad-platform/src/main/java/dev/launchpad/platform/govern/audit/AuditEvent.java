package dev.launchpad.platform.govern.audit;

import dev.launchpad.core.error.LaunchpadException;

/**
 * One thing that happened, as handed to {@link AuditLog#append}: who did it ({@code actor}, a user
 * name or {@code "anonymous"}), what ({@code action}, e.g. {@code "POST /api/v1/deployments"} or a
 * domain verb), to what ({@code resource}, a path or entity), from where ({@code source}, the client
 * address), with which result ({@code outcome}, an HTTP status; nullable) and, as JSON texts that may
 * each be null, a summary of the request and the state before and after. The time is stamped by the log.
 */
public record AuditEvent(String actor, String action, String resource, String source, Integer outcome,
                         String request, String before, String after) {
    /** Longest actor and action accepted. */
    public static final int MAX_NAME_CHARS = 512;
    /** Longest resource and source accepted. */
    public static final int MAX_RESOURCE_CHARS = 4096;
    /** Longest request, before or after text accepted. */
    public static final int MAX_JSON_CHARS = 1024 * 1024;

    public AuditEvent {
        require("actor", actor, MAX_NAME_CHARS);
        require("action", action, MAX_NAME_CHARS);
        require("resource", resource, MAX_RESOURCE_CHARS);
        limit("source", source, MAX_RESOURCE_CHARS);
        limit("request", request, MAX_JSON_CHARS);
        limit("before", before, MAX_JSON_CHARS);
        limit("after", after, MAX_JSON_CHARS);
    }

    /** An event with no request summary and no before/after state. */
    public static AuditEvent of(String actor, String action, String resource, String source, Integer outcome) {
        return new AuditEvent(actor, action, resource, source, outcome, null, null, null);
    }

    private static void require(String field, String value, int maxChars) {
        if (value == null || value.isBlank()) {
            throw LaunchpadException.invalid("Audit event field '" + field + "' must not be empty.");
        }
        limit(field, value, maxChars);
    }

    private static void limit(String field, String value, int maxChars) {
        if (value != null && value.length() > maxChars) {
            throw LaunchpadException.invalid("Audit event field '" + field + "' is longer than " + maxChars
                    + " characters.");
        }
        if (value != null && value.indexOf('\0') >= 0) {
            throw LaunchpadException.invalid("Audit event field '" + field + "' contains a NUL character.");
        }
    }
}
