package dev.launchpad.platform.govern.identity;

import dev.launchpad.core.error.LaunchpadException;

import java.util.Locale;

/**
 * A user's global role, each including the ones before it: viewers read, editors also change
 * experiments, runs, models and deployments, approvers also approve model versions, admins also
 * manage users and tokens.
 */
public enum Role {
    VIEWER, EDITOR, APPROVER, ADMIN;

    /** Whether this role includes {@code required}. */
    public boolean includes(Role required) {
        return ordinal() >= required.ordinal();
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String value) {
        if (value != null) {
            for (var role : values()) {
                if (role.label().equalsIgnoreCase(value)) {
                    return role;
                }
            }
        }
        throw LaunchpadException.invalid("Unknown role '" + value + "'; roles are viewer, editor, approver and admin.");
    }
}
