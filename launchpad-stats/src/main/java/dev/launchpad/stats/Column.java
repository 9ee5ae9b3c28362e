package dev.launchpad.stats;

import java.util.Objects;

/**
 * One named column of tabular data: numeric ({@code double[]}, NaN = missing) or categorical
 * ({@code String[]}, {@code null} = missing). The statistics library works on these two shapes only,
 * which keeps every algorithm allocation-light and free of boxing.
 */
public sealed interface Column permits Column.Numeric, Column.Categorical {

    /** The column's name, used in results and error messages. */
    String name();

    /** Number of rows, missing values included. */
    int size();

    /** Number of present (non-missing) values. */
    int presentCount();

    /** Whether row {@code i} is missing (NaN or null). */
    boolean isMissing(int i);

    /** A numeric column; NaN marks a missing value. The array is used as given (not copied). */
    record Numeric(String name, double[] values) implements Column {
        public Numeric {
            Checks.name(name);
            if (values == null) {
                throw new IllegalArgumentException("column '" + name + "': values must not be null");
            }
        }

        @Override
        public int size() {
            return values.length;
        }

        @Override
        public int presentCount() {
            int n = 0;
            for (double v : values) {
                if (!Double.isNaN(v)) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public boolean isMissing(int i) {
            return Double.isNaN(values[i]);
        }

        /** The finite values (NaN and infinities dropped), in row order. */
        public double[] finiteValues() {
            int n = 0;
            for (double v : values) {
                if (Double.isFinite(v)) {
                    n++;
                }
            }
            if (n == values.length) {
                return values;
            }
            double[] out = new double[n];
            int j = 0;
            for (double v : values) {
                if (Double.isFinite(v)) {
                    out[j++] = v;
                }
            }
            return out;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Numeric other && name.equals(other.name)
                    && java.util.Arrays.equals(values, other.values);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, java.util.Arrays.hashCode(values));
        }

        @Override
        public String toString() {
            return "Numeric[" + name + ", " + values.length + " rows]";
        }
    }

    /** A categorical column; {@code null} marks a missing value. The array is used as given. */
    record Categorical(String name, String[] values) implements Column {
        public Categorical {
            Checks.name(name);
            if (values == null) {
                throw new IllegalArgumentException("column '" + name + "': values must not be null");
            }
        }

        @Override
        public int size() {
            return values.length;
        }

        @Override
        public int presentCount() {
            int n = 0;
            for (String v : values) {
                if (v != null) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public boolean isMissing(int i) {
            return values[i] == null;
        }

        /** The present values (nulls dropped), in row order. */
        public String[] presentValues() {
            int n = presentCount();
            if (n == values.length) {
                return values;
            }
            String[] out = new String[n];
            int j = 0;
            for (String v : values) {
                if (v != null) {
                    out[j++] = v;
                }
            }
            return out;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Categorical other && name.equals(other.name)
                    && java.util.Arrays.equals(values, other.values);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, java.util.Arrays.hashCode(values));
        }

        @Override
        public String toString() {
            return "Categorical[" + name + ", " + values.length + " rows]";
        }
    }

    /** Shorthand for a numeric column. */
    static Numeric numeric(String name, double... values) {
        return new Numeric(name, values);
    }

    /** Shorthand for a categorical column. */
    static Categorical categorical(String name, String... values) {
        return new Categorical(name, values);
    }
}
