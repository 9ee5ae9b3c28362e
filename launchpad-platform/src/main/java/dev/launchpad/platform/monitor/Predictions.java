package dev.launchpad.platform.monitor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which output is "the prediction" and which is its score, read off a model's outputs: the first
 * categorical output is a class label (classification), otherwise the first numeric output is the
 * predicted value (regression); a group of numeric outputs {@code p_0 .. p_k} is the class probabilities,
 * whose score is P(class 1) for a model of classes 0/1 (or false/true) and the top probability otherwise
 * (the confidence in the predicted class, e.g. for two classes labelled {@code "fraud"} and {@code "ok"}).
 */
public final class Predictions {
    private static final Pattern INDEXED = Pattern.compile("^(.*)_(\\d+)$");

    private Predictions() {
    }

    /** The task a deployment's outputs show. */
    public enum Task { CLASSIFICATION, REGRESSION }

    /**
     * One row's prediction (text form) and score (or null), and how many class probabilities the model gave (null
     * without them): the score is P(class 1) only when there are two.
     */
    public record Row(String prediction, Double score, Integer classes) {
        public Row(String prediction, Double score) {
            this(prediction, score, null);
        }
    }

    /** The task of a batch of outputs, or null when it has none. */
    public static Task task(FeatureBatch outputs) {
        if (outputs.features().isEmpty()) {
            return null;
        }
        for (var f : outputs.features()) {
            if (!f.numeric()) {
                return Task.CLASSIFICATION;
            }
        }
        return probabilities(outputs).size() >= 2 ? Task.CLASSIFICATION : Task.REGRESSION;
    }

    /** The prediction of every row. */
    public static List<Row> rows(FeatureBatch outputs) {
        return rows(outputs, outputs.rows());
    }

    /** The predictions of the first {@code limit} rows. */
    public static List<Row> rows(FeatureBatch outputs, int limit) {
        int n = Math.max(0, Math.min(limit, outputs.rows()));
        var out = new ArrayList<Row>(n);
        FeatureBatch.Feature label = null;
        for (var f : outputs.features()) {
            if (!f.numeric()) {
                label = f;
                break;
            }
        }
        var probs = probabilities(outputs);
        FeatureBatch.Feature value = null;
        if (label == null && probs.size() < 2) {
            for (var f : outputs.features()) {
                value = f;
                break;
            }
        }
        for (int r = 0; r < n; r++) {
            Double score = null;
            if (probs.size() == 2 && (label == null || isBinaryLabel(label.strings()[r]))) {
                score = probs.get(1).numbers()[r]; // P(class 1), the positive class of a 0/1 model
            } else if (probs.size() >= 2) {
                double max = Double.NEGATIVE_INFINITY;
                for (var p : probs) {
                    max = Math.max(max, p.numbers()[r]);
                }
                score = max;
            }
            String prediction;
            if (label != null) {
                prediction = label.strings()[r];
            } else if (probs.size() >= 2) {
                int best = 0;
                for (int c = 1; c < probs.size(); c++) {
                    if (probs.get(c).numbers()[r] > probs.get(best).numbers()[r]) {
                        best = c;
                    }
                }
                prediction = Integer.toString(best);
            } else if (value != null) {
                prediction = format(value.numbers()[r]);
            } else {
                prediction = null;
            }
            out.add(new Row(prediction, score == null || Double.isNaN(score) ? null : score,
                    probs.size() >= 2 ? probs.size() : null));
        }
        return out;
    }

    /** Whether a predicted label is one of a binary model's 0/1 (false/true) classes. */
    static boolean isBinaryLabel(String label) {
        if (label == null) {
            return true;
        }
        var l = label.toLowerCase(Locale.ROOT);
        return l.equals("0") || l.equals("1") || l.equals("0.0") || l.equals("1.0") || l.equals("false")
                || l.equals("true");
    }

    /** The first group of numeric outputs named {@code x_0, x_1, ...} in order. */
    static List<FeatureBatch.Feature> probabilities(FeatureBatch outputs) {
        var group = new ArrayList<FeatureBatch.Feature>();
        String prefix = null;
        for (var f : outputs.features()) {
            var m = INDEXED.matcher(f.name());
            if (!f.numeric() || !m.matches()) {
                if (prefix != null) {
                    break;
                }
                continue;
            }
            if (prefix == null && m.group(2).equals("0")) {
                prefix = m.group(1);
                group.add(f);
            } else if (prefix != null && m.group(1).equals(prefix) && m.group(2).equals(Integer.toString(group.size()))) {
                group.add(f);
            } else if (prefix != null) {
                break;
            }
        }
        return group;
    }

    /** Whether text reads as a number (a numeric prediction or label, a numeric CSV cell). */
    static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** A number in the text form feedback labels are compared with. */
    public static String format(double v) {
        if (Double.isNaN(v)) {
            return null;
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v).toLowerCase(Locale.ROOT);
    }
}
