package dev.launchpad.stats.validation;

import dev.launchpad.stats.Column;
import dev.launchpad.stats.Dataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoublePredicate;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Evaluates single expectations against a dataset (used by {@link ExpectationSuite}). */
final class Validator {
    static final int MAX_EXAMPLES = 20;

    private Validator() {
    }

    static ExpectationResult evaluate(Expectation e, Dataset data) {
        if (e instanceof Expectation.RowCountBetween rc) {
            long rows = data.rowCount();
            boolean ok = (rc.min() == null || rows >= rc.min()) && (rc.max() == null || rows <= rc.max());
            return ExpectationResult.aggregate(e, ok, rows, rows, 0);
        }
        if (!data.has(e.column())) {
            if (e instanceof Expectation.ColumnExists) {
                return ExpectationResult.aggregate(e, false, false, data.rowCount(), 0);
            }
            return ExpectationResult.failed(e, "column '" + e.column() + "' does not exist");
        }
        Column column = data.column(e.column());
        long rows = column.size();
        long missing = rows - column.presentCount();
        return switch (e) {
            case Expectation.ColumnExists ce -> ExpectationResult.aggregate(e, true, true, rows, missing);
            case Expectation.OfType t -> {
                String actual = column instanceof Column.Numeric ? "numeric" : "categorical";
                yield ExpectationResult.aggregate(e, actual.equals(t.columnType()), actual, rows, missing);
            }
            case Expectation.NotNull nn -> {
                List<Object> examples = new ArrayList<>();
                for (int i = 0; i < column.size() && examples.size() < MAX_EXAMPLES; i++) {
                    if (column.isMissing(i)) {
                        examples.add(null);
                    }
                }
                double share = rows == 0 ? 1.0 : (double) (rows - missing) / rows;
                boolean ok = share >= mostly(nn.mostly()) - 1e-12;
                yield new ExpectationResult(e, ok, share, rows, missing, missing,
                        rows == 0 ? 0.0 : 100.0 * missing / rows, examples, null);
            }
            case Expectation.Between b -> {
                Column.Numeric num = numeric(column, e);
                boolean strictMin = Boolean.TRUE.equals(b.strictMin());
                boolean strictMax = Boolean.TRUE.equals(b.strictMax());
                DoublePredicate ok = v -> (b.min() == null || (strictMin ? v > b.min() : v >= b.min()))
                        && (b.max() == null || (strictMax ? v < b.max() : v <= b.max()));
                yield numericMap(e, num, ok, b.mostly());
            }
            case Expectation.InSet in -> {
                if (column instanceof Column.Numeric num) {
                    Set<Double> allowed = new HashSet<>();
                    for (String s : in.valueSet()) {
                        try {
                            allowed.add(Double.parseDouble(s) + 0.0);
                        } catch (NumberFormatException ex) {
                            yield ExpectationResult.failed(e, "value_set entry '" + s + "' is not a number but column '"
                                    + e.column() + "' is numeric");
                        }
                    }
                    yield numericMap(e, num, v -> allowed.contains(v + 0.0), in.mostly());
                }
                Set<String> allowed = new HashSet<>(in.valueSet());
                yield categoricalMap(e, (Column.Categorical) column, allowed::contains, in.mostly());
            }
            case Expectation.MatchesRegex re -> {
                if (!(column instanceof Column.Categorical cat)) {
                    yield ExpectationResult.failed(e, "column '" + e.column() + "' is numeric; regex needs a categorical column");
                }
                Pattern p = Pattern.compile(re.regex());
                yield categoricalMap(e, cat, s -> p.matcher(s).find(), re.mostly());
            }
            case Expectation.Unique u -> unique(e, column);
            case Expectation.MeanBetween mb -> {
                double[] v = present(numeric(column, e));
                double mean = v.length == 0 ? Double.NaN : Arrays.stream(v).sum() / v.length;
                yield ExpectationResult.aggregate(e, within(mean, mb.min(), mb.max()), mean, rows, missing);
            }
            case Expectation.StdevBetween sb -> {
                double[] v = present(numeric(column, e));
                double sd = sampleStd(v);
                yield ExpectationResult.aggregate(e, within(sd, sb.min(), sb.max()), sd, rows, missing);
            }
            case Expectation.QuantileBetween qb -> {
                double[] v = present(numeric(column, e));
                Arrays.sort(v);
                double q = quantile(v, qb.quantile());
                yield ExpectationResult.aggregate(e, within(q, qb.min(), qb.max()), q, rows, missing);
            }
            case Expectation.RowCountBetween rc -> throw new IllegalStateException("handled above");
        };
    }

    private static double mostly(Double mostly) {
        return mostly == null ? 1.0 : mostly;
    }

    private static boolean within(double v, Double min, Double max) {
        return !Double.isNaN(v) && (min == null || v >= min) && (max == null || v <= max);
    }

    private static Column.Numeric numeric(Column c, Expectation e) {
        if (c instanceof Column.Numeric n) {
            return n;
        }
        throw new NotNumeric(e);
    }

    /** Signals a numeric expectation on a categorical column; turned into a failed result. */
    private static final class NotNumeric extends RuntimeException {
        NotNumeric(Expectation e) {
            super("column '" + e.column() + "' is categorical; " + e.type() + " needs a numeric column", null, false, false);
        }
    }

    static ExpectationResult evaluateSafely(Expectation e, Dataset data) {
        try {
            return evaluate(e, data);
        } catch (NotNumeric ex) {
            return ExpectationResult.failed(e, ex.getMessage());
        }
    }

    static double[] present(Column.Numeric c) {
        double[] v = c.values();
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                n++;
            }
        }
        double[] out = new double[n];
        int j = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                out[j++] = x;
            }
        }
        return out;
    }

    static double sampleStd(double[] v) {
        if (v.length < 2) {
            return Double.NaN;
        }
        double mean = 0;
        for (double x : v) {
            mean += x;
        }
        mean /= v.length;
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return Math.sqrt(ss / (v.length - 1));
    }

    /** numpy's default (linear) quantile of sorted values. */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static ExpectationResult numericMap(Expectation e, Column.Numeric c, DoublePredicate ok, Double mostly) {
        long present = 0;
        long bad = 0;
        List<Object> examples = new ArrayList<>();
        for (double v : c.values()) {
            if (Double.isNaN(v)) {
                continue;
            }
            present++;
            if (!ok.test(v)) {
                bad++;
                if (examples.size() < MAX_EXAMPLES) {
                    examples.add(v);
                }
            }
        }
        return mapResult(e, c, present, bad, examples, mostly);
    }

    private static ExpectationResult categoricalMap(Expectation e, Column.Categorical c, Predicate<String> ok,
                                                    Double mostly) {
        long present = 0;
        long bad = 0;
        List<Object> examples = new ArrayList<>();
        for (String v : c.values()) {
            if (v == null) {
                continue;
            }
            present++;
            if (!ok.test(v)) {
                bad++;
                if (examples.size() < MAX_EXAMPLES) {
                    examples.add(v);
                }
            }
        }
        return mapResult(e, c, present, bad, examples, mostly);
    }

    private static ExpectationResult mapResult(Expectation e, Column c, long present, long bad, List<Object> examples,
                                               Double mostly) {
        double goodShare = present == 0 ? 1.0 : (double) (present - bad) / present;
        boolean success = goodShare >= mostly(mostly) - 1e-12;
        return new ExpectationResult(e, success, null, (long) c.size(), c.size() - present, bad,
                present == 0 ? 0.0 : 100.0 * bad / present, examples, null);
    }

    private static ExpectationResult unique(Expectation e, Column c) {
        Map<Object, Integer> seen = new HashMap<>();
        long present = 0;
        if (c instanceof Column.Numeric n) {
            for (double v : n.values()) {
                if (!Double.isNaN(v)) {
                    present++;
                    seen.merge(v + 0.0, 1, Integer::sum);
                }
            }
        } else {
            for (String v : ((Column.Categorical) c).values()) {
                if (v != null) {
                    present++;
                    seen.merge(v, 1, Integer::sum);
                }
            }
        }
        long bad = 0;
        List<Object> examples = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            if (c.isMissing(i)) {
                continue;
            }
            Object key = c instanceof Column.Numeric n ? (Object) (n.values()[i] + 0.0) : ((Column.Categorical) c).values()[i];
            if (seen.get(key) > 1) {
                bad++;
                if (examples.size() < MAX_EXAMPLES) {
                    examples.add(key);
                }
            }
        }
        return mapResult(e, c, present, bad, examples, null);
    }
}
