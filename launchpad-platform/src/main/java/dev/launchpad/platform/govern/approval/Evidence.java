package dev.launchpad.platform.govern.approval;

import java.util.Locale;

/**
 * A piece of evidence attached to a model version for its approval gates: a validation result
 * (passed when its {@code success} is true) or fairness metrics (checked against the policy's bounds
 * when the gate runs). {@code content} is the JSON as submitted.
 */
public record Evidence(String id, Kind kind, boolean passed, String content, String submittedBy, long time) {
    /** The kinds of evidence a gate can ask for. */
    public enum Kind {
        VALIDATION, FAIRNESS;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
