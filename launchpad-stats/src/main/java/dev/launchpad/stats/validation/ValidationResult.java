package dev.launchpad.stats.validation;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The outcome of a suite: success when every expectation held.
 *
 * @param suiteName the suite's name
 * @param success whether all expectations held
 * @param evaluated number of expectations
 * @param successful number that held
 * @param results one result per expectation, in suite order
 */
public record ValidationResult(@JsonProperty("suite_name") String suiteName, @JsonProperty("success") boolean success,
                               @JsonProperty("evaluated_expectations") int evaluated,
                               @JsonProperty("successful_expectations") int successful,
                               @JsonProperty("results") List<ExpectationResult> results) {
    public ValidationResult {
        results = List.copyOf(results);
    }

    /** The failed results. */
    public List<ExpectationResult> failures() {
        return results.stream().filter(r -> !r.success()).toList();
    }
}
