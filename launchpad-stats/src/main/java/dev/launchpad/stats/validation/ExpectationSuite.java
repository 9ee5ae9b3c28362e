package dev.launchpad.stats.validation;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.launchpad.core.json.Json;
import dev.launchpad.stats.Dataset;
import java.util.ArrayList;
import java.util.List;

/**
 * A named list of expectations: data that is stored as JSON and evaluated against a dataset
 * (Great Expectations' suite, Deequ's check).
 */
public record ExpectationSuite(@JsonProperty("expectation_suite_name") String name,
                               @JsonProperty("expectations") List<Expectation> expectations) {

    public ExpectationSuite {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("expectation_suite_name must not be blank");
        }
        if (expectations == null) {
            throw new IllegalArgumentException("expectations must not be null");
        }
        for (Expectation e : expectations) {
            if (e == null) {
                throw new IllegalArgumentException("suite '" + name + "' contains a null expectation");
            }
        }
        expectations = List.copyOf(expectations);
    }

    /** A suite of the given expectations. */
    public static ExpectationSuite of(String name, Expectation... expectations) {
        return new ExpectationSuite(name, List.of(expectations));
    }

    /** Evaluates every expectation; a missing column fails its expectation rather than the whole run. */
    public ValidationResult validate(Dataset data) {
        if (data == null) {
            throw new IllegalArgumentException("dataset must not be null");
        }
        List<ExpectationResult> results = new ArrayList<>(expectations.size());
        int ok = 0;
        for (Expectation e : expectations) {
            ExpectationResult r = Validator.evaluateSafely(e, data);
            results.add(r);
            if (r.success()) {
                ok++;
            }
        }
        return new ValidationResult(name, ok == expectations.size(), expectations.size(), ok, results);
    }

    /** The suite as JSON. */
    public String toJson() {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write suite '" + name + "' as JSON", e);
        }
    }

    /** Reads a suite from JSON; malformed JSON or invalid expectations give an {@link IllegalArgumentException}. */
    public static ExpectationSuite fromJson(String json) {
        if (json == null) {
            throw new IllegalArgumentException("suite JSON must not be null");
        }
        try {
            return Json.mapper().readValue(json, ExpectationSuite.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("invalid expectation suite JSON: " + e.getOriginalMessage(), e);
        }
    }
}
