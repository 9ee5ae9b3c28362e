package dev.launchpad.platform.tracking;

import dev.launchpad.core.error.LaunchpadException;

import java.util.List;

/** Which lifecycle stages a search returns (MLflow's {@code ViewType}). */
public enum ViewType {
    ACTIVE_ONLY(List.of("active")),
    DELETED_ONLY(List.of("deleted")),
    ALL(List.of("active", "deleted"));

    private final List<String> stages;

    ViewType(List<String> stages) {
        this.stages = stages;
    }

    public List<String> stages() {
        return stages;
    }

    /** Parses MLflow's names (or their numbers 1, 2, 3); null means the default, ACTIVE_ONLY. */
    public static ViewType parse(String value) {
        if (value == null || value.isEmpty()) {
            return ACTIVE_ONLY;
        }
        return switch (value.toUpperCase(java.util.Locale.ROOT)) {
            case "ACTIVE_ONLY", "1" -> ACTIVE_ONLY;
            case "DELETED_ONLY", "2" -> DELETED_ONLY;
            case "ALL", "3" -> ALL;
            default -> throw LaunchpadException.invalid("Invalid view type '" + value
                    + "'. Expected one of ACTIVE_ONLY, DELETED_ONLY, ALL.");
        };
    }
}
