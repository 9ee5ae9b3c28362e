package dev.launchpad.platform.monitor;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.text.Decimals;
import dev.launchpad.platform.store.Database;
import org.jdbi.v3.core.Handle;
import dev.launchpad.stats.metrics.ClassificationMetrics;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Ground truth that arrives late: labels for logged predictions (by request id and row), joined to the
 * predictions to compute live metrics per window, and confidence-based performance estimation (CBPE, after
 * NannyML) for classifier predictions that have no label yet.
 */
public final class Feedback {
    /** Most labels one call may carry. */
    public static final int MAX_ITEMS = 10_000;
    /** Most scores one evaluation keeps for ROC AUC and for CBPE each (beyond, a uniform sample of this many). */
    static final int MAX_SCORES = 250_000;
    /** Most predictions of a span CBPE reads (an even sample beyond): its estimate is a mean, 50 000 are plenty. */
    static final int CBPE_ROWS = 50_000;
    /** Rows CBPE reads at least from a window that has predictions, when the span's even sample missed it. */
    static final int MIN_WINDOW_SAMPLE = 200;
    /** Most windows whose predictions {@link #counts} counts one by one: a day of minutes, whatever second it starts at. */
    static final int COUNTED_WINDOWS = 1_441;
    private static final long LABEL_CLOCK_SLACK_MILLIS = 3_600_000;
    /** Predictions of a deployment logged in [from, to): a range count over the time index and nothing else. */
    private static final String COUNT_IN_SPAN = "SELECT COUNT(*) FROM monitor_predictions"
            + " WHERE deployment = ? AND predicted_at >= ? AND predicted_at < ?";

    private final Database database;
    private final Clock clock;

    public Feedback(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** One label for one row of a served request. */
    public record Label(String requestId, int row, String label) {
        public Label {
            if (requestId == null || requestId.isBlank() || !Observation.isRequestId(requestId)) {
                // an id serving could not have returned matches no prediction, and two that differ only in an unpaired
                // surrogate would be one row to the database
                throw LaunchpadException.invalid("Every feedback item needs a 'request_id' of 1 to 256 printable ASCII"
                        + " characters, as serving returned it.");
            }
            if (row < 0) {
                throw LaunchpadException.invalid("'row' must be ≥ 0, got " + row + ".");
            }
            if (label == null || label.length() > 1000) {
                throw LaunchpadException.invalid("Every feedback item needs a 'label' (at most 1000 characters).");
            }
            if (label.isBlank()) {
                // a ground truth exported as "" where it is unknown would count as a wrong answer
                throw LaunchpadException.invalid("A feedback label is blank: leave out the rows whose label is not"
                        + " known.");
            }
            if (!wellFormed(label) || label.indexOf('\0') >= 0) {
                // (a NUL: PostgreSQL refuses it in text, SQLite would keep it)
                throw LaunchpadException.invalid("A feedback label is not valid text (an unpaired surrogate or a NUL).");
            }
            var number = Decimals.parse(label.strip());
            if (number != null && !Double.isFinite(number)) {
                throw LaunchpadException.invalid("A feedback label is a number too large to compare: " + label + ".");
            }
        }
    }

    /** Whether text has no unpaired surrogate (which both databases would store as '?'). */
    private static boolean wellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** What a feedback call stored: its labels (one per row), and how many of them match a logged prediction now. */
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
        // one label per row, the call's last (PostgreSQL's driver sends the batch as one statement, which may not
        // update a row twice), in key order, so that two calls labelling the same rows lock them in the same order
        // and cannot deadlock on PostgreSQL
        var last = new java.util.LinkedHashMap<Map.Entry<String, Integer>, Label>();
        for (var l : labels) {
            last.put(Map.entry(l.requestId(), l.row()), l);
        }
        var ordered = new ArrayList<>(last.values());
        ordered.sort(java.util.Comparator.comparing(Label::requestId).thenComparingInt(Label::row));
        return database.write(h -> {
            var batch = h.prepareBatch("INSERT INTO monitor_feedback (deployment, request_id, row_index, label, received_at)"
                    + " VALUES (:d, :r, :i, :l, :t) ON CONFLICT (deployment, request_id, row_index)"
                    + " DO UPDATE SET label = excluded.label, received_at = excluded.received_at");
            for (var l : ordered) {
                batch.bind("d", deployment).bind("r", l.requestId()).bind("i", l.row()).bind("l", l.label()).bind("t", now).add();
            }
            batch.execute();
            // the labelled rows whose prediction is stored: their requests' rows read 500 requests a query (inside
            // the write, which on SQLite every other writer waits for: not a query per label)
            var rowsOf = new java.util.LinkedHashMap<String, java.util.Set<Integer>>();
            ordered.forEach(l -> rowsOf.computeIfAbsent(l.requestId(), k -> new java.util.HashSet<>()).add(l.row()));
            var ids = new ArrayList<>(rowsOf.keySet());
            int matched = 0;
            for (int from = 0; from < ids.size(); from += 500) {
                var chunk = ids.subList(from, Math.min(ids.size(), from + 500));
                for (var stored : h.createQuery("SELECT request_id, row_index FROM monitor_predictions"
                                + " WHERE deployment = :d AND request_id IN (<ids>)").bind("d", deployment)
                        .bindList("ids", chunk).map((rs, ctx) -> Map.entry(rs.getString(1), rs.getInt(2))).list()) {
                    if (rowsOf.get(stored.getKey()).contains(stored.getValue())) {
                        matched++;
                    }
                }
            }
            return new Accepted(ordered.size(), matched);
        });
    }

    /** Performance of one window: live metrics over its labelled rows, CBPE estimates over all of its rows. */
    public record WindowPerformance(long start, long predictions, long labelled, Predictions.Task task, Double accuracy,
                                    Double rocAuc, Double mae, Double rmse, Double estimatedAccuracy,
                                    Double estimatedRocAuc) {
    }

    private record Joined(long time, String prediction, Double score, Integer classes, String label) {
    }

    /** The prediction columns every read selects, in the order {@link #joined} reads them. */
    private static final String PREDICTION = "p.predicted_at, p.prediction, p.score, p.classes";

    /** A row of (predicted_at, prediction, score, classes[, label]). */
    private static Joined joined(java.sql.ResultSet rs, boolean withLabel) throws java.sql.SQLException {
        double s = rs.getDouble(3);
        Double score = rs.wasNull() ? null : s;
        int c = rs.getInt(4);
        Integer classes = rs.wasNull() ? null : c;
        return new Joined(rs.getLong(1), rs.getString(2), score, classes, withLabel ? rs.getString(5) : null);
    }

    /**
     * Streams the labelled predictions made in [from, to) with their labels, starting from the labels received since
     * an hour before {@code from} (a label arrives after its prediction; the hour allows for replicas' clocks): the
     * cost follows the labels, not the predictions logged in the span.
     */
    private static void labelled(Handle h, String deployment, long from, long to, Consumer<Joined> sink) {
        // CROSS JOIN keeps the labels as SQLite's outer loop; PostgreSQL plans it as the inner join it is
        h.createQuery("SELECT " + PREDICTION + ", f.label"
                        + " FROM monitor_feedback f CROSS JOIN monitor_predictions p"
                        + " WHERE f.deployment = :d AND f.received_at >= :r AND p.deployment = f.deployment"
                        + " AND p.request_id = f.request_id AND p.row_index = f.row_index"
                        + " AND p.predicted_at >= :f AND p.predicted_at < :t")
                .bind("d", deployment).bind("r", from - LABEL_CLOCK_SLACK_MILLIS).bind("f", from).bind("t", to)
                .setFetchSize(10_000)
                .map((rs, ctx) -> joined(rs, true)).forEach(sink);
    }

    /**
     * Streams the predictions made in [from, to) that CBPE reads: all of them while the span holds at most
     * {@link #CBPE_ROWS}, else those of every {@code k}-th millisecond, k = ⌈predictions / CBPE_ROWS⌉ — a sample
     * spread evenly over the span (labels play no part in it), bounded by twice {@link #CBPE_ROWS} rows.
     */
    private static void sampled(Handle h, String deployment, long from, long to, long predictions, Consumer<Joined> sink) {
        long k = Math.max(1, (predictions + CBPE_ROWS - 1) / CBPE_ROWS);
        h.createQuery("SELECT " + PREDICTION + " FROM monitor_predictions p"
                        + " WHERE p.deployment = :d AND p.predicted_at >= :f AND p.predicted_at < :t"
                        + " AND p.predicted_at % :k = 0 ORDER BY p.predicted_at LIMIT :n")
                .bind("d", deployment).bind("f", from).bind("t", to).bind("k", k).bind("n", 2 * CBPE_ROWS)
                .setFetchSize(10_000)
                .map((rs, ctx) -> joined(rs, false)).forEach(sink);
    }

    /** The newest {@code limit} predictions made in [from, to): for a window the even sample missed. */
    private static void newest(Handle h, String deployment, long from, long to, int limit, Consumer<Joined> sink) {
        h.createQuery("SELECT " + PREDICTION + " FROM monitor_predictions p"
                        + " WHERE p.deployment = :d AND p.predicted_at >= :f AND p.predicted_at < :t"
                        + " ORDER BY p.predicted_at DESC LIMIT :n")
                .bind("d", deployment).bind("f", from).bind("t", to).bind("n", limit)
                .map((rs, ctx) -> joined(rs, false)).forEach(sink);
    }

    /**
     * Predictions logged in [from, to) per window start of {@code g}, read from the time index only: one range count
     * per window while there are at most {@link #COUNTED_WINDOWS} of them, else one grouped count. A range count walks
     * the index and nothing else; grouping by an expression makes SQLite sort every row of the span (7 s instead of
     * 0.8 s for a day of 28.8 million predictions).
     */
    private static TreeMap<Long, Long> counts(Handle h, String deployment, long from, long to, Granularity g) {
        var out = new TreeMap<Long, Long>();
        if (to <= from) {
            return out;
        }
        long first = g.floor(from);
        if (countedOneByOne(from, to, g)) {
            try (var query = h.getConnection().prepareStatement(COUNT_IN_SPAN)) { // prepared once for every window
                for (long start = first; start < to; start += g.millis()) {
                    query.setString(1, deployment);
                    query.setLong(2, Math.max(from, start));
                    query.setLong(3, Math.min(to, start + g.millis()));
                    try (var rs = query.executeQuery()) {
                        long n = rs.next() ? rs.getLong(1) : 0;
                        if (n > 0) {
                            out.put(start, n);
                        }
                    }
                }
            } catch (java.sql.SQLException e) {
                throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException(e, null);
            }
            return out;
        }
        h.createQuery("SELECT predicted_at / :w AS bucket, COUNT(*) FROM monitor_predictions"
                        + " WHERE deployment = :d AND predicted_at >= :f AND predicted_at < :t GROUP BY 1")
                .bind("w", g.millis()).bind("d", deployment).bind("f", from).bind("t", to)
                .map((rs, ctx) -> Map.entry(rs.getLong(1) * g.millis(), rs.getLong(2)))
                .forEach(e -> out.merge(e.getKey(), e.getValue(), Long::sum));
        return out;
    }

    /** Whether {@link #counts} counts the windows of [from, to) one by one (else grouped): at most {@link #COUNTED_WINDOWS}. */
    static boolean countedOneByOne(long from, long to, Granularity g) {
        long first = g.floor(from);
        return (to - first + g.millis() - 1) / g.millis() <= COUNTED_WINDOWS;
    }

    /** Predictions logged in [from, to): one {@link #COUNT_IN_SPAN}. */
    private static long count(Handle h, String deployment, long from, long to) {
        return h.createQuery(COUNT_IN_SPAN).bind(0, deployment).bind(1, from).bind(2, to).mapTo(Long.class).one();
    }

    /**
     * Per-window performance of predictions made in [from, to), windows of {@code g}, oldest first: live metrics over
     * every labelled prediction; CBPE (as NannyML: an estimate for all of the window's predictions) over them all or,
     * in a span of more than {@link #CBPE_ROWS} predictions, an even sample of that many (see {@link #sampled}),
     * which each window shares by its volume. Whether the model is a (binary) classifier is read off the rows read.
     */
    public List<WindowPerformance> performance(String deployment, long from, long to, Granularity g) {
        var byWindow = new TreeMap<Long, Evaluation>();
        database.readStreaming(h -> {
            var counts = counts(h, deployment, from, to, g);
            counts.forEach((start, n) -> byWindow.computeIfAbsent(start, k -> new Evaluation()).rows = n);
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            labelled(h, deployment, from, to, r -> byWindow.computeIfAbsent(g.floor(r.time()), k -> new Evaluation()).add(r));
            sampled(h, deployment, from, to, total,
                    r -> byWindow.computeIfAbsent(g.floor(r.time()), k -> new Evaluation()).sample(r));
            for (var w : byWindow.entrySet()) {
                if (w.getValue().sampled == 0 && w.getValue().rows > 0) {
                    // a quiet window between busy ones: its own newest rows
                    newest(h, deployment, Math.max(from, w.getKey()), Math.min(to, w.getKey() + g.millis()), MIN_WINDOW_SAMPLE,
                            w.getValue()::sample);
                }
            }
            return null;
        });
        var out = new ArrayList<WindowPerformance>();
        byWindow.forEach((start, e) -> out.add(e.result(start)));
        return out;
    }

    /**
     * Performance of every prediction made in [from, to) together (start = from), read as {@link #performance} reads
     * it — what a scheduled check can afford every minute over a day of logged predictions.
     */
    public WindowPerformance total(String deployment, long from, long to) {
        var e = new Evaluation();
        database.readStreaming(h -> {
            e.rows = count(h, deployment, from, to);
            labelled(h, deployment, from, to, e::add);
            sampled(h, deployment, from, to, e.rows, e::sample);
            if (e.sampled == 0 && e.rows > 0) {
                newest(h, deployment, from, to, MIN_WINDOW_SAMPLE, e::sample);
            }
            return null;
        });
        return e.result(from);
    }

    /**
     * One window's predictions, folded in one at a time: counts and sums for the live metrics, and only the
     * scores that ROC AUC and CBPE need (8 bytes a row, at most {@link #MAX_SCORES} of each), so a day of
     * predictions is held neither as objects nor in full.
     */
    private static final class Evaluation {
        long rows;
        long sampled;
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
        final ScoreSample aucScores = new ScoreSample();
        final java.util.BitSet aucPositive = new java.util.BitSet();
        final ScoreSample cbpeScores = new ScoreSample();
        // CBPE's expected correct predictions as in a binary window, and as in any other (see expectedCorrect)
        double expectedCorrectBinary;
        double expectedCorrectOther;
        long scored;

        /** What a row says about the model: classifier or regressor, binary or not. */
        private void kind(Joined r) {
            var prediction = r.prediction();
            if (prediction != null) {
                anyPrediction = true;
                // a class label, or a number the model gave as one (an integer output, probabilities' index)
                if (!categorical && (r.classes() != null || !Predictions.isNumber(prediction))) {
                    categorical = true;
                }
                allBinary = allBinary && Predictions.isBinaryLabel(prediction);
            }
            // a model of three or more classes, however few of them this window predicted
            allBinary = allBinary && (r.classes() == null || r.classes() <= 2);
            anyScore |= r.score() != null;
        }

        /** Folds in one prediction of the CBPE sample (labelled or not). */
        void sample(Joined r) {
            sampled++;
            kind(r);
            if (r.score() != null) {
                cbpeScores.add(r.score());
                expectedCorrectBinary += expectedCorrect(r.score(), true, r.classes());
                expectedCorrectOther += expectedCorrect(r.score(), false, r.classes());
                scored++;
            }
        }

        /** Folds in one labelled prediction (the row count comes from the index, see {@link #counts}). */
        void add(Joined r) {
            kind(r);
            var prediction = r.prediction();
            if (prediction == null) {
                return;
            }
            labelled++;
            if (sameClass(prediction, r.label())) {
                correct++;
            }
            labelledIntegral &= isInteger(prediction);
            var label = Decimals.parse(r.label().strip());
            var predicted = Decimals.parse(prediction.strip());
            if (label != null && predicted != null) { // else a non-numeric label or prediction: no error to add
                double err = label - predicted;
                absError += Math.abs(err);
                squaredError += err * err;
                regressionCount++;
            }
            var positive = binaryClass(r.label());
            if (r.score() != null && positive != null) {
                int slot = aucScores.add(r.score());
                if (slot >= 0) {
                    aucPositive.set(slot, positive);
                }
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
                // and whole-number predictions without scores may be a regressor's counts (an int64 output reads as a
                // class label): an explicitly chosen mae or rmse is still there
                if ((task == Predictions.Task.REGRESSION || (labelledIntegral && !anyScore)) && regressionCount > 0) {
                    mae = absError / regressionCount;
                    rmse = Math.sqrt(squaredError / regressionCount);
                }
            }
            Double estAccuracy = null;
            Double estAuc = null;
            if (task == Predictions.Task.CLASSIFICATION && scored > 0) {
                estAccuracy = (binary ? expectedCorrectBinary : expectedCorrectOther) / scored;
                if (binary) {
                    double expectedAuc = cbpe(cbpeScores.toArray(), true)[1];
                    estAuc = Double.isNaN(expectedAuc) ? null : expectedAuc;
                }
            }
            // the count and the rows are separate reads: a part flushed between them can only add rows
            long predictions = Math.max(rows, Math.max(labelled, sampled));
            return new WindowPerformance(start, predictions, labelled, task, accuracy, auc, mae, rmse, estAccuracy, estAuc);
        }
    }

    /**
     * Scores kept for ROC AUC and CBPE: all of them up to {@link #MAX_SCORES}, then a uniform sample of that many
     * (reservoir sampling), so that a long look-back at a high prediction rate cannot exhaust memory.
     */
    static final class ScoreSample {
        private double[] values = new double[64];
        private int size;
        private long seen;
        private final java.util.SplittableRandom random = new java.util.SplittableRandom(0x5C0_4E5L);

        /** Offers a score; returns the slot it was kept in, or -1. */
        int add(double v) {
            seen++;
            if (size < MAX_SCORES) {
                if (size == values.length) {
                    values = Arrays.copyOf(values, Math.min(MAX_SCORES, size * 2));
                }
                values[size] = v;
                return size++;
            }
            long j = random.nextLong(seen);
            if (j >= MAX_SCORES) {
                return -1;
            }
            values[(int) j] = v;
            return (int) j;
        }

        int size() {
            return size;
        }

        double[] toArray() {
            return Arrays.copyOf(values, size);
        }

        /** Scores offered so far (kept or not). */
        long seen() {
            return seen;
        }
    }

    private static boolean isInteger(String s) {
        var v = Decimals.parse(s.strip());
        return v != null && v == Math.rint(v) && Math.abs(v) < 1e9;
    }

    /**
     * Class labels compare as text, as numbers when both are numbers ("1" = "1.0"), and a binary model's
     * true/false (any case) as 1/0, as the ROC AUC reads them.
     */
    static boolean sameClass(String prediction, String label) {
        if (prediction.equals(label)) {
            return true;
        }
        var p = prediction.strip().toLowerCase(java.util.Locale.ROOT);
        var l = label.strip().toLowerCase(java.util.Locale.ROOT);
        var pOne = binaryClass(p);
        var lOne = binaryClass(l);
        if (pOne != null && lOne != null) {
            return pOne.equals(lOne); // as the ROC AUC reads them: "true" is "1.00"
        }
        var x = exact(p);
        var y = exact(l);
        if (x != null && y != null) {
            return x.compareTo(y) == 0; // class ids past 2^53 apart, which doubles would make one
        }
        var a = Decimals.parse(p);
        var b = Decimals.parse(l);
        return a != null && b != null && a.doubleValue() == b.doubleValue();
    }

    /** Decimal text as a number, exactly; null for anything else (text, or a number past a label's 1 000 characters). */
    private static java.math.BigDecimal exact(String number) {
        if (number.length() > 1000 || !Decimals.isDecimal(number)) {
            return null; // (BigDecimal also reads other scripts' digits, which the rest of monitoring reads as text)
        }
        try {
            return new java.math.BigDecimal(number);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * A binary model's class as a label names it, read as {@link #sameClass} compares them: true for 1 (1.0, "true"),
     * false for 0 (0.0, "false"), null for anything else.
     */
    static Boolean binaryClass(String label) {
        var l = label.strip().toLowerCase(java.util.Locale.ROOT);
        if (POSITIVE.contains(l) || NEGATIVE.contains(l)) {
            return POSITIVE.contains(l);
        }
        var v = Decimals.parse(l);
        return v == null || (v != 0 && v != 1) ? null : v == 1;
    }

    private static final Set<String> POSITIVE = Predictions.POSITIVE_LABELS;
    private static final Set<String> NEGATIVE = Predictions.NEGATIVE_LABELS;

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
     * Confidence-based performance estimation over scores alone, assuming calibrated scores: each row is correct with
     * the probability its score gives (max(p, 1 − p) of P(positive) for binary models, the predicted class being
     * unknown here; the score itself, a top class probability, otherwise), so the expected accuracy is their mean; for binary models the expected ROC AUC comes from
     * the expected confusion matrix at every threshold (each row counts p as a positive and 1 − p as a negative).
     * Returns {accuracy, roc_auc (NaN unless binary)}. A window's evaluation takes only the AUC from here: its accuracy
     * also knows each row's number of classes (see {@code Evaluation}).
     */
    static double[] cbpe(double[] given, boolean binary) {
        double expectedCorrect = 0;
        double[] scores = new double[given.length];
        for (int i = 0; i < given.length; i++) {
            scores[i] = Math.min(1, Math.max(0, given[i]));
            expectedCorrect += expectedCorrect(given[i], binary, null);
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

    /**
     * CBPE's chance that a row's prediction is right, from its score (clamped to [0, 1]) and how many class
     * probabilities the model gave (null when unknown): max(p, 1 − p) in a binary window, whose scores are P(class 1),
     * and for a two-class row elsewhere, whose score is P(class index 1); else the score itself, the top probability.
     * (Not from the predicted label, as NannyML's y_pred: a label "1" is class index 1 of a 0/1 model and index 0 of
     * a 1/2 one, which the logged row does not tell apart; so a threshold tuned away from 0.5 is estimated as if the
     * more probable class were predicted.)
     */
    private static double expectedCorrect(double score, boolean binary, Integer classes) {
        double p = Math.min(1, Math.max(0, score));
        return binary || (classes != null && classes == 2) ? Math.max(p, 1 - p) : p;
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
