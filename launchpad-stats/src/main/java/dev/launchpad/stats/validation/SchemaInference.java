package dev.launchpad.stats.validation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.launchpad.stats.Column;
import dev.launchpad.stats.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Infers a schema from a reference dataset, as TFDV's {@code infer_schema} does: each column's type,
 * completeness, numeric range and, for categorical columns with few distinct values, the allowed
 * categories. The schema turns into a suggested {@link ExpectationSuite} to validate later data with.
 */
public final class SchemaInference {
    private SchemaInference() {
    }

    /**
     * Inference settings.
     *
     * @param maxCategories a categorical column gets an allowed-values domain when it has at most this many distinct values
     * @param rangeMargin the numeric range is widened by this fraction of its width on each side (0 = observed range)
     */
    public record Options(int maxCategories, double rangeMargin) {
        public Options {
            if (maxCategories < 0) {
                throw new IllegalArgumentException("maxCategories must be ≥ 0, got " + maxCategories);
            }
            if (!(rangeMargin >= 0) || Double.isInfinite(rangeMargin)) {
                throw new IllegalArgumentException("rangeMargin must be a finite value ≥ 0, got " + rangeMargin);
            }
        }

        /** 20 categories, observed range. */
        public static Options defaults() {
            return new Options(20, 0.0);
        }
    }

    /**
     * One column's inferred schema.
     *
     * @param name column name
     * @param type {@code numeric} or {@code categorical}
     * @param completeness share of present values in the reference
     * @param min smallest finite value (numeric), else null
     * @param max largest finite value (numeric), else null
     * @param domain allowed categories (categorical with few values), else null
     * @param distinctValues distinct present values
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ColumnSchema(@JsonProperty("name") String name, @JsonProperty("type") String type,
                               @JsonProperty("completeness") double completeness, @JsonProperty("min") Double min,
                               @JsonProperty("max") Double max, @JsonProperty("domain") List<String> domain,
                               @JsonProperty("distinct_values") long distinctValues) {
    }

    /** A dataset's inferred schema. */
    public record Schema(@JsonProperty("columns") List<ColumnSchema> columns) {
        public Schema {
            columns = List.copyOf(columns);
        }

        /**
         * The suggested suite: every column exists with its type; not null with {@code mostly} = the
         * reference completeness (rounded down to 1 %); numeric values within the (widened) range;
         * categorical values in the domain when one was inferred.
         */
        public ExpectationSuite toSuite(String name) {
            List<Expectation> out = new ArrayList<>();
            for (ColumnSchema c : columns) {
                out.add(new Expectation.ColumnExists(c.name()));
                out.add(new Expectation.OfType(c.name(), c.type()));
                Double mostly = c.completeness() >= 1.0 ? null : Math.floor(c.completeness() * 100) / 100;
                out.add(new Expectation.NotNull(c.name(), mostly));
                if (c.min() != null) {
                    out.add(new Expectation.Between(c.name(), c.min(), c.max()));
                }
                if (c.domain() != null) {
                    out.add(new Expectation.InSet(c.name(), c.domain(), null));
                }
            }
            return new ExpectationSuite(name, out);
        }
    }

    /** The schema of {@code reference} with default options. */
    public static Schema infer(Dataset reference) {
        return infer(reference, Options.defaults());
    }

    /** The schema of {@code reference}. */
    public static Schema infer(Dataset reference, Options options) {
        if (reference == null || options == null) {
            throw new IllegalArgumentException("reference and options must not be null");
        }
        List<ColumnSchema> out = new ArrayList<>();
        for (Column c : reference.columns().values()) {
            long rows = c.size();
            double completeness = rows == 0 ? 1.0 : (double) c.presentCount() / rows;
            if (c instanceof Column.Numeric num) {
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                var distinct = new java.util.HashSet<Double>();
                for (double v : num.values()) {
                    if (Double.isFinite(v)) {
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                        distinct.add(v + 0.0);
                    }
                }
                Double lo = null;
                Double hi = null;
                if (min <= max) {
                    double margin = (max - min) * options.rangeMargin();
                    lo = min - margin;
                    hi = max + margin;
                }
                out.add(new ColumnSchema(c.name(), "numeric", completeness, lo, hi, null, distinct.size()));
            } else {
                TreeSet<String> distinct = new TreeSet<>();
                for (String v : ((Column.Categorical) c).values()) {
                    if (v != null) {
                        distinct.add(v);
                    }
                }
                List<String> domain = distinct.size() <= options.maxCategories() && !distinct.isEmpty()
                        ? List.copyOf(distinct) : null;
                out.add(new ColumnSchema(c.name(), "categorical", completeness, null, null, domain, distinct.size()));
            }
        }
        return new Schema(out);
    }
}
