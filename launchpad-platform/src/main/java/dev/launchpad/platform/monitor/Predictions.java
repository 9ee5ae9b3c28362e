package dev.launchpad.platform.monitor;

import dev.launchpad.core.text.Decimals;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which output is "the prediction" and which is its score, read off a model's outputs: the first
 * categorical output is a class label (classification), otherwise the first numeric output is the
 * predicted value (regression); a group of numeric outputs {@code p_0 .. p_k} whose rows each sum to 1 is the class probabilities,
 * whose score is P(class index 1) for two classes (P(1) of a 0/1 model) and the top probability for more (the
 * confidence in the predicted class).
 */
public final class Predictions {
    private static final Pattern INDEXED = Pattern.compile("^(.*)_(\\d+)$");

    private Predictions() {
    }

    /** The task a deployment's outputs show. */
    public enum Task { CLASSIFICATION, REGRESSION }

    /**
     * One row's prediction (text form) and score (or null), and how many class probabilities the model gave: 0 for a
     * class label without any, null for a predicted value. The score is P(class 1) only when there are two.
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
        Integer classes = probs.size() >= 2 ? Integer.valueOf(probs.size()) : label != null ? Integer.valueOf(0) : null;
        for (int r = 0; r < n; r++) {
            Double score = null;
            int best = 0; // the most probable class's index
            for (int c = 1; c < probs.size(); c++) {
                if (probs.get(c).numbers()[r] > probs.get(best).numbers()[r]) {
                    best = c;
                }
            }
            if (probs.size() == 2) {
                // P(class index 1): the positive class's of a 0/1 model, whatever its label says (a tuned threshold);
                // for two classes of other names CBPE reads the confidence as max(p, 1 − p)
                score = probs.get(1).numbers()[r];
            } else if (probs.size() > 2) {
                score = probs.get(best).numbers()[r]; // the confidence in the predicted class
            }
            String prediction;
            if (label != null) {
                prediction = label.strings()[r];
            } else if (probs.size() >= 2) {
                // a row without probabilities (all NaN) predicts nothing
                prediction = Double.isNaN(probs.get(best).numbers()[r]) ? null : Integer.toString(best);
            } else if (value != null) {
                prediction = format(value.numbers()[r]);
            } else {
                prediction = null;
            }
            out.add(new Row(prediction, score == null || Double.isNaN(score) ? null : score, classes));
        }
        return out;
    }

    /** Whether a predicted label is one of a binary model's 0/1 (false/true) classes. */
    static boolean isBinaryLabel(String label) {
        if (label == null) {
            return true;
        }
        var l = label.toLowerCase(Locale.ROOT);
        return POSITIVE_LABELS.contains(l) || NEGATIVE_LABELS.contains(l);
    }

    /** A binary model's positive and negative class as labels spell them (lower case). */
    static final Set<String> POSITIVE_LABELS = Set.of("1", "1.0", "true");
    static final Set<String> NEGATIVE_LABELS = Set.of("0", "0.0", "false");

    /**
     * The first group of numeric outputs named {@code x_0, x_1, ...} in order, when they are class probabilities:
     * each between 0 and 1, each row's summing to 1 (within 0.001). Otherwise (logits, several regression targets,
     * independent per-label scores) none: such outputs are not read as a classifier's.
     */
    static List<FeatureBatch.Feature> probabilities(FeatureBatch outputs) {
        var group = indexedGroup(outputs);
        if (group.size() < 2) {
            return group;
        }
        for (int r = 0; r < outputs.rows(); r++) {
            double sum = 0;
            int missing = 0;
            for (var f : group) {
                double p = f.numbers()[r];
                if (Double.isNaN(p)) {
                    missing++;
                    continue;
                }
                if (p < 0 || p > 1) {
                    return List.of();
                }
                sum += p;
            }
            // a row without probabilities (all NaN: the model had none for it) says nothing; one with some is not one
            if (missing != group.size() && (missing > 0 || Math.abs(sum - 1) > 1e-3)) {
                return List.of();
            }
        }
        return group;
    }

    /** The first group of numeric outputs named {@code x_0, x_1, ...} in order. */
    private static List<FeatureBatch.Feature> indexedGroup(FeatureBatch outputs) {
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
        return Decimals.isDecimal(s.strip());
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
