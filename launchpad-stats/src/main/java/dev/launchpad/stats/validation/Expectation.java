package dev.launchpad.stats.validation;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.launchpad.stats.Checks;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One data-quality expectation, named as in Great Expectations. Expectations are plain data: a
 * suite of them round-trips through JSON ({@code {"expectation_type": "expect_column_values_to_be_between",
 * "column": "age", "min_value": 0, "max_value": 120, "mostly": 0.99}}). Column-map expectations
 * ignore missing values (NaN, null) and pass when at least {@code mostly} (default 1) of the present
 * values meet them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "expectation_type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Expectation.ColumnExists.class, name = "expect_column_to_exist"),
        @JsonSubTypes.Type(value = Expectation.OfType.class, name = "expect_column_values_to_be_of_type"),
        @JsonSubTypes.Type(value = Expectation.NotNull.class, name = "expect_column_values_to_not_be_null"),
        @JsonSubTypes.Type(value = Expectation.Between.class, name = "expect_column_values_to_be_between"),
        @JsonSubTypes.Type(value = Expectation.InSet.class, name = "expect_column_values_to_be_in_set"),
        @JsonSubTypes.Type(value = Expectation.MatchesRegex.class, name = "expect_column_values_to_match_regex"),
        @JsonSubTypes.Type(value = Expectation.Unique.class, name = "expect_column_values_to_be_unique"),
        @JsonSubTypes.Type(value = Expectation.MeanBetween.class, name = "expect_column_mean_to_be_between"),
        @JsonSubTypes.Type(value = Expectation.StdevBetween.class, name = "expect_column_stdev_to_be_between"),
        @JsonSubTypes.Type(value = Expectation.QuantileBetween.class, name = "expect_column_quantile_values_to_be_between"),
        @JsonSubTypes.Type(value = Expectation.RowCountBetween.class, name = "expect_table_row_count_to_be_between"),
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface Expectation {

    /** Great Expectations' name of this expectation. */
    @JsonIgnore
    default String type() {
        return Expectations.typeName(this);
    }

    /** The column this expectation is about, or {@code null} for table-level ones. */
    String column();

    /** The column exists. */
    record ColumnExists(@JsonProperty("column") String column) implements Expectation {
        public ColumnExists {
            Checks.name(column);
        }
    }

    /** The column has the given type: {@code "numeric"} or {@code "categorical"}. */
    record OfType(@JsonProperty("column") String column, @JsonProperty("type_") String columnType)
            implements Expectation {
        public OfType {
            Checks.name(column);
            if (!"numeric".equals(columnType) && !"categorical".equals(columnType)) {
                throw new IllegalArgumentException("expectation on '" + column + "': type_ must be numeric or categorical, got "
                        + columnType);
            }
        }
    }

    /** At least {@code mostly} of all rows are present (not NaN / null). */
    record NotNull(@JsonProperty("column") String column, @JsonProperty("mostly") Double mostly) implements Expectation {
        public NotNull {
            Checks.name(column);
            Expectations.checkMostly(column, mostly);
        }
    }

    /** Present numeric values lie in [min, max] (either bound optional; strict bounds exclude it). */
    record Between(@JsonProperty("column") String column, @JsonProperty("min_value") Double min,
                   @JsonProperty("max_value") Double max, @JsonProperty("strict_min") Boolean strictMin,
                   @JsonProperty("strict_max") Boolean strictMax, @JsonProperty("mostly") Double mostly)
            implements Expectation {
        public Between {
            Checks.name(column);
            Expectations.checkRange(column, min, max);
            Expectations.checkMostly(column, mostly);
        }

        public Between(String column, Double min, Double max) {
            this(column, min, max, null, null, null);
        }
    }

    /** Present values are among {@code valueSet} (numeric columns compare numerically). */
    record InSet(@JsonProperty("column") String column, @JsonProperty("value_set") List<String> valueSet,
                 @JsonProperty("mostly") Double mostly) implements Expectation {
        public InSet {
            Checks.name(column);
            if (valueSet == null) {
                throw new IllegalArgumentException("expectation on '" + column + "': value_set must not be null");
            }
            valueSet = List.copyOf(valueSet);
            Expectations.checkMostly(column, mostly);
        }
    }

    /** Present (categorical) values contain a match of {@code regex} (Java syntax, search semantics). */
    record MatchesRegex(@JsonProperty("column") String column, @JsonProperty("regex") String regex,
                        @JsonProperty("mostly") Double mostly) implements Expectation {
        public MatchesRegex {
            Checks.name(column);
            if (regex == null) {
                throw new IllegalArgumentException("expectation on '" + column + "': regex must not be null");
            }
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("expectation on '" + column + "': invalid regex: " + e.getDescription());
            }
            Expectations.checkMostly(column, mostly);
        }
    }

    /** Present values are all distinct. */
    record Unique(@JsonProperty("column") String column) implements Expectation {
        public Unique {
            Checks.name(column);
        }
    }

    /** The mean of the present values lies in [min, max]. */
    record MeanBetween(@JsonProperty("column") String column, @JsonProperty("min_value") Double min,
                       @JsonProperty("max_value") Double max) implements Expectation {
        public MeanBetween {
            Checks.name(column);
            Expectations.checkRange(column, min, max);
        }
    }

    /** The sample standard deviation (n − 1) of the present values lies in [min, max]. */
    record StdevBetween(@JsonProperty("column") String column, @JsonProperty("min_value") Double min,
                        @JsonProperty("max_value") Double max) implements Expectation {
        public StdevBetween {
            Checks.name(column);
            Expectations.checkRange(column, min, max);
        }
    }

    /** The {@code quantile} (linear interpolation, numpy's default) of the present values lies in [min, max]. */
    record QuantileBetween(@JsonProperty("column") String column, @JsonProperty("quantile") double quantile,
                           @JsonProperty("min_value") Double min, @JsonProperty("max_value") Double max)
            implements Expectation {
        public QuantileBetween {
            Checks.name(column);
            if (!(quantile >= 0 && quantile <= 1)) {
                throw new IllegalArgumentException("expectation on '" + column + "': quantile must be in [0, 1], got " + quantile);
            }
            Expectations.checkRange(column, min, max);
        }
    }

    /** The table has between min and max rows. */
    record RowCountBetween(@JsonProperty("min_value") Long min, @JsonProperty("max_value") Long max)
            implements Expectation {
        public RowCountBetween {
            if (min != null && max != null && min > max) {
                throw new IllegalArgumentException("row count expectation: min_value " + min + " > max_value " + max);
            }
        }

        @Override
        public String column() {
            return null;
        }
    }
}
