package dev.launchpad.platform.govern.approval;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.launchpad.core.error.LaunchpadException;

import java.util.Map;
import java.util.TreeMap;

/**
 * The evidence a registered model's versions need before they can be approved: a passing validation
 * result, fairness metrics whose absolute values stay within bounds (e.g.
 * {@code demographic_parity_difference ≤ 0.1}), a model card someone wrote. The default asks for none.
 */
public record ApprovalPolicy(@JsonProperty("require_validation") boolean requireValidation,
                             @JsonProperty("require_model_card") boolean requireModelCard,
                             @JsonProperty("fairness_bounds") Map<String, Double> fairnessBounds) {
    /** No gates: an approver's decision is enough. */
    public static final ApprovalPolicy NONE = new ApprovalPolicy(false, false, Map.of());

    public ApprovalPolicy {
        fairnessBounds = fairnessBounds == null ? Map.of() : new TreeMap<>(fairnessBounds);
        for (var bound : fairnessBounds.entrySet()) {
            if (bound.getKey() == null || bound.getKey().isBlank() || bound.getKey().length() > 256) {
                throw LaunchpadException.invalid("A fairness bound needs a metric name of 1 to 256 characters.");
            }
            var value = bound.getValue();
            if (value == null || !Double.isFinite(value) || value < 0) {
                throw LaunchpadException.invalid("Fairness bound '" + bound.getKey()
                        + "' must be a finite number >= 0 (the largest absolute value allowed).");
            }
        }
    }

    /** Whether the policy asks for anything at all. */
    public boolean hasGates() {
        return requireValidation || requireModelCard || !fairnessBounds.isEmpty();
    }
}
