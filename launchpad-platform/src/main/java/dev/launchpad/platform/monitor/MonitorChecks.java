package dev.launchpad.platform.monitor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.json.Json;
import dev.launchpad.core.text.Decimals;
import dev.launchpad.stats.Column;
import dev.launchpad.stats.drift.ColumnDrift;
import dev.launchpad.stats.drift.DriftDetector;
import dev.launchpad.stats.drift.DriftMethod;
import dev.launchpad.stats.drift.DriftOptions;
import dev.launchpad.stats.profile.ColumnProfile;
import dev.launchpad.stats.profile.DatasetProfile;
import dev.launchpad.stats.profile.ProfileDrift;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.TreeSet;

/**
 * The monitor checks, computed from stored windows, a baseline and live metrics (no I/O here). Drift is
 * tested per feature like the stats library does: on the baseline's sample and the windows' merged samples
 * with Evidently's automatic method choice (or the feature's configured method); a baseline given as a
 * profile only is compared from sketches ({@link ProfileDrift}, Jensen–Shannon by default).
 */
public final class MonitorChecks {
    private MonitorChecks() {
    }

    /**
     * One feature's drift verdict, whether it came from sketches, and why the feature's configured method was not used
     * (null when it was, or none was configured).
     */
    public record FeatureDrift(ColumnDrift drift, boolean fromSketches, String methodNote) {
    }

    /**
     * Drift of {@code names} between reference and current; features that cannot be compared (no present values on one
     * side) are left out. A configured method that does not fit a feature (KS for a categorical one, Wasserstein from a
     * profile-only baseline) gives way to the automatic choice, and the feature's row says so.
     */
    public static List<FeatureDrift> drift(Baselines.Baseline baseline, DatasetProfile currentProfile, RowSample currentSample,
                                           List<String> names, MonitorSettings settings) {
        return drift(baseline, currentProfile, currentSample, names, settings, (name, why) -> { });
    }

    /** As {@link #drift(Baselines.Baseline, DatasetProfile, RowSample, List, MonitorSettings)}, telling {@code notCompared}
     * each feature left out and why. */
    public static List<FeatureDrift> drift(Baselines.Baseline baseline, DatasetProfile currentProfile, RowSample currentSample,
                                           List<String> names, MonitorSettings settings,
                                           java.util.function.BiConsumer<String, String> notCompared) {
        var out = new ArrayList<FeatureDrift>();
        for (var name : names) {
            var method = settings.driftMethods().get(name);
            var threshold = settings.driftThresholds().get(name);
            try {
                out.add(compare(baseline, currentProfile, currentSample, name, method, threshold, null));
            } catch (IllegalArgumentException e) {
                if (method == null) {
                    notCompared.accept(name, e.getMessage());
                    continue;
                }
                try {
                    out.add(compare(baseline, currentProfile, currentSample, name, null, null,
                            "the configured method " + method.id() + " does not fit this feature (" + e.getMessage()
                                    + "); the automatic choice was used"));
                } catch (IllegalArgumentException again) {
                    notCompared.accept(name, again.getMessage()); // not comparable with any method
                }
            }
        }
        return out;
    }

    private static FeatureDrift compare(Baselines.Baseline baseline, DatasetProfile currentProfile, RowSample currentSample,
                                        String name, DriftMethod method, Double threshold, String note) {
        if (baseline.sample() != null && currentSample.isNumeric(name) != null && baseline.sample().isNumeric(name) != null) {
            var options = DriftOptions.defaults();
            if (method != null) {
                options = options.withMethod(name, method);
            }
            if (threshold != null) {
                options = options.withThreshold(name, threshold);
            }
            Column ref = baseline.sample().column(name);
            Column cur = currentSample.column(name);
            if (ref instanceof Column.Numeric numbers && cur instanceof Column.Categorical text) {
                ref = asLabels(numbers); // class labels read from a CSV look like numbers
                cur = sameSpelling(text); // and "1.0" or "3.50" sent are the reference's 1 and 3.5
            }
            return new FeatureDrift(DriftDetector.column(ref, cur, options), false, note);
        }
        var m = method != null ? method : DriftMethod.JENSEN_SHANNON;
        var r = ProfileDrift.column(baseline.profile().column(name), currentProfile.column(name), m,
                threshold != null ? threshold : m.defaultThreshold());
        return new FeatureDrift(r.drift(), true, note);
    }

    /**
     * Features in both the baseline and the current profile with the same kind, or numeric in the baseline
     * and categorical in the traffic when the baseline has a sample (class labels that a CSV spells as numbers).
     */
    public static List<String> common(Baselines.Baseline baseline, DatasetProfile current) {
        var names = new ArrayList<String>();
        for (var e : current.columns().entrySet()) {
            var ref = baseline.profile().columns().get(e.getKey());
            if (ref == null) {
                continue;
            }
            boolean labels = ref.kind() == ColumnProfile.Kind.NUMERIC && e.getValue().kind() == ColumnProfile.Kind.CATEGORICAL
                    && baseline.sample() != null && baseline.sample().isNumeric(e.getKey()) != null;
            if (ref.kind() == e.getValue().kind() || labels) {
                names.add(e.getKey());
            }
        }
        return names;
    }

    /** Numbers read as the class labels a CSV spells them as (1.0 as "1"), to compare with served labels. */
    public static Column.Categorical asLabels(Column.Numeric numbers) {
        var values = new String[numbers.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = Predictions.format(numbers.values()[i]);
        }
        return new Column.Categorical(numbers.name(), values);
    }

    /** Decimal text spelled as {@link #asLabels} spells numbers ("1.0" as "1", "3.50" as "3.5"); other text as it is. */
    static Column.Categorical sameSpelling(Column.Categorical text) {
        var values = text.values().clone();
        for (int i = 0; i < values.length; i++) {
            var v = values[i] == null ? null : Decimals.parse(values[i].strip());
            if (v != null && !v.isNaN()) {
                values[i] = Predictions.format(v);
            }
        }
        return new Column.Categorical(text.name(), values);
    }

    /**
     * The served features of {@code profile} that a drift table over {@code compared} leaves out (not in the baseline,
     * or of another kind there), at most 100.
     */
    public static List<String> notInBaseline(DatasetProfile profile, List<String> compared) {
        var in = new HashSet<>(compared);
        return profile.columns().keySet().stream().filter(n -> !in.contains(n)).limit(100).toList();
    }

    /** Why no feature could be compared: both sides' names, so that a mismatch (X_0 … against named columns) shows. */
    public static String noFeatureInBaseline(DatasetProfile profile, Baselines.Baseline baseline) {
        return "No feature of the traffic is in the baseline." + bothSides(profile, baseline);
    }

    private static String bothSides(DatasetProfile profile, Baselines.Baseline baseline) {
        return " The traffic's are " + firstNames(List.copyOf(profile.columns().keySet())) + "; the baseline's "
                + firstNames(List.copyOf(baseline.profile().columns().keySet())) + ".";
    }

    /** Up to five names and how many there are in all, for a message. */
    private static String firstNames(List<String> names) {
        if (names.isEmpty()) {
            return "none";
        }
        var shown = String.join(", ", names.subList(0, Math.min(5, names.size())));
        return names.size() > 5 ? shown + ", … (" + names.size() + ")" : shown;
    }

    static CheckResult featureDrift(String check, WindowData current, DatasetProfile profile, RowSample sample,
                                    Baselines.Baseline baseline, MonitorSettings settings) {
        var details = Json.mapper().createObjectNode();
        if (baseline == null) {
            details.put("reason", "The model version has no baseline; set one with launchpad monitor baseline.");
            return new CheckResult(check, CheckResult.Status.NO_DATA, null, null, List.of(), details);
        }
        if (current == null || current.rows() < settings.minRows()) {
            details.put("reason", "Fewer than " + settings.minRows() + " rows in the span ("
                    + (current == null ? 0 : current.rows()) + ").");
            return new CheckResult(check, CheckResult.Status.NO_DATA, null, null, List.of(), details);
        }
        var names = common(baseline, profile);
        if (names.isEmpty()) {
            details.put("reason", check.equals("prediction_drift")
                    ? "The baseline has no column named like a model output; include the predictions in the reference"
                    + " data." + bothSides(profile, baseline)
                    : noFeatureInBaseline(profile, baseline));
            var served = details.putArray("traffic_features");
            profile.columns().keySet().stream().limit(100).forEach(served::add);
            var columns = details.putArray("baseline_columns");
            baseline.profile().columns().keySet().stream().limit(100).forEach(columns::add);
            return new CheckResult(check, CheckResult.Status.NO_DATA, null, null, List.of(), details);
        }
        if (!check.equals("prediction_drift")) {
            // served features the drift table leaves out: not in the baseline (or of another kind there)
            notInBaseline(profile, names).forEach(details.putArray("not_in_baseline")::add);
        }
        var notCompared = Json.mapper().createArrayNode();
        var results = drift(baseline, profile, sample, names, settings, notComparedInto(notCompared));
        if (!notCompared.isEmpty()) {
            details.set("not_compared", notCompared);
        }
        var drifted = results.stream().filter(r -> r.drift().drifted()).map(r -> r.drift().column()).toList();
        double share = results.isEmpty() ? 0 : (double) drifted.size() / results.size();
        boolean anyCounts = check.equals("prediction_drift");
        boolean datasetDrift = anyCounts ? !drifted.isEmpty() : datasetDrift(results, settings);
        details.put("dataset_drift", datasetDrift);
        if (!anyCounts) {
            details.put("drift_share", settings.driftShare());
        }
        details.put("rows", current.rows());
        details.set("features", table(results));
        return new CheckResult(check, datasetDrift ? CheckResult.Status.BREACH : CheckResult.Status.OK, share,
                anyCounts ? null : settings.driftShare(), drifted, details);
    }

    /** Collects features left out of a drift table as {@code {"feature", "reason"}} rows (the first 100). */
    public static java.util.function.BiConsumer<String, String> notComparedInto(ArrayNode rows) {
        return (name, why) -> {
            if (rows.size() < 100) {
                rows.addObject().put("feature", name).put("reason", why);
            }
        };
    }

    /**
     * Whether input features' drift is the dataset's (Evidently's dataset drift): at least {@code drift_share} of
     * them drifted, and at least one — a share of drifted features, not any one of them, as with 30 features tested
     * at 5 % each one would drift by chance in most windows. (Outputs are few and each matters: any one counts.)
     */
    public static boolean datasetDrift(List<FeatureDrift> features, MonitorSettings settings) {
        long drifted = features.stream().filter(f -> f.drift().drifted()).count();
        return drifted > 0 && (double) drifted / features.size() >= settings.driftShare();
    }

    /** The per-feature table: feature, type, method, statistic, score, score_kind, threshold, drift. */
    public static ArrayNode table(List<FeatureDrift> results) {
        var array = Json.mapper().createArrayNode();
        for (var r : results) {
            var d = r.drift();
            var row = array.addObject();
            row.put("feature", d.column());
            row.put("type", d.columnType());
            row.put("method", d.method().id());
            putNumber(row, "statistic", d.statistic());
            putNumber(row, "score", d.score());
            row.put("score_kind", d.scoreKind() == DriftMethod.ScoreKind.P_VALUE ? "p_value" : "distance");
            putNumber(row, "threshold", d.threshold());
            row.put("drift", d.drifted());
            row.put("reference_count", d.referenceCount());
            row.put("current_count", d.currentCount());
            row.put("from_sketches", r.fromSketches());
            if (r.methodNote() != null) {
                row.put("method_note", r.methodNote());
            }
        }
        return array;
    }

    static void putNumber(ObjectNode node, String field, double v) {
        if (Double.isFinite(v)) {
            node.put(field, v);
        } else {
            node.putNull(field);
        }
    }

    static CheckResult dataQuality(WindowData current, Baselines.Baseline baseline, MonitorSettings settings) {
        var details = Json.mapper().createObjectNode();
        if (current == null || current.requests() == 0) {
            details.put("reason", "No requests in the span.");
            return new CheckResult("data_quality", CheckResult.Status.NO_DATA, null, null, List.of(), details);
        }
        var breached = new TreeSet<String>();
        long issues = 0;
        var features = details.putArray("features");
        var cur = current.inputs();
        var names = new TreeSet<>(cur.columns().keySet());
        if (baseline != null) {
            names.addAll(baseline.profile().columns().keySet());
        }
        var outputs = new HashSet<>(current.outputs().columns().keySet());
        var notServed = details.putArray("not_in_traffic");
        for (var name : names) {
            var c = cur.columns().get(name);
            var r = baseline == null ? null : baseline.profile().columns().get(name);
            if (c == null) {
                // a target, id or prediction column of the reference data: reported, not a breach (inputs the
                // model needs are enforced by serving, whose rejections count below)
                if (!outputs.contains(name) && current.rows() > 0) {
                    notServed.add(name);
                }
                continue;
            }
            var row = features.addObject().put("feature", name);
            if (baseline != null && r == null) {
                row.put("in_baseline", false); // a column the reference data lacks: its nulls are still counted
            }
            boolean breach = false;
            long missing = c.nullCount() + c.nanCount();
            double share = c.count() == 0 ? 0 : (double) missing / c.count();
            double refShare = r == null || r.count() == 0 ? 0 : (double) (r.nullCount() + r.nanCount()) / r.count();
            row.put("nulls", missing);
            row.put("null_share", share);
            issues += missing;
            if (share - refShare > settings.maxNullShare()) {
                breach = true;
                row.put("null_breach", true);
            }
            long numberText = r != null && r.kind() == ColumnProfile.Kind.NUMERIC
                    ? outsideAsNumbers(c, r, current.inputSample(), name) : -1;
            if (numberText >= 0) {
                // numbers sent as text (codes, class labels) where the reference CSV had them as numbers: the same
                // values, so their range is checked, not their kind
                row.put("out_of_range", numberText);
                row.put("out_of_range_share", (double) numberText / c.count());
                issues += numberText;
                if ((double) numberText / c.count() > settings.maxOutOfRangeShare()) {
                    breach = true;
                }
            } else if (r != null && r.kind() != c.kind()) {
                // a reference column with no value at all (empty in every CSV row) has no kind to keep to
                if (r.count() > r.nullCount() + r.nanCount()) {
                    row.put("schema_violation", "the baseline's " + name + " is "
                            + r.kind().name().toLowerCase(java.util.Locale.ROOT) + ", the traffic's is "
                            + c.kind().name().toLowerCase(java.util.Locale.ROOT));
                    breach = true;
                    issues += c.count() - missing; // (the missing ones are counted above)
                }
            } else if (r != null && c.kind() == ColumnProfile.Kind.NUMERIC && r.validCount() > 0
                    && c.validCount() + c.infiniteCount() > 0) {
                long outOfRange = 0;
                if (c.validCount() > 0) {
                    double below = c.min() < r.min() ? c.quantileSketch().rank(r.min(), false) : 0;
                    double above = c.max() > r.max() ? 1 - c.quantileSketch().rank(r.max(), true) : 0;
                    outOfRange = Math.round((below + above) * c.validCount());
                    if (outOfRange == 0 && (c.min() < r.min() || c.max() > r.max())) {
                        outOfRange = 1; // at least the extreme value itself
                    }
                }
                // ±∞ (sent as "Infinity", or a number past FP32's range) lies outside any finite reference range
                if (c.infiniteCount() > 0) {
                    row.put("infinite", c.infiniteCount());
                    if (r.infiniteCount() == 0) {
                        outOfRange += c.infiniteCount();
                    }
                }
                row.put("out_of_range", outOfRange);
                row.put("out_of_range_share", (double) outOfRange / c.count());
                issues += outOfRange;
                if ((double) outOfRange / c.count() > settings.maxOutOfRangeShare()) {
                    breach = true;
                }
            } else if (r != null && c.kind() == ColumnProfile.Kind.CATEGORICAL && c.validCount() > 0) {
                var known = new HashSet<String>();
                r.frequentItems().forEach(i -> known.add(i.value()));
                boolean refComplete = r.frequentItemsMaxError() == 0;
                long unseen = 0;
                var unseenValues = row.putArray("unseen_categories");
                if (refComplete) {
                    for (var item : c.frequentItems()) {
                        if (!known.contains(item.value())) {
                            unseen += item.estimate();
                            if (unseenValues.size() < 20) {
                                unseenValues.add(item.value());
                            }
                        }
                    }
                    // many distinct values (over the span's sketch capacity): values seen rarely are not tracked, so
                    // count what the known categories cannot hold (exact while the sketch is; a lower bound beyond)
                    long knownAtMost = 0;
                    for (var k : known) {
                        knownAtMost += c.frequentItemsSketch().upperBound(k);
                    }
                    unseen = Math.max(unseen, c.validCount() - knownAtMost);
                }
                row.put("unseen", unseen);
                issues += unseen;
                if ((double) unseen / c.count() > settings.maxUnseenShare()) {
                    breach = true;
                }
            }
            row.put("breach", breach);
            if (breach) {
                breached.add(name);
            }
        }
        double rejected = (double) current.clientErrors() / current.requests();
        details.put("rejected_requests", current.clientErrors());
        details.put("rejected_share", rejected);
        details.put("type_mismatches", current.schemaMismatches());
        issues += current.clientErrors() + current.schemaMismatches();
        boolean schema = rejected > settings.maxRejectedShare() || current.schemaMismatches() > 0;
        details.put("schema_breach", schema);
        var status = breached.isEmpty() && !schema ? CheckResult.Status.OK : CheckResult.Status.BREACH;
        return new CheckResult("data_quality", status, (double) issues, null, List.copyOf(breached), details);
    }

    static CheckResult performance(Feedback.WindowPerformance p, MonitorSettings settings) {
        var details = Json.mapper().createObjectNode();
        if (p == null || p.predictions() == 0) {
            details.put("reason", "No logged predictions in the lookback span.");
            return new CheckResult("performance", CheckResult.Status.NO_DATA, null, settings.performanceThreshold(), List.of(),
                    details);
        }
        String metric = settings.performanceMetric() != null ? settings.performanceMetric()
                : p.task() == Predictions.Task.REGRESSION ? "mae" : "accuracy";
        details.put("metric", metric);
        details.put("predictions", p.predictions());
        details.put("labelled", p.labelled());
        Double value;
        boolean estimated = false;
        boolean enoughLabels = p.labelled() >= settings.minLabels();
        if (enoughLabels) {
            // labels decide: with enough of them a metric they leave undefined is not replaced by an estimate
            value = switch (metric) {
                case "accuracy" -> p.accuracy();
                case "roc_auc" -> p.rocAuc();
                case "mae" -> p.mae();
                default -> p.rmse();
            };
        } else {
            value = switch (metric) {
                case "accuracy" -> p.estimatedAccuracy();
                case "roc_auc" -> p.estimatedRocAuc();
                default -> null;
            };
            estimated = value != null;
        }
        details.put("estimated", estimated);
        if (estimated) {
            details.put("method", "CBPE (confidence-based performance estimation; assumes calibrated scores)");
        }
        if (value == null) {
            details.put("reason", noPerformance(p, metric, enoughLabels, settings.minLabels()));
            return new CheckResult("performance", CheckResult.Status.NO_DATA, null, settings.performanceThreshold(), List.of(),
                    details);
        }
        var threshold = settings.performanceThreshold();
        boolean breach = threshold != null && (MonitorSettings.lowerIsBetter(metric) ? value > threshold : value < threshold);
        return new CheckResult("performance", breach ? CheckResult.Status.BREACH : CheckResult.Status.OK, value, threshold,
                List.of(), details);
    }

    /**
     * For a categorical traffic column whose values are decimal text, against a numeric baseline column: how many of its
     * values lie outside the baseline's [min, max]; else -1. Exact while the span's distinct values fit its sketch;
     * past that (many codes over an hour or a day, whose rare values the sketch no longer tracks) it is the span's row
     * sample that must hold numbers only, and the share outside among them is taken for the whole column.
     */
    private static long outsideAsNumbers(ColumnProfile current, ColumnProfile reference, RowSample sample, String name) {
        if (current.kind() != ColumnProfile.Kind.CATEGORICAL || reference.validCount() == 0) {
            return -1;
        }
        if (current.frequentItemsMaxError() == 0) {
            long outside = 0;
            for (var item : current.frequentItems()) {
                var v = Decimals.parse(item.value().strip());
                if (v == null) {
                    return -1;
                }
                if (v < reference.min() || v > reference.max()) {
                    outside += item.estimate();
                }
            }
            return outside;
        }
        if (sample == null || !Boolean.FALSE.equals(sample.isNumeric(name))) {
            return -1;
        }
        long present = 0;
        long outside = 0;
        for (var text : ((Column.Categorical) sample.column(name)).values()) {
            if (text == null) {
                continue;
            }
            var v = Decimals.parse(text.strip());
            if (v == null) {
                return -1;
            }
            present++;
            if (v < reference.min() || v > reference.max()) {
                outside++;
            }
        }
        return present == 0 ? -1 : Math.round((double) outside / present * current.validCount());
    }

    /** Why a span's predictions give no value of {@code metric}. */
    private static String noPerformance(Feedback.WindowPerformance p, String metric, boolean enoughLabels, int minLabels) {
        boolean classifier = p.task() == Predictions.Task.CLASSIFICATION;
        boolean regressionMetric = metric.equals("mae") || metric.equals("rmse");
        if (regressionMetric && classifier && (enoughLabels || p.estimatedAccuracy() != null)) {
            // (whole-number predictions without scores get mae once labelled: these are labels of another kind, or a
            // scored classifier's, which never get it)
            return metric + " is for regression; the model's outputs are a classifier's.";
        }
        if ((metric.equals("accuracy") || metric.equals("roc_auc")) && !classifier && !enoughLabels) {
            return "Fewer than " + minLabels + " labelled predictions, and a regression model's " + metric
                    + " cannot be estimated.";
        }
        if (metric.equals("roc_auc") && enoughLabels) {
            return "roc_auc needs a binary (0/1) classifier whose labels include both classes; these "
                    + p.labelled() + " labelled predictions do not.";
        }
        if (enoughLabels && metric.equals("accuracy")) {
            return "accuracy compares classes; this regression model's predictions are not whole numbers (choose mae or"
                    + " rmse).";
        }
        if (enoughLabels) {
            return "The " + p.labelled() + " labelled predictions give no " + metric + " (labels or predictions that are"
                    + " not numbers).";
        }
        return "Fewer than " + minLabels + " labelled predictions (" + p.labelled() + "), and no estimate of " + metric
                + (classifier && !regressionMetric ? " (CBPE needs class probabilities among the model's outputs)." : ".");
    }

    static CheckResult latency(WindowData current, MonitorSettings settings) {
        var details = Json.mapper().createObjectNode();
        if (current == null || current.requests() == 0 || current.latencyMs().isEmpty()) {
            details.put("reason", current == null || current.requests() == 0 ? "No requests in the span."
                    : "Every request in the span was refused as the client's error (4xx), which latency leaves out.");
            return new CheckResult("latency", CheckResult.Status.NO_DATA, null, settings.latencyP99BudgetMs(), List.of(), details);
        }
        double p99 = current.latencyQuantile(0.99);
        details.put("p50_ms", current.latencyQuantile(0.5));
        details.put("p99_ms", p99);
        details.put("requests", current.requests());
        boolean breach = p99 > settings.latencyP99BudgetMs();
        return new CheckResult("latency", breach ? CheckResult.Status.BREACH : CheckResult.Status.OK, p99,
                settings.latencyP99BudgetMs(), List.of(), details);
    }

    static CheckResult errorRate(WindowData current, MonitorSettings settings) {
        var details = Json.mapper().createObjectNode();
        if (current == null || current.requests() == 0) {
            details.put("reason", "No requests in the span.");
            return new CheckResult("error_rate", CheckResult.Status.NO_DATA, null, settings.errorRateBudget(), List.of(), details);
        }
        long failed = current.serverErrors() + current.overloaded();
        double rate = (double) failed / current.requests();
        details.put("requests", current.requests());
        details.put("server_errors", current.serverErrors());
        details.put("overloaded", current.overloaded());
        details.put("client_errors", current.clientErrors());
        boolean breach = rate > settings.errorRateBudget();
        return new CheckResult("error_rate", breach ? CheckResult.Status.BREACH : CheckResult.Status.OK, rate,
                settings.errorRateBudget(), List.of(), details);
    }

    /** Every check over one span. */
    public static List<CheckResult> all(WindowData current, Baselines.Baseline baseline, Feedback.WindowPerformance perf,
                                        MonitorSettings settings) {
        var out = new ArrayList<CheckResult>();
        out.add(featureDrift("feature_drift", current, current == null ? null : current.inputs(),
                current == null ? null : current.inputSample(), baseline, settings));
        out.add(featureDrift("prediction_drift", current, current == null ? null : current.outputs(),
                current == null ? null : current.outputSample(), baseline, settings));
        out.add(dataQuality(current, baseline, settings));
        out.add(performance(perf, settings));
        out.add(latency(current, settings));
        out.add(errorRate(current, settings));
        return out;
    }
}
