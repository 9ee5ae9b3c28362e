package dev.launchpad.platform.monitor;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.store.Database;
import dev.launchpad.stats.metrics.ClassificationMetrics;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Ground truth that arrives late: labels for logged predictions (by request id and row), joined to the
 * predictions to compute live metrics per window, and confidence-based performance estimation (CBPE, after
 * NannyML) for classifier predictions that have no label yet.
 */
public final class Feedback {
    /** Most labels one call may carry. */
    public static final int MAX_ITEMS = 10_000;

    private final Database database;
    private final Clock clock;

    public Feedback(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** One label for one row of a served request. */
    public record Label(String requestId, int row, String label) {
        public Label {
            if (requestId == null || requestId.isBlank() || requestId.length() > 256) {
                throw LaunchpadException.invalid("Every feedback item needs a 'request_id' of 1 to 256 characters.");
            }
            if (row < 0) {
                throw LaunchpadException.invalid("'row' must be ≥ 0, got " + row + ".");
            }
            if (label == null || label.length() > 1000) {
                throw LaunchpadException.invalid("Every feedback item needs a 'label' (at most 1000 characters).");
            }
        }
    }

    /** What a feedback call stored: every label, and how many of them match a logged prediction now. */
    public record Accepted(int accepted, int matched) {
    }

    /** Stores labels (a later label for the same row replaces an earlier one). */
    public Accepted record(String deployment, List<Label> labels) {
        if (labels.isEmpty()) {
            throw LaunchpadException.invalid("Give at least one feedback item.");
        }
        if (labels.size() > MAX_ITEMS) {
            throw LaunchpadException.invalid("At most " + MAX_ITEMS + " feedback items per call, got " + labels.size() + ".");
        }
        long now = clock.millis();
        return database.write(h -> {
            var batch = h.prepareBatch("INSERT INTO monitor_feedback (deployment, request_id, row_index, label, received_at)"
                    + " VALUES (:d, :r, :i, :l, :t) ON CONFLICT (deployment, request_id, row_index)"
                    + " DO UPDATE SET label = excluded.label, received_at = excluded.received_at");
            for (var l : labels) {
                batch.bind("d", deployment).bind("r", l.requestId()).bind("i", l.row()).bind("l", l.label()).bind("t", now).add();
            }
            batch.execute();
            int matched = 0;
            for (var l : labels) {
                matched += h.createQuery("SELECT COUNT(*) FROM monitor_predictions WHERE deployment = :d AND request_id = :r"
                                + " AND row_index = :i").bind("d", deployment).bind("r", l.requestId()).bind("i", l.row())
                        .mapTo(Integer.class).one();
            }
            return new Accepted(labels.size(), matched);
        });
    }

    /** Performance of one window: live metrics over labelled rows, CBPE estimates over the unlabelled ones. */
    public record WindowPerformance(long start, long predictions, long labelled, Predictions.Task task, Double accuracy,
                                    Double rocAuc, Double mae, Double rmse, Double estimatedAccuracy,
                                    Double estimatedRocAuc) {
    }

    private record Joined(long time, String prediction, Double score, String label) {
    }

    /** Streams the predictions made in [from, to), each with its label if one arrived. */
    private void joined(String deployment, long from, long to, java.util.function.Consumer<Joined> sink) {
        database.read(h -> {
            h.createQuery("SELECT p.predicted_at, p.prediction, p.score, f.label"
                            + " FROM monitor_predictions p LEFT JOIN monitor_feedback f ON f.deployment = p.deployment"
                            + " AND f.request_id = p.request_id AND f.row_index = p.row_index"
                            + " WHERE p.deployment = :d AND p.predicted_at >= :f AND p.predicted_at < :t")
                    .bind("d", deployment).bind("f", from).bind("t", to).setFetchSize(10_000)
                    .map((rs, ctx) -> {
                        double s = rs.getDouble(3);
                        return new Joined(rs.getLong(1), rs.getString(2), rs.wasNull() ? null : s, rs.getString(4));
                    }).forEach(sink);
            return null;
        });
    }

    /** Per-window performance of predictions made in [from, to), windows of {@code g}, oldest first. */
    public List<WindowPerformance> performance(String deployment, long from, long to, Granularity g) {
        var byWindow = new TreeMap<Long, Evaluation>();
        joined(deployment, from, to, r -> byWindow.computeIfAbsent(g.floor(r.time()), k -> new Evaluation()).add(r));
        var out = new ArrayList<WindowPerformance>();
        byWindow.forEach((start, e) -> out.add(e.result(start)));
        return out;
    }

    /** Performance of every prediction made in [from, to) together (start = from). */
    public WindowPerformance total(String deployment, long from, long to) {
        var e = new Evaluation();
        joined(deployment, from, to, e::add);
        return e.result(from);
    }

    /**
     * One window's predictions, folded in one at a time: counts and sums for the live metrics, and only the
     * scores that ROC AUC and CBPE need (8 bytes a row), so a day of predictions is not held as objects.
     */
    private static final class Evaluation {
        long rows;
        long labelled;
        long correct;
        boolean categorical;
        boolean anyScore;
        boolean anyPrediction;
        boolean allBinary = true;
        boolean labelledIntegral = true;
        double absError;
        double squaredError;
        long regressionCount;
        final Doubles aucScores = new Doubles();
        final java.util.BitSet aucPositive = new java.util.BitSet();
        final Doubles unlabelledScores = new Doubles();

        void add(Joined r) {
            rows++;
            var prediction = r.prediction();
            if (prediction != null) {
                anyPrediction = true;
                if (!isNumber(prediction)) {
                    categorical = true;
                }
                allBinary &= Predictions.isBinaryLabel(prediction);
            }
            anyScore |= r.score() != null;
            if (r.label() == null) {
                if (r.score() != null) {
                    unlabelledScores.add(r.score());
                }
                return;
            }
            if (prediction == null) {
                return;
            }
            labelled++;
            if (sameClass(prediction, r.label())) {
                correct++;
            }
            labelledIntegral &= isInteger(prediction);
            try {
                double err = Double.parseDouble(r.label()) - Double.parseDouble(prediction);
                absError += Math.abs(err);
                squaredError += err * err;
                regressionCount++;
            } catch (NumberFormatException e) {
                // a non-numeric label or prediction: no error to add
            }
            var l = r.label().toLowerCase(java.util.Locale.ROOT);
            if (r.score() != null && (POSITIVE.contains(l) || NEGATIVE.contains(l))) {
                aucPositive.set(aucScores.size(), POSITIVE.contains(l));
                aucScores.add(r.score());
            }
        }

        WindowPerformance result(long start) {
            // a classifier logs scores (probabilities) or labels; a regressor numeric predictions and no score
            var task = categorical || anyScore ? Predictions.Task.CLASSIFICATION : Predictions.Task.REGRESSION;
            boolean binary = anyPrediction && allBinary;
            Double accuracy = null;
            Double auc = null;
            Double mae = null;
            Double rmse = null;
            if (labelled > 0) {
                if (task == Predictions.Task.CLASSIFICATION || labelledIntegral) {
                    // whole-number predictions may be class indices (a classifier without probabilities)
                    accuracy = (double) correct / labelled;
                }
                if (task == Predictions.Task.CLASSIFICATION && binary) {
                    auc = binaryAuc(aucScores.toArray(), aucPositive);
                }
                if (task == Predictions.Task.REGRESSION && regressionCount > 0) {
                    mae = absError / regressionCount;
                    rmse = Math.sqrt(squaredError / regressionCount);
                }
            }
            Double estAccuracy = null;
            Double estAuc = null;
            if (task == Predictions.Task.CLASSIFICATION && unlabelledScores.size() > 0) {
                var cbpe = cbpe(unlabelledScores.toArray(), binary);
                estAccuracy = cbpe[0];
                estAuc = Double.isNaN(cbpe[1]) ? null : cbpe[1];
            }
            return new WindowPerformance(start, rows, labelled, task, accuracy, auc, mae, rmse, estAccuracy, estAuc);
        }
    }

    /** A growable array of doubles. */
    private static final class Doubles {
        private double[] values = new double[64];
        private int size;

        void add(double v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int size() {
            return size;
        }

        double[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    private static boolean isInteger(String s) {
        try {
            double v = Double.parseDouble(s);
            return v == Math.rint(v) && Math.abs(v) < 1e9;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Class labels compare as text, or as numbers when both are numbers ("1" = "1.0"). */
    static boolean sameClass(String prediction, String label) {
        if (prediction.equals(label)) {
            return true;
        }
        try {
            return Double.parseDouble(prediction) == Double.parseDouble(label);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static final Set<String> POSITIVE = Set.of("1", "1.0", "true");
    private static final Set<String> NEGATIVE = Set.of("0", "0.0", "false");

    private static Double binaryAuc(double[] scores, java.util.BitSet positive) {
        int[] y = new int[scores.length];
        boolean anyPositive = false;
        boolean anyNegative = false;
        for (int i = 0; i < y.length; i++) {
            y[i] = positive.get(i) ? 1 : 0;
            anyPositive |= y[i] == 1;
            anyNegative |= y[i] == 0;
        }
        if (!anyPositive || !anyNegative) {
            return null; // AUC needs both classes
        }
        return ClassificationMetrics.rocAuc(y, scores);
    }

    /**
     * Confidence-based performance estimation, assuming calibrated scores: each unlabelled row is correct with
     * the probability its score gives (P(positive) for binary models, the top class probability otherwise), so
     * the expected accuracy is their mean; for binary models the expected ROC AUC comes from the expected
     * confusion matrix at every threshold (each row counts p as a positive and 1 − p as a negative).
     * Returns {accuracy, roc_auc (NaN unless binary)}.
     */
    static double[] cbpe(double[] given, boolean binary) {
        double expectedCorrect = 0;
        double[] scores = new double[given.length];
        for (int i = 0; i < given.length; i++) {
            double p = Math.min(1, Math.max(0, given[i]));
            scores[i] = p;
            expectedCorrect += binary ? Math.max(p, 1 - p) : p;
        }
        double accuracy = expectedCorrect / given.length;
        if (!binary) {
            return new double[] {accuracy, Double.NaN};
        }
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        double positives = Arrays.stream(sorted).sum();
        double negatives = sorted.length - positives;
        if (positives <= 0 || negatives <= 0) {
            return new double[] {accuracy, Double.NaN};
        }
        // walk thresholds from high to low: rows at or above the threshold are predicted positive
        double tp = 0;
        double fp = 0;
        double auc = 0;
        double prevTpr = 0;
        double prevFpr = 0;
        int i = sorted.length - 1;
        while (i >= 0) {
            double t = sorted[i];
            while (i >= 0 && sorted[i] == t) {
                tp += sorted[i];
                fp += 1 - sorted[i];
                i--;
            }
            double tpr = tp / positives;
            double fpr = fp / negatives;
            auc += (fpr - prevFpr) * (tpr + prevTpr) / 2;
            prevTpr = tpr;
            prevFpr = fpr;
        }
        return new double[] {accuracy, auc};
    }

    /** The CBPE accuracy of binary scores P(class 1) (for tests). */
    static double cbpeAccuracyForTest(List<Double> scores) {
        return cbpe(scores.stream().mapToDouble(Double::doubleValue).toArray(), true)[0];
    }

    /** Labels stored for a deployment (all time). */
    public long labelCount(String deployment) {
        return database.read(h -> h.createQuery("SELECT COUNT(*) FROM monitor_feedback WHERE deployment = :d")
                .bind("d", deployment).mapTo(Long.class).one());
    }

    /** For tests and reports: the window performances as a map by start. */
    public static Map<Long, WindowPerformance> byStart(List<WindowPerformance> list) {
        var m = new TreeMap<Long, WindowPerformance>();
        list.forEach(w -> m.put(w.start(), w));
        return m;
    }
}
