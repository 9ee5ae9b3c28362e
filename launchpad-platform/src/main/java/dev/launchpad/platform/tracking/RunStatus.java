package dev.launchpad.platform.tracking;

import dev.launchpad.core.error.LaunchpadException;

/** A run's execution status, as MLflow's {@code RunStatus}. */
public enum RunStatus {
    RUNNING, SCHEDULED, FINISHED, FAILED, KILLED;

    public boolean isTerminal() {
        return this == FINISHED || this == FAILED || this == KILLED;
    }

    public static RunStatus parse(String value) {
        if (value != null) {
            for (var status : values()) {
                if (status.name().equals(value)) {
                    return status;
                }
            }
            switch (value) {
                case "1" -> { return RUNNING; }
                case "2" -> { return SCHEDULED; }
                case "3" -> { return FINISHED; }
                case "4" -> { return FAILED; }
                case "5" -> { return KILLED; }
                default -> { }
            }
        }
        throw LaunchpadException.invalid("Invalid run status '" + value
                + "'. Expected one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED.");
    }
}
