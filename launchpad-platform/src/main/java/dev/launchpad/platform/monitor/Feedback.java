package dev.launchpad.platform.monitor;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.store.Database;
import dev.launchpad.stats.metrics.ClassificationMetrics;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
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

    private List<Joined> joined(String deployment, long from, long to) {
        return database.read(h -> h.createQuery("SELECT p.predicted_at, p.prediction, p.score, f.label"
                        + " FROM monitor_predictions p LEFT JOIN monitor_feedback f ON f.deployment = p.deployment"
                        + " AND f.request_id = p.request_id AND f.row_index = p.row_index"
                        + " WHERE p.deployment = :d AND p.predicted_at >= :f AND p.predicted_at < :t")
                .bind("d", deployment).bind("f", from).bind("t", to)
                .map((rs, ctx) -> {
                    double s = rs.getDouble(3);
                    return new Joined(rs.getLong(1), rs.getString(2), rs.wasNull() ? null : s, rs.getString(4));
                }).list());
    }

    /** Per-window performance of predictions made in [from, to), windows of {@code g}, oldest first. */
    public List<WindowPerformance> performance(String deployment, long from, long to, Granularity g) {
        var byWindow = new TreeMap<Long, List<Joined>>();
        for (var r : joined(deployment, from, to)) {
            byWindow.computeIfAbsent(g.floor(r.time()), k -> new ArrayList<>()).add(r);
        }
        var out = new ArrayList<WindowPerformance>();
        for (var e : byWindow.entrySet()) {
            out.add(evaluate(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** Performance of every prediction made in [from, to) together (start = from). */
    public WindowPerformance total(String deployment, long from, long to) {
        return evaluate(from, joined(deployment, from, to));
    }

    private static WindowPerformance evaluate(long start, List<Joined> rows) {
        boolean categorical = false;
        boolean anyScore = false;
        for (var r : rows) {
            if (r.prediction() != null && !isNumber(r.prediction())) {
                categorical = true;
            }
            anyScore |= r.score() != null;
        }
        // a classifier logs scores (probabilities); a regressor logs numeric predictions and no score
        var task = categorical || anyScore ? Predictions.Task.CLASSIFICATION : Predictions.Task.REGRESSION;
        var labelled = rows.stream().filter(r -> r.label() != null && r.prediction() != null).toList();
        Double accuracy = null;
        Double auc = null;
        Double mae = null;
        Double rmse = null;
        if (!labelled.isEmpty()) {
            if (task == Predictions.Task.REGRESSION && labelled.stream().allMatch(r -> isInteger(r.prediction()))) {
                // whole-number predictions may be class indices (a classifier without probabilities): both apply
                accuracy = (double) labelled.stream().filter(r -> sameClass(r.prediction(), r.label())).count()
                        / labelled.size();
            }
            if (task == Predictions.Task.CLASSIFICATION) {
                long correct = labelled.stream().filter(r -> sameClass(r.prediction(), r.label())).count();
                accuracy = (double) correct / labelled.size();
                auc = binaryAuc(labelled);
            } else {
                double abs = 0;
                double sq = 0;
                int n = 0;
                for (var r : labelled) {
                    try {
                        double err = Double.parseDouble(r.label()) - Double.parseDouble(r.prediction());
                        abs += Math.abs(err);
                        sq += err * err;
                        n++;
                    } catch (NumberFormatException e) {
                        // a non-numeric label for a regressor: not counted
                    }
                }
                if (n > 0) {
                    mae = abs / n;
                    rmse = Math.sqrt(sq / n);
                }
            }
        }
        Double estAccuracy = null;
        Double estAuc = null;
        if (task == Predictions.Task.CLASSIFICATION) {
            var scored = rows.stream().filter(r -> r.label() == null && r.score() != null).toList();
            if (!scored.isEmpty()) {
                var cbpe = cbpe(scored, binary(rows));
                estAccuracy = cbpe[0];
                estAuc = Double.isNaN(cbpe[1]) ? null : cbpe[1];
            }
        }
        return new WindowPerformance(start, rows.size(), labelled.size(), task, accuracy, auc, mae, rmse, estAccuracy, estAuc);
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

    /** Whether predictions look binary (labels 0/1 or false/true) with a score that is P(positive). */
    private static boolean binary(List<Joined> rows) {
        var seen = new HashSet<String>();
        for (var r : rows) {
            if (r.prediction() != null) {
                seen.add(r.prediction().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return !seen.isEmpty() && seen.stream().allMatch(s -> POSITIVE.contains(s) || NEGATIVE.contains(s));
    }

    private static Double binaryAuc(List<Joined> labelled) {
        if (!binary(labelled)) {
            return null;
        }
        var y = new ArrayList<Integer>();
        var s = new ArrayList<Double>();
        for (var r : labelled) {
            var l = r.label().toLowerCase(java.util.Locale.ROOT);
            if (r.score() == null || !(POSITIVE.contains(l) || NEGATIVE.contains(l))) {
                continue;
            }
            y.add(POSITIVE.contains(l) ? 1 : 0);
            s.add(r.score());
        }
        if (!y.contains(0) || !y.contains(1)) {
            return null; // AUC needs both classes
        }
        return ClassificationMetrics.rocAuc(y.stream().mapToInt(Integer::intValue).toArray(),
                s.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * Confidence-based performance estimation, assuming calibrated scores: each unlabelled row is correct with
     * the probability its score gives (P(positive) for binary models, the top class probability otherwise), so
     * the expected accuracy is their mean; for binary models the expected ROC AUC comes from the expected
     * confusion matrix at every threshold (each row counts p as a positive and 1 − p as a negative).
     * Returns {accuracy, roc_auc (NaN unless binary)}.
     */
    static double[] cbpe(List<Joined> rows, boolean binary) {
        double expectedCorrect = 0;
        double[] scores = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            double p = Math.min(1, Math.max(0, rows.get(i).score()));
            scores[i] = p;
            expectedCorrect += binary ? Math.max(p, 1 - p) : p;
        }
        double accuracy = expectedCorrect / rows.size();
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
        var rows = scores.stream().map(s -> new Joined(0, s >= 0.5 ? "1" : "0", s, null)).toList();
        return cbpe(rows, true)[0];
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
