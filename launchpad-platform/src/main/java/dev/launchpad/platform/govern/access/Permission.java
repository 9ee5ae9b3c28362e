package dev.launchpad.platform.govern.access;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.govern.identity.Role;

/**
 * What a user may do with one experiment or registered model, named and ordered as in MLflow's
 * authentication app: {@code READ} to see it, {@code EDIT} to change it (log runs, register versions),
 * {@code MANAGE} to also delete it and grant permissions on it; {@code NO_PERMISSIONS} hides it.
 */
public enum Permission {
    NO_PERMISSIONS, READ, EDIT, MANAGE;

    /** Whether this permission allows what {@code required} allows. */
    public boolean includes(Permission required) {
        return ordinal() >= required.ordinal();
    }

    /**
     * What a user has on a resource nobody granted them anything on: viewers read, editors and
     * approvers edit, admins manage (admins always manage, whatever was granted).
     */
    public static Permission defaultFor(Role role) {
        return switch (role) {
            case VIEWER -> READ;
            case EDITOR, APPROVER -> EDIT;
            case ADMIN -> MANAGE;
        };
    }

    public static Permission parse(String value) {
        if (value != null) {
            for (var p : values()) {
                if (p.name().equalsIgnoreCase(value)) {
                    return p;
                }
            }
        }
        throw LaunchpadException.invalid("Invalid permission '" + value
                + "'; permissions are READ, EDIT, MANAGE and NO_PERMISSIONS.");
    }
}
