package dev.launchpad.platform.govern.audit;

import dev.launchpad.core.error.LaunchpadException;

/**
 * Which audit rows to list or export; every field is optional (null matches all): exact
 * {@code actor} and {@code action}, a {@code resourcePrefix}, and a time range in epoch milliseconds,
 * {@code from} inclusive and {@code to} exclusive.
 */
public record AuditFilter(String actor, String action, String resourcePrefix, Long from, Long to) {
    /** Matches every row. */
    public static final AuditFilter ALL = new AuditFilter(null, null, null, null, null);

    public AuditFilter {
        actor = emptyToNull(actor);
        action = emptyToNull(action);
        resourcePrefix = emptyToNull(resourcePrefix);
        if (from != null && from < 0) {
            throw LaunchpadException.invalid("Invalid value " + from + " for parameter 'from': expected epoch"
                    + " milliseconds >= 0.");
        }
        if (to != null && to < 0) {
            throw LaunchpadException.invalid("Invalid value " + to + " for parameter 'to': expected epoch"
                    + " milliseconds >= 0.");
        }
        if (from != null && to != null && from > to) {
            throw LaunchpadException.invalid("Invalid time range: 'from' (" + from + ") is after 'to' (" + to + ").");
        }
        for (var value : new String[] {actor, action, resourcePrefix}) {
            if (value != null && value.length() > AuditEvent.MAX_RESOURCE_CHARS) {
                throw LaunchpadException.invalid("Audit filter values must be at most "
                        + AuditEvent.MAX_RESOURCE_CHARS + " characters.");
            }
        }
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
