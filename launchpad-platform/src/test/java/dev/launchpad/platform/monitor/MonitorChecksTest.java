package dev.launchpad.platform.monitor;

import dev.launchpad.stats.drift.DriftMethod;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The drift checks' verdicts over a span, against a baseline read from CSV. */
class MonitorChecksTest {
    private static final String[] COUNTRIES = {"NO", "SE", "DK"};

    /** 2 000 reference rows: inputs x ~ N(0, 1) and a country; outputs a label (half 1), a score and a margin. */
    private static Baselines.Baseline baseline(Random random) {
        var csv = new StringBuilder("x,country,label,score,margin\n");
        for (int i = 0; i < 2_000; i++) {
            csv.append(random.nextGaussian()).append(',').append(COUNTRIES[random.nextInt(3)]).append(',')
                    .append(random.nextBoolean() ? "1" : "0").append(',').append(random.nextDouble()).append(',')
                    .append(random.nextGaussian()).append('\n');
        }
        var reference = Baselines.fromCsv(csv.toString().getBytes(StandardCharsets.UTF_8));
        return new Baselines.Baseline("m", 1, "csv", reference.profile().rowCount(), reference.profile(),
                reference.sample(), 0);
    }

    /** 800 served rows like the reference's, except that every label is 1. */
    private static WindowData span(Random random) {
        int n = 800;
        var x = new double[n];
        var country = new String[n];
        var label = new String[n];
        var score = new double[n];
        var margin = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextGaussian();
            country[i] = COUNTRIES[random.nextInt(3)];
            label[i] = "1";
            score[i] = random.nextDouble();
            margin[i] = random.nextGaussian();
        }
        var w = WindowData.empty(1_000, 3);
        w.add("ok", 1_000_000, new FeatureBatch(n, List.of(FeatureBatch.Feature.numeric("x", x),
                        FeatureBatch.Feature.categorical("country", country))),
                new FeatureBatch(n, List.of(FeatureBatch.Feature.categorical("label", label),
                        FeatureBatch.Feature.numeric("score", score), FeatureBatch.Feature.numeric("margin", margin))));
        return w;
    }

    /** The default settings with these drift methods and performance metric. */
    private static MonitorSettings settings(Map<String, DriftMethod> methods, String metric) {
        var d = MonitorSettings.defaults();
        return new MonitorSettings(d.enabled(), d.intervalMinutes(), d.minRows(), d.driftShare(), methods,
                d.driftThresholds(), d.maxNullShare(), d.maxOutOfRangeShare(), d.maxUnseenShare(), d.maxRejectedShare(),
                metric, d.performanceThreshold(), d.performanceLookbackMinutes(), d.minLabels(),
                d.latencyP99BudgetMs(), d.errorRateBudget());
    }

    private static CheckResult check(List<CheckResult> results, String name) {
        return results.stream().filter(r -> r.check().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void oneDriftedOutputOfThreeIsPredictionDrift() {
        var random = new Random(11);
        var results = MonitorChecks.all(span(random), baseline(random), null, MonitorSettings.defaults());
        var predictions = check(results, "prediction_drift");
        assertThat(predictions.status()).isEqualTo(CheckResult.Status.BREACH);
        assertThat(predictions.features()).containsExactly("label");
        assertThat(predictions.metric()).isEqualTo(1.0 / 3); // below the features' drift_share of 0.5
        assertThat(predictions.threshold()).isNull();
        assertThat(check(results, "feature_drift").status()).isEqualTo(CheckResult.Status.OK);
    }

    @Test
    void aDriftShareOfZeroStillNeedsADriftedFeature() {
        var random = new Random(13);
        var anyShare = MonitorSettings.defaults().with(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                .objectNode().put("drift_share", 0.0));
        var span = span(random);
        var baseline = baseline(random);
        var features = check(MonitorChecks.all(span, baseline, null, anyShare), "feature_drift");
        assertThat(features.features()).isEmpty(); // neither x nor country drifted
        assertThat(features.status()).isEqualTo(CheckResult.Status.OK);
        assertThat(features.details().path("dataset_drift").asBoolean()).isFalse();
        var rows = MonitorChecks.drift(baseline, span.inputs(), span.inputSample(), List.of("x", "country"), anyShare);
        assertThat(MonitorChecks.datasetDrift(rows, anyShare)).as("the drift report's verdict").isFalse();
    }

    @Test
    void aConfiguredMethodThatDoesNotFitAFeatureGivesWayToTheAutomaticChoice() {
        var random = new Random(12);
        var settings = settings(Map.of("country", DriftMethod.KS, "x", DriftMethod.WASSERSTEIN), null);
        var features = check(MonitorChecks.all(span(random), baseline(random), null, settings), "feature_drift");
        var rows = features.details().path("features");
        assertThat(rows).hasSize(2);
        for (var row : rows) {
            if (row.path("feature").asText().equals("country")) {
                assertThat(row.path("method").asText()).isEqualTo("jensenshannon"); // Evidently's choice past 1 000 reference rows
                assertThat(row.path("method_note").asText()).contains("ks does not fit");
            } else {
                assertThat(row.path("method").asText()).isEqualTo("wasserstein");
                assertThat(row.has("method_note")).isFalse();
            }
        }
    }

    @Test
    void enoughLabelsDecideThePerformanceEvenWhenTheyLeaveTheMetricUndefined() {
        var rocAuc = settings(Map.of(), "roc_auc");
        // a day whose 50 labels are all negatives: no live AUC, and no estimate in its place
        var oneClass = new Feedback.WindowPerformance(0, 1_000, 50, Predictions.Task.CLASSIFICATION, 0.9, null, null, null,
                0.85, 0.8);
        var result = MonitorChecks.performance(oneClass, rocAuc);
        assertThat(result.status()).isEqualTo(CheckResult.Status.NO_DATA);
        assertThat(result.details().path("reason").asText()).contains("both classes");
        // fewer labels than min_labels: the CBPE estimate, marked as one
        var few = new Feedback.WindowPerformance(0, 1_000, 5, Predictions.Task.CLASSIFICATION, 0.9, null, null, null,
                0.85, 0.8);
        var estimated = MonitorChecks.performance(few, rocAuc);
        assertThat(estimated.metric()).isEqualTo(0.8);
        assertThat(estimated.details().path("estimated").asBoolean()).isTrue();
        // a regressor has no accuracy to estimate
        var regression = new Feedback.WindowPerformance(0, 1_000, 5, Predictions.Task.REGRESSION, null, null, 0.3, 0.4,
                null, null);
        var accuracy = settings(Map.of(), "accuracy");
        assertThat(MonitorChecks.performance(regression, accuracy).details().path("reason").asText())
                .contains("cannot be estimated");
        // ... and with enough labels, no accuracy of predictions that are not whole numbers
        var labelled = new Feedback.WindowPerformance(0, 1_000, 50, Predictions.Task.REGRESSION, null, null, 0.3, 0.4,
                null, null);
        assertThat(MonitorChecks.performance(labelled, accuracy).details().path("reason").asText())
                .contains("not whole numbers");
    }

    @Test
    void codesSentAsTextThatTheReferenceHadAsNumbersAreCheckedForRangeNotKind() {
        var csv = new StringBuilder("zip\n");
        for (int i = 0; i < 500; i++) {
            csv.append(1000 + i).append('\n');
        }
        var reference = Baselines.fromCsv(csv.toString().getBytes(StandardCharsets.UTF_8));
        var baseline = new Baselines.Baseline("m", 1, "csv", 500, reference.profile(), reference.sample(), 0);
        var zips = new String[100];
        for (int i = 0; i < zips.length; i++) {
            zips[i] = i < 90 ? Integer.toString(1000 + i) : "2" + i; // ten outside the reference's range
        }
        var w = served(FeatureBatch.Feature.categorical("zip", zips));
        var quality = check(MonitorChecks.all(w, baseline, null, MonitorSettings.defaults()), "data_quality");
        var row = quality.details().path("features").get(0);
        assertThat(row.has("schema_violation")).isFalse();
        assertThat(row.path("out_of_range").asLong()).isEqualTo(10);
        assertThat(quality.status()).isEqualTo(CheckResult.Status.BREACH); // 10 % out of range, above 5 %

        // text that is not all numbers is a kind change still
        zips[0] = "N/A-code";
        var mixed = served(FeatureBatch.Feature.categorical("zip", zips));
        var kind = check(MonitorChecks.all(mixed, baseline, null, MonitorSettings.defaults()), "data_quality");
        assertThat(kind.details().path("features").get(0).path("schema_violation").asText()).contains("numeric");
    }

    @Test
    void featureDriftNamesWhatTheTrafficAndTheBaselineDoNotShare() {
        var random = new Random(21);
        var baseline = baseline(random);
        int n = 600;
        var x0 = new double[n];
        var x1 = new double[n];
        for (int i = 0; i < n; i++) {
            x0[i] = random.nextGaussian();
            x1[i] = random.nextGaussian();
        }
        // a tensor's features against a CSV's named columns: nothing in common
        var tensor = served(FeatureBatch.Feature.numeric("X_0", x0), FeatureBatch.Feature.numeric("X_1", x1));
        var none = check(MonitorChecks.all(tensor, baseline, null, MonitorSettings.defaults()), "feature_drift");
        assertThat(none.status()).isEqualTo(CheckResult.Status.NO_DATA);
        assertThat(none.details().path("reason").asText()).contains("X_0, X_1", "country", "x");
        assertThat(none.details().path("traffic_features").toString()).isEqualTo("[\"X_0\",\"X_1\"]");
        // some in common: the rest of the traffic's are listed
        var mixed = served(FeatureBatch.Feature.numeric("x", x0), FeatureBatch.Feature.numeric("extra", x1));
        var some = check(MonitorChecks.all(mixed, baseline, null, MonitorSettings.defaults()), "feature_drift");
        assertThat(some.status()).isNotEqualTo(CheckResult.Status.NO_DATA);
        assertThat(some.details().path("not_in_baseline").toString()).isEqualTo("[\"extra\"]");
        // data quality counts the extra column's nulls, and says it is not the baseline's
        var quality = check(MonitorChecks.all(mixed, baseline, null, MonitorSettings.defaults()), "data_quality");
        assertThat(row(quality, "extra").path("in_baseline").asBoolean(true)).isFalse();
        assertThat(row(quality, "x").has("in_baseline")).isFalse();
    }

    @Test
    void aCountModelWithTooFewLabelsIsToldItNeedsLabelsNotAnotherMetric() {
        // an int64 output reads as a classifier's; with 3 labels its explicitly chosen mae is not there yet
        var p = new Feedback.WindowPerformance(0, 100, 3, Predictions.Task.CLASSIFICATION, 1.0, null, null, null, null, null);
        var result = MonitorChecks.performance(p, settings(Map.of(), "mae"));
        assertThat(result.status()).isEqualTo(CheckResult.Status.NO_DATA);
        assertThat(result.details().path("reason").asText()).startsWith("Fewer than 20 labelled predictions (3)")
                .doesNotContain("is for regression", "CBPE");
    }

    @Test
    void latencyLeavesOutRequestsRefusedAsTheClientsError() {
        var w = WindowData.empty(10, 3);
        for (int i = 0; i < 100; i++) {
            w.add("ok", 800_000_000, null, null); // 800 ms
        }
        var onlyServed = MonitorChecks.latency(w, MonitorSettings.defaults());
        for (int i = 0; i < 10_000; i++) {
            w.add("client_error", 50_000, null, null); // 0.05 ms each: would be 99 % of the p99's population
        }
        var latency = MonitorChecks.latency(w, MonitorSettings.defaults());
        assertThat(latency.metric()).isEqualTo(onlyServed.metric()).isCloseTo(800, within(1.0));
        assertThat(latency.details().path("requests").asLong()).isEqualTo(10_100);
        var refusedOnly = WindowData.empty(10, 3);
        refusedOnly.add("client_error", 50_000, null, null);
        assertThat(MonitorChecks.latency(refusedOnly, MonitorSettings.defaults()).status())
                .isEqualTo(CheckResult.Status.NO_DATA);
    }

    @Test
    void aReferenceColumnWithNoValueAtAllHasNoKindToViolate() {
        var csv = new StringBuilder("promo,x\n");
        for (int i = 0; i < 500; i++) {
            csv.append(",").append(i).append('\n'); // promo empty in every row: read as a numeric column of nulls
        }
        var reference = Baselines.fromCsv(csv.toString().getBytes(StandardCharsets.UTF_8));
        var baseline = new Baselines.Baseline("m", 1, "csv", 500, reference.profile(), reference.sample(), 0);
        var promo = new String[100];
        java.util.Arrays.fill(promo, "WINTER");
        var w = served(FeatureBatch.Feature.categorical("promo", promo));
        var quality = check(MonitorChecks.all(w, baseline, null, MonitorSettings.defaults()), "data_quality");
        assertThat(quality.details().path("features").get(0).has("schema_violation")).isFalse();
        assertThat(quality.status()).isEqualTo(CheckResult.Status.OK);
    }

    @Test
    void unseenCategoriesAreCountedEvenPastTheSketchOfTheSpan() {
        var random = new Random(31);
        var baseline = baseline(random);
        // 9 000 known countries and 1 000 new values seen once each: 10 % unseen, more than the sketch tracks
        int n = 10_000;
        var country = new String[n];
        for (int i = 0; i < n; i++) {
            country[i] = i % 10 == 0 ? "new-" + i : COUNTRIES[i % 3];
        }
        var w = served(FeatureBatch.Feature.categorical("country", country));
        var quality = check(MonitorChecks.all(w, baseline, null, MonitorSettings.defaults()), "data_quality");
        var row = row(quality, "country");
        assertThat(row.path("unseen").asLong()).isBetween(900L, 1_000L); // a lower bound: never more than the truth
        assertThat(row.path("breach").asBoolean()).isTrue(); // above the 5 % allowed
    }

    @Test
    void infinitiesAreOutOfRangeAndAFeatureWithNoFiniteValueIsNamedAsNotCompared() {
        var random = new Random(32);
        var baseline = baseline(random);
        int n = 800;
        var x = new double[n];
        java.util.Arrays.fill(x, Double.POSITIVE_INFINITY);
        var country = new String[n];
        for (int i = 0; i < n; i++) {
            country[i] = COUNTRIES[i % 3];
        }
        var w = served(FeatureBatch.Feature.numeric("x", x), FeatureBatch.Feature.categorical("country", country));
        var results = MonitorChecks.all(w, baseline, null, MonitorSettings.defaults());
        var row = row(check(results, "data_quality"), "x");
        assertThat(row.path("infinite").asLong()).isEqualTo(n);
        assertThat(row.path("out_of_range").asLong()).isEqualTo(n);
        assertThat(row.path("breach").asBoolean()).isTrue();
        var drift = check(results, "feature_drift");
        assertThat(drift.details().path("not_compared").get(0).path("feature").asText()).isEqualTo("x");
        assertThat(drift.details().path("features")).extracting(f -> f.path("feature").asText()).containsExactly("country");
    }

    @Test
    void manyCodesSentAsTextAreStillCheckedForRangeNotKind() {
        var csv = new StringBuilder("zip\n");
        for (int i = 0; i < 500; i++) {
            csv.append(10_000 + i * 10).append('\n');
        }
        var reference = Baselines.fromCsv(csv.toString().getBytes(StandardCharsets.UTF_8));
        var baseline = new Baselines.Baseline("m", 1, "csv", 500, reference.profile(), reference.sample(), 0);
        // an hour of minutes, 200 distinct codes each and 12 000 in all, far more than a span's sketch tracks exactly;
        // one in fifty codes outside the reference's [10 000, 14 990]
        var span = mergedHour("zip", k -> Integer.toString(k % 50 == 0 ? 90_000 + k : 10_000 + k % 4_990));
        var quality = check(MonitorChecks.all(span, baseline, null, MonitorSettings.defaults()), "data_quality");
        var row = row(quality, "zip");
        assertThat(row.has("schema_violation")).as(row.toString()).isFalse();
        assertThat(row.path("out_of_range_share").asDouble()).isCloseTo(0.02, within(0.015)); // from the span's sample
        assertThat(quality.status()).isEqualTo(CheckResult.Status.OK);

        // mostly other text, and a frequent "0": still a kind change, however few values the sketch tracks
        var mixed = mergedHour("zip", k -> k % 3 == 0 ? "0" : "id-" + k);
        var kind = check(MonitorChecks.all(mixed, baseline, null, MonitorSettings.defaults()), "data_quality");
        assertThat(row(kind, "zip").path("schema_violation").asText()).contains("numeric");
    }

    @Test
    void labelsSentAsDecimalTextMatchTheReferencesNumbers() {
        var csv = new StringBuilder("grade\n");
        for (int i = 0; i < 600; i++) {
            csv.append(i % 2 == 0 ? "3.5" : "1").append('\n');
        }
        var reference = Baselines.fromCsv(csv.toString().getBytes(StandardCharsets.UTF_8));
        var baseline = new Baselines.Baseline("m", 1, "csv", 600, reference.profile(), reference.sample(), 0);
        int n = 600;
        var grades = new String[n];
        for (int i = 0; i < n; i++) {
            grades[i] = i % 2 == 0 ? "3.50" : "1.0";
        }
        var w = served(FeatureBatch.Feature.categorical("grade", grades));
        var drift = check(MonitorChecks.all(w, baseline, null, MonitorSettings.defaults()), "feature_drift");
        assertThat(drift.details().path("features").get(0).path("drift").asBoolean()).as(drift.details().toString()).isFalse();
        assertThat(drift.status()).isEqualTo(CheckResult.Status.OK);
    }

    /** A span of one request whose inputs are {@code features}, and no outputs. */
    private static WindowData served(FeatureBatch.Feature... features) {
        int rows = features[0].size();
        var w = WindowData.empty(1_000, 3);
        w.add("ok", 1_000_000, new FeatureBatch(rows, List.of(features)), FeatureBatch.empty(rows));
        return w;
    }

    /** An hour of minute windows merged, 200 rows each, of one text feature whose k-th value overall is {@code value(k)}. */
    private static WindowData mergedHour(String feature, java.util.function.IntFunction<String> value) {
        WindowData hour = null;
        for (int minute = 0; minute < 60; minute++) {
            var values = new String[200];
            for (int i = 0; i < values.length; i++) {
                values[i] = value.apply(minute * 200 + i);
            }
            var w = WindowData.empty(1_000, minute);
            w.add("ok", 1_000_000, new FeatureBatch(200, List.of(FeatureBatch.Feature.categorical(feature, values))),
                    FeatureBatch.empty(200));
            hour = hour == null ? w : hour.merge(w);
        }
        return hour;
    }

    private static com.fasterxml.jackson.databind.JsonNode row(CheckResult quality, String feature) {
        for (var row : quality.details().path("features")) {
            if (row.path("feature").asText().equals(feature)) {
                return row;
            }
        }
        throw new AssertionError("no row for " + feature + " in " + quality.details());
    }
}
