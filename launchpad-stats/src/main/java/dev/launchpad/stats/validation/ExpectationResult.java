package dev.launchpad.stats.validation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The outcome of one expectation, shaped like Great Expectations' result.
 *
 * @param expectation the expectation evaluated
 * @param success whether it held
 * @param observedValue the aggregate observed (mean, row count, type, share present...), or null for map expectations
 * @param elementCount rows considered
 * @param missingCount missing values among them (ignored by column-map expectations)
 * @param unexpectedCount present values that failed
 * @param unexpectedPercent unexpected values as a percentage of present values
 * @param unexpectedExamples up to 20 failing values, in row order
 * @param error why the expectation could not be evaluated (e.g. missing column), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExpectationResult(@JsonProperty("expectation") Expectation expectation,
                                @JsonProperty("success") boolean success,
                                @JsonProperty("observed_value") Object observedValue,
                                @JsonProperty("element_count") Long elementCount,
                                @JsonProperty("missing_count") Long missingCount,
                                @JsonProperty("unexpected_count") Long unexpectedCount,
                                @JsonProperty("unexpected_percent") Double unexpectedPercent,
                                @JsonProperty("partial_unexpected_list") List<Object> unexpectedExamples,
                                @JsonProperty("error") String error) {
    public ExpectationResult {
        unexpectedExamples = unexpectedExamples == null ? null
                : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(unexpectedExamples));
    }

    static ExpectationResult aggregate(Expectation e, boolean success, Object observed, long elements, long missing) {
        return new ExpectationResult(e, success, observed, elements, missing, null, null, null, null);
    }

    static ExpectationResult failed(Expectation e, String error) {
        return new ExpectationResult(e, false, null, null, null, null, null, null, error);
    }
}
