package dev.launchpad.platform.monitor;

import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.stats.metrics.ClassificationMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Live and estimated performance from logged predictions and late labels. */
class FeedbackTest {

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void labelsJoinTheirPredictionsPerWindowAndOverTheSpan(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.parse("2026-03-02T12:00:00Z"));
        long t0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var store = new WindowStore(db);
            var rows = new ArrayList<WindowStore.PredictionRow>();
            for (int i = 0; i < 8; i++) {
                // four predictions in minute 0, four in minute 1; scores 0.9 (class 1) and 0.2 (class 0)
                boolean one = i % 2 == 0;
                rows.add(new WindowStore.PredictionRow("r" + i, 0, 1, t0 + (i / 4) * 60_000L + i, one ? "1" : "0",
                        one ? 0.9 : 0.2));
            }
            store.flush("d", 1, t0, WindowData.empty(10, 1), rows, clock.millis());
            var feedback = new Feedback(db, clock);
            // a label stored long before the look-back (a client's own id labelled ahead) is not read
            clock.set(Instant.parse("2026-03-02T07:00:00Z"));
            feedback.record("d", List.of(new Feedback.Label("r7", 0, "0")));
            clock.set(Instant.parse("2026-03-02T12:00:00Z"));
            // minute 0: r0 right, r1 wrong; minute 1: r4 right; r2, r3, r5, r6, r7 unlabelled; an unknown id
            var accepted = feedback.record("d", List.of(new Feedback.Label("r0", 0, "1"), new Feedback.Label("r1", 0, "1"),
                    new Feedback.Label("r4", 0, "1"), new Feedback.Label("nope", 0, "0")));
            assertThat(accepted.matched()).isEqualTo(3);
            var total = feedback.total("d", t0, t0 + 3_600_000);
            assertThat(total.predictions()).isEqualTo(8);
            assertThat(total.labelled()).isEqualTo(3);
            assertThat(total.accuracy()).isCloseTo(2.0 / 3, within(1e-12));
            // CBPE over all eight (as NannyML estimates a whole period): expected correctness 0.9 and 0.8 in turn
            assertThat(total.estimatedAccuracy()).isCloseTo(0.85, within(1e-12));
            var perMinute = Feedback.byStart(feedback.performance("d", t0, t0 + 3_600_000, Granularity.MINUTE));
            assertThat(perMinute.keySet()).containsExactly(t0, t0 + 60_000);
            assertThat(perMinute.get(t0).predictions()).isEqualTo(4);
            assertThat(perMinute.get(t0).labelled()).isEqualTo(2);
            assertThat(perMinute.get(t0).accuracy()).isEqualTo(0.5);
            assertThat(perMinute.get(t0 + 60_000).labelled()).isEqualTo(1);
            assertThat(perMinute.get(t0 + 60_000).estimatedAccuracy()).isCloseTo(0.85, within(1e-12));
            // a span that holds none of them
            assertThat(feedback.total("d", t0 + 3_600_000, t0 + 7_200_000).predictions()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void cbpeOfATwoClassModelOfOtherClassesIsTheMeanConfidenceAndALaterLabelInOneCallWins(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.parse("2026-03-02T12:00:00Z"));
        long t0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var store = new WindowStore(db);
            // a model of classes 1 and 2 (German credit's): scores are P(class index 1) = P("2")
            String[] labels = {"1", "2", "1", "2"};
            double[] p2 = {0.1, 0.8, 0.05, 0.8};
            var rows = new ArrayList<WindowStore.PredictionRow>();
            for (int i = 0; i < 4; i++) {
                rows.add(new WindowStore.PredictionRow("r" + i, 0, 1, t0 + i, labels[i], p2[i], 2));
            }
            store.flush("d", 1, t0, WindowData.empty(10, 1), rows, clock.millis());
            var feedback = new Feedback(db, clock);
            // expected correctness 0.9, 0.8, 0.95, 0.8
            assertThat(feedback.total("d", t0, t0 + 60_000).estimatedAccuracy()).isCloseTo(0.8625, within(1e-12));
            // the same model predicting only "1" in a window (it looks binary): still the confidence
            var ones = feedback.total("d", t0, t0 + 1);
            assertThat(ones.estimatedAccuracy()).isCloseTo(0.9, within(1e-12));

            // two labels for one row in one call: the later one stays (PostgreSQL refuses both in one statement)
            var accepted = feedback.record("d", List.of(new Feedback.Label("r0", 0, "2"), new Feedback.Label("r1", 0, "2"),
                    new Feedback.Label("r0", 0, "1")));
            assertThat(accepted.accepted()).isEqualTo(2); // rows labelled, as matched counts them
            assertThat(accepted.matched()).isEqualTo(2);
            assertThat(feedback.total("d", t0, t0 + 60_000).accuracy()).isEqualTo(1.0);
            assertThat(feedback.labelCount("d")).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aClassifierOfIntegerLabelsWithoutProbabilitiesIsMeasuredAsOne(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.parse("2026-03-02T12:00:00Z"));
        long t0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var store = new WindowStore(db);
            // an int64 label output (an SVM, an argmax): class labels that read as numbers, no score
            var out = new FeatureBatch(4, List.of(FeatureBatch.Feature.categorical("label", new String[] {"0", "1", "2", "1"})));
            var rows = new ArrayList<WindowStore.PredictionRow>();
            var predicted = Predictions.rows(out);
            for (int i = 0; i < predicted.size(); i++) {
                var p = predicted.get(i);
                rows.add(new WindowStore.PredictionRow("r" + i, 0, 1, t0 + i, p.prediction(), p.score(), p.classes()));
            }
            store.flush("d", 1, t0, WindowData.empty(10, 1), rows, clock.millis());
            var feedback = new Feedback(db, clock);
            feedback.record("d", List.of(new Feedback.Label("r0", 0, "0"), new Feedback.Label("r1", 0, "2"),
                    new Feedback.Label("r2", 0, "2"), new Feedback.Label("r3", 0, " 1.0")));
            var total = feedback.total("d", t0, t0 + 60_000);
            assertThat(total.task()).isEqualTo(Predictions.Task.CLASSIFICATION); // was read as a regressor's values
            assertThat(total.accuracy()).isEqualTo(0.75);
            // the same output could be a regressor's counts: mae stays there for a check that names it
            assertThat(total.mae()).isEqualTo(0.25);
        }
    }

    @Test
    void labelsReadAsBinaryClassesAsAccuracyReadsThem() {
        assertThat(Feedback.binaryClass(" 1.00")).isTrue();
        assertThat(Feedback.binaryClass("1e0")).isTrue();
        assertThat(Feedback.binaryClass("TRUE ")).isTrue();
        assertThat(Feedback.binaryClass("0.0")).isFalse();
        assertThat(Feedback.binaryClass("False")).isFalse();
        assertThat(Feedback.binaryClass("2")).isNull();
        assertThat(Feedback.binaryClass("yes")).isNull();
    }

    @Test
    void labelsAndIdsThatCannotBeStoredOrComparedAreRefused() {
        for (var id : List.of("x\ud800", "tab\there", "é", "x".repeat(257), " ")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Feedback.Label(id, 0, "1")).as(id)
                    .isInstanceOf(dev.launchpad.core.error.LaunchpadException.class).hasMessageContaining("printable ASCII");
        }
        for (var label : List.of("a\udc00b", "1e999", "-1E400", "", "  ", "a\0b")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Feedback.Label("r", 0, label)).as(label)
                    .isInstanceOf(dev.launchpad.core.error.LaunchpadException.class);
        }
        assertThat(new Feedback.Label("r", 0, "\ud83d\ude00").label()).isEqualTo("😀"); // a pair is fine
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aThreeClassModelThatPredictedOnlyClassesZeroAndOneIsNotTakenForBinary(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.parse("2026-03-02T12:00:00Z"));
        long t0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var store = new WindowStore(db);
            var feedback = new Feedback(db, clock);
            for (var deployment : List.of("two", "three")) {
                var rows = new ArrayList<WindowStore.PredictionRow>();
                for (int i = 0; i < 8; i++) {
                    // the same predictions and scores: "two"'s are P(class 1), "three"'s its top class's probability
                    boolean one = i % 2 == 0;
                    rows.add(new WindowStore.PredictionRow("r" + i, 0, 1, t0 + i, one ? "1" : "0", one ? 0.9 : 0.4,
                            deployment.equals("two") ? 2 : 3));
                }
                store.flush(deployment, 1, t0, WindowData.empty(10, 1), rows, clock.millis());
                feedback.record(deployment, List.of(new Feedback.Label("r0", 0, "1"), new Feedback.Label("r1", 0, "0"),
                        new Feedback.Label("r2", 0, "0"), new Feedback.Label("r3", 0, "1")));
            }
            var two = feedback.total("two", t0, t0 + 60_000);
            assertThat(two.rocAuc()).isNotNull();
            // binary CBPE: a score s is P(class 1), so a 0 scored 0.4 is right with probability 0.6
            assertThat(two.estimatedAccuracy()).isCloseTo((0.9 + 0.6) / 2, within(1e-12));
            var three = feedback.total("three", t0, t0 + 60_000);
            assertThat(three.accuracy()).isEqualTo(0.5);
            assertThat(three.rocAuc()).isNull(); // no P(class 1) to rank by
            // multi-class CBPE: the top probability is the chance the prediction is right
            assertThat(three.estimatedAccuracy()).isCloseTo((0.9 + 0.4) / 2, within(1e-12));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void eachWindowCountsItsOwnPredictionsCountedOneByOneOrGrouped(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.parse("2026-03-05T00:00:00Z"));
        long day = 86_400_000L;
        long t0 = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();
        long from = t0 + 30_000; // half-way into the first minute: its window counts from there
        long to = t0 + 3 * day - 20_000; // and the last minute's window up to here
        var random = new Random(4);
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var predictions = new ArrayList<WindowStore.PredictionRow>();
            for (int i = 0; i < 3_000; i++) {
                predictions.add(new WindowStore.PredictionRow("r" + i, 0, 1, t0 + (long) (random.nextDouble() * 3 * day),
                        "1", 0.7));
            }
            // on either side of both edges, in the first and the last minute
            for (long t : new long[] {t0 + 10_000, t0 + 40_000, to - 10_000, to, to + 10_000}) {
                predictions.add(new WindowStore.PredictionRow("edge" + t, 0, 1, t, "1", 0.7));
            }
            new WindowStore(db).flush("d", 1, t0, WindowData.empty(10, 1), predictions, clock.millis());
            var feedback = new Feedback(db, clock);
            var expected = countsByMinute(predictions, from, to);

            // three days of minutes are more than Feedback.COUNTED_WINDOWS: one grouped count
            assertThat(Feedback.countedOneByOne(from, to, Granularity.MINUTE)).isFalse();
            assertThat(minutes(feedback, from, to)).isEqualTo(expected);
            // a day at a time: a range count per window
            var counted = new java.util.TreeMap<Long, Long>();
            long[] edges = {from, t0 + day, t0 + 2 * day, to};
            for (int d = 0; d < 3; d++) {
                assertThat(Feedback.countedOneByOne(edges[d], edges[d + 1], Granularity.MINUTE)).isTrue();
                counted.putAll(minutes(feedback, edges[d], edges[d + 1]));
            }
            assertThat(counted).isEqualTo(expected);
            // a day that does not start on a minute touches 1 441 minutes, and is still counted window by window
            assertThat(Feedback.countedOneByOne(from, from + day, Granularity.MINUTE)).isTrue();
            assertThat(Feedback.countedOneByOne(from, from + day + 60_000, Granularity.MINUTE)).isFalse();
            assertThat(minutes(feedback, from, from + day)).isEqualTo(countsByMinute(predictions, from, from + day));
            // hours: a window that starts before the span counts from the span's start
            long hourFrom = t0 + 90 * 60_000L;
            long inFirstHour = predictions.stream().filter(p -> p.timestamp() >= hourFrom && p.timestamp() < t0 + 2 * 3_600_000L).count();
            var hours = Feedback.byStart(feedback.performance("d", hourFrom, t0 + day, Granularity.HOUR));
            assertThat(hours.get(t0 + 3_600_000L).predictions()).isEqualTo(inFirstHour);
            assertThat(feedback.total("d", from, to).predictions()).isEqualTo(expected.values().stream()
                    .mapToLong(Long::longValue).sum());
        }
    }

    private static java.util.TreeMap<Long, Long> minutes(Feedback feedback, long from, long to) {
        var out = new java.util.TreeMap<Long, Long>();
        feedback.performance("d", from, to, Granularity.MINUTE).forEach(w -> out.put(w.start(), w.predictions()));
        return out;
    }

    private static java.util.TreeMap<Long, Long> countsByMinute(List<WindowStore.PredictionRow> rows, long from, long to) {
        var out = new java.util.TreeMap<Long, Long>();
        for (var p : rows) {
            if (p.timestamp() >= from && p.timestamp() < to) {
                out.merge(Granularity.MINUTE.floor(p.timestamp()), 1L, Long::sum);
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void theEvenSampleIsEveryKthMillisecondOnBothDatabases(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.parse("2026-03-02T12:00:00Z"));
        long t0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();
        int n = 120_000; // k = 3
        long k = (n + Feedback.CBPE_ROWS - 1) / Feedback.CBPE_ROWS;
        var random = new Random(11);
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var predictions = new ArrayList<WindowStore.PredictionRow>(n);
            double sampledCorrect = 0;
            int sampled = 0;
            for (int i = 0; i < n; i++) {
                long t = t0 + i * 2L + i % 7; // every residue of k, a few rows sharing a millisecond
                double p = random.nextDouble();
                predictions.add(new WindowStore.PredictionRow("r" + i, 0, 1, t, p >= 0.5 ? "1" : "0", p));
                if (t % k == 0) {
                    sampledCorrect += Math.max(p, 1 - p);
                    sampled++;
                }
            }
            new WindowStore(db).flush("d", 1, t0, WindowData.empty(10, 1), predictions, clock.millis());
            var feedback = new Feedback(db, clock);
            assertThat(sampled).isBetween(n / 4, Feedback.CBPE_ROWS);
            // the span's rows whose millisecond is a multiple of k, on either database, for a short or a long span
            for (long from : new long[] {t0, t0 - 365L * 86_400_000}) {
                var total = feedback.total("d", from, t0 + 250_000);
                assertThat(total.predictions()).isEqualTo(n);
                assertThat(total.estimatedAccuracy()).isCloseTo(sampledCorrect / sampled, within(1e-9));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aCallOfThousandsOfLabelsCountsTheRowsWhosePredictionIsStored(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.parse("2026-03-02T12:00:00Z"));
        long t0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var rows = new ArrayList<WindowStore.PredictionRow>();
            for (int i = 0; i < 1_200; i++) { // 1 200 requests of two rows each
                rows.add(new WindowStore.PredictionRow("r" + i, 0, 1, t0 + i, "1", 0.9));
                rows.add(new WindowStore.PredictionRow("r" + i, 1, 1, t0 + i, "0", 0.2));
            }
            new WindowStore(db).flush("d", 1, t0, WindowData.empty(10, 1), rows, clock.millis());
            new WindowStore(db).flush("other", 1, t0, WindowData.empty(10, 1),
                    List.of(new WindowStore.PredictionRow("x0", 0, 1, t0, "1", 0.9)), clock.millis());
            var labels = new ArrayList<Feedback.Label>();
            for (int i = 0; i < 1_200; i++) {
                labels.add(new Feedback.Label("r" + i, 1, "0")); // stored
                if (i % 3 == 0) {
                    labels.add(new Feedback.Label("r" + i, 2, "0")); // no such row
                }
            }
            labels.add(new Feedback.Label("x0", 0, "1")); // another deployment's
            labels.add(new Feedback.Label("unknown", 0, "1"));
            var accepted = new Feedback(db, clock).record("d", labels);
            assertThat(accepted.accepted()).isEqualTo(1_200 + 400 + 2);
            assertThat(accepted.matched()).isEqualTo(1_200);
        }
    }

    @Test
    void labelsMatchPredictionsAsTextAsNumbersAndAsTrueAndFalse() {
        assertThat(Feedback.sameClass("1", "1.0")).isTrue();
        assertThat(Feedback.sameClass("true", "1")).isTrue();
        assertThat(Feedback.sameClass("False", "0")).isTrue();
        assertThat(Feedback.sameClass("true", "0")).isFalse();
        assertThat(Feedback.sameClass("7d", "7")).isFalse(); // text, not the number 7
        assertThat(Feedback.sameClass("fraud", "fraud")).isTrue();
        assertThat(Feedback.sameClass("true", "1.00")).isTrue(); // as the ROC AUC reads them
        assertThat(Feedback.sameClass("9007199254740993", "9007199254740992")).isFalse(); // one double, two classes
        assertThat(Feedback.sameClass("12", "12.0")).isTrue();
        assertThat(Feedback.sameClass("1" + "0".repeat(120), "1" + "0".repeat(119) + "1")).isFalse();
        assertThat(Feedback.sameClass("12", "\uff11\uff12")).isFalse(); // fullwidth digits are text here
        assertThat(Feedback.sameClass("1e2", "100")).isTrue();
    }

    @Test
    void scoresBeyondTheLimitAreSampledUniformly() {
        var sample = new Feedback.ScoreSample();
        int n = 4 * Feedback.MAX_SCORES;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            int slot = sample.add(i);
            if (slot >= 0) {
                assertThat(slot).isLessThan(Feedback.MAX_SCORES);
            }
        }
        var kept = sample.toArray();
        assertThat(kept).hasSize(Feedback.MAX_SCORES);
        assertThat(sample.seen()).isEqualTo(n);
        for (double v : kept) {
            sum += v;
        }
        // ascending input: keeping the first (or the last) values would be far off the middle
        assertThat(sum / kept.length).isCloseTo((n - 1) / 2.0, within(n * 0.01));
        assertThat(java.util.Arrays.stream(kept).distinct().count()).isEqualTo(kept.length);
    }

    @Test
    void aLookBackLongerThanTheScoresKeptStillEstimatesAndMeasuresCorrectly() {
        int n = 2 * Feedback.MAX_SCORES + 20_000; // more predictions than CBPE reads
        var clock = new MutableClock(Instant.parse("2026-03-02T12:00:00Z"));
        long t0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();
        var random = new Random(9);
        try (var db = Database.open(TestDatabases.Backend.SQLITE.newDatabaseUrl())) {
            var store = new WindowStore(db);
            var predictions = new ArrayList<WindowStore.PredictionRow>(n);
            var labels = new ArrayList<Feedback.Label>();
            var labelledScores = new ArrayList<Double>();
            var labelledClasses = new ArrayList<Integer>();
            long correct = 0;
            double expectedCorrect = 0;
            for (int i = 0; i < n; i++) {
                // confident early, unsure late: an estimate from the newest predictions only would be far off
                double p = i < n / 2 ? random.nextDouble() : 0.4 + 0.2 * random.nextDouble();
                String predicted = p >= 0.5 ? "1" : "0";
                predictions.add(new WindowStore.PredictionRow("r" + i, 0, 1, t0 + i % 3_600_000, predicted, p));
                if (i % 2 == 0) { // 260 010 labels: more than the AUC keeps, so it samples them
                    int y = random.nextDouble() < p ? 1 : 0; // calibrated: P(y = 1) = p
                    labels.add(new Feedback.Label("r" + i, 0, Integer.toString(y)));
                    labelledScores.add(p);
                    labelledClasses.add(y);
                    correct += predicted.equals(Integer.toString(y)) ? 1 : 0;
                }
                expectedCorrect += Math.max(p, 1 - p);
            }
            // a quiet minute later in the hour, three predictions in milliseconds the even sample skips
            long quiet = t0 + 50 * 60_000L;
            long k = (n + 3 + Feedback.CBPE_ROWS - 1) / Feedback.CBPE_ROWS;
            int added = 0;
            for (long t = quiet + 1; added < 3; t++) {
                if (t % k != 0) {
                    predictions.add(new WindowStore.PredictionRow("q" + added++, 0, 1, t, "1", 0.9));
                }
            }
            store.flush("d", 1, t0, WindowData.empty(10, 1), predictions, clock.millis());
            var feedback = new Feedback(db, clock);
            for (int from = 0; from < labels.size(); from += Feedback.MAX_ITEMS) {
                feedback.record("d", labels.subList(from, Math.min(labels.size(), from + Feedback.MAX_ITEMS)));
            }
            var total = feedback.total("d", t0, t0 + 3_600_000);
            assertThat(total.predictions()).isEqualTo(n + 3);
            assertThat(total.labelled()).isEqualTo(labels.size());
            assertThat(total.accuracy()).isEqualTo((double) correct / labels.size()); // counts are exact
            double trueAuc = ClassificationMetrics.rocAuc(labelledClasses.stream().mapToInt(Integer::intValue).toArray(),
                    labelledScores.stream().mapToDouble(Double::doubleValue).toArray());
            assertThat(total.rocAuc()).isCloseTo(trueAuc, within(0.005)); // from a uniform sample of the scores
            // CBPE reads an even sample of the span: the exact expectation over all n, not the newest predictions
            assertThat(total.estimatedAccuracy()).isCloseTo((expectedCorrect + 3 * 0.9) / (n + 3), within(0.005));
            // the quiet minute still gets an estimate (from its own newest rows), and stays a classifier
            var quietMinute = Feedback.byStart(feedback.performance("d", t0, t0 + 3_600_000, Granularity.MINUTE)).get(quiet);
            assertThat(quietMinute.predictions()).isEqualTo(3);
            assertThat(quietMinute.task()).isEqualTo(Predictions.Task.CLASSIFICATION);
            assertThat(quietMinute.estimatedAccuracy()).isCloseTo(0.9, within(1e-12));
        }
    }
}
