package dev.launchpad.platform.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.stats.drift.DriftMethod;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How one deployment is monitored. Every deployment is monitored with {@link #defaults()} until its
 * settings are changed.
 *
 * @param enabled whether the scheduled checks run
 * @param intervalMinutes how often the checks run, and the span of traffic each run looks at
 * @param minRows fewest rows in a span for drift checks (fewer: no_data)
 * @param driftShare share of drifted features at which the dataset counts as drifted (Evidently's 0.5)
 * @param driftMethods per-feature drift method (Evidently names: ks, wasserstein, psi, jensenshannon, ...);
 *                     others get the stats library's automatic choice
 * @param driftThresholds per-feature thresholds; others get the method's default
 * @param maxNullShare breach when a feature's missing share exceeds the baseline's by more than this
 * @param maxOutOfRangeShare breach when more than this share of a numeric feature is outside the baseline's range
 * @param maxUnseenShare breach when more than this share of a categorical feature is a category the baseline lacks
 * @param maxRejectedShare breach when more than this share of requests is rejected as invalid (schema violations)
 * @param performanceMetric accuracy, roc_auc, mae or rmse; null picks accuracy (classification) or mae (regression)
 * @param performanceThreshold the minimum (accuracy, roc_auc) or maximum (mae, rmse) allowed; null: record only
 * @param performanceLookbackMinutes span of predictions whose labels count (labels arrive late)
 * @param minLabels fewest labelled predictions for live metrics (fewer: CBPE estimate for classifiers)
 * @param latencyP99BudgetMs breach when the span's p99 latency exceeds this
 * @param errorRateBudget breach when the share of requests failing on the server side (errors, overload) exceeds this
 */
public record MonitorSettings(boolean enabled, int intervalMinutes, int minRows, double driftShare,
                              Map<String, DriftMethod> driftMethods, Map<String, Double> driftThresholds,
                              double maxNullShare, double maxOutOfRangeShare, double maxUnseenShare,
                              double maxRejectedShare, String performanceMetric, Double performanceThreshold,
                              int performanceLookbackMinutes, int minLabels, double latencyP99BudgetMs,
                              double errorRateBudget) {

    private static final Set<String> METRICS = Set.of("accuracy", "roc_auc", "mae", "rmse");

    public MonitorSettings {
        driftMethods = Map.copyOf(driftMethods);
        driftThresholds = Map.copyOf(driftThresholds);
    }

    public static MonitorSettings defaults() {
        return new MonitorSettings(true, 1, 500, 0.5, Map.of(), Map.of(), 0.05, 0.05, 0.05, 0.05, null, null, 1440, 20,
                1000, 0.01);
    }

    /** Whether a lower value of the performance metric is better. */
    public static boolean lowerIsBetter(String metric) {
        return metric.equals("mae") || metric.equals("rmse");
    }

    public ObjectNode toJson() {
        var n = Json.mapper().createObjectNode();
        n.put("enabled", enabled);
        n.put("interval_minutes", intervalMinutes);
        n.put("min_rows", minRows);
        n.put("drift_share", driftShare);
        var m = n.putObject("drift_methods");
        driftMethods.forEach((k, v) -> m.put(k, v.id()));
        var t = n.putObject("drift_thresholds");
        driftThresholds.forEach(t::put);
        n.put("max_null_share", maxNullShare);
        n.put("max_out_of_range_share", maxOutOfRangeShare);
        n.put("max_unseen_share", maxUnseenShare);
        n.put("max_rejected_share", maxRejectedShare);
        if (performanceMetric != null) {
            n.put("performance_metric", performanceMetric);
        } else {
            n.putNull("performance_metric");
        }
        if (performanceThreshold != null) {
            n.put("performance_threshold", performanceThreshold);
        } else {
            n.putNull("performance_threshold");
        }
        n.put("performance_lookback_minutes", performanceLookbackMinutes);
        n.put("min_labels", minLabels);
        n.put("latency_p99_budget_ms", latencyP99BudgetMs);
        n.put("error_rate_budget", errorRateBudget);
        return n;
    }

    private static final List<String> FIELDS = List.of("enabled", "interval_minutes", "min_rows", "drift_share",
            "drift_methods", "drift_thresholds", "max_null_share", "max_out_of_range_share", "max_unseen_share",
            "max_rejected_share", "performance_metric", "performance_threshold", "performance_lookback_minutes",
            "min_labels", "latency_p99_budget_ms", "error_rate_budget");

    /** Longest performance look-back: as long as logged predictions and labels are kept (30 days). */
    static final int MAX_LOOKBACK_MINUTES = 60 * 24 * 30;

    /**
     * These settings with the fields {@code patch} gives changed (JSON merge patch, RFC 7396: a field given null goes
     * back to its default, and {@code drift_methods} and {@code drift_thresholds} merge feature by feature, a feature
     * given null losing its entry); INVALID_PARAMETER_VALUE naming a bad field.
     */
    public MonitorSettings with(JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw LaunchpadException.invalid("Monitor settings must be a JSON object.");
        }
        patch.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw LaunchpadException.invalid("Unknown monitor setting '" + f + "'. Known: " + String.join(", ", FIELDS) + ".");
            }
        });
        var methods = new LinkedHashMap<>(driftMethods);
        if (patch.has("drift_methods")) {
            var node = patch.get("drift_methods");
            if (node.isNull()) {
                methods.clear();
            } else if (!node.isObject()) {
                throw LaunchpadException.invalid("'drift_methods' must be an object of feature → method.");
            }
            node.fields().forEachRemaining(e -> {
                if (e.getValue().isNull()) {
                    methods.remove(e.getKey());
                    return;
                }
                try {
                    methods.put(e.getKey(), DriftMethod.fromId(e.getValue().asText()));
                } catch (IllegalArgumentException ex) {
                    throw LaunchpadException.invalid("drift_methods." + e.getKey() + ": " + ex.getMessage());
                }
            });
        }
        var thresholds = new LinkedHashMap<>(driftThresholds);
        // a threshold belongs to its method: one taken out or changed (psi's 0.2 is "drifted above", ks's "below")
        // takes it along, unless this patch gives the threshold too (refused below when it has no method)
        thresholds.keySet().removeIf(feature -> !java.util.Objects.equals(driftMethods.get(feature), methods.get(feature)));
        if (patch.has("drift_thresholds")) {
            var node = patch.get("drift_thresholds");
            if (node.isNull()) {
                thresholds.clear();
            } else if (!node.isObject()) {
                throw LaunchpadException.invalid("'drift_thresholds' must be an object of feature → number.");
            }
            node.fields().forEachRemaining(e -> {
                if (e.getValue().isNull()) {
                    thresholds.remove(e.getKey());
                } else {
                    thresholds.put(e.getKey(), number(e.getValue(), "drift_thresholds." + e.getKey(), 0,
                            Double.POSITIVE_INFINITY));
                }
            });
        }
        // a p-value threshold is a probability; a distance's may be any positive number
        thresholds.forEach((feature, t) -> {
            var method = methods.get(feature);
            if (method == null) {
                // the automatic choice is a p-value test for a small baseline and a distance for a larger one: the
                // same number would mean "drifted below" for one and "drifted above" for the other
                throw LaunchpadException.invalid("drift_thresholds." + feature + " needs drift_methods." + feature
                        + ": the automatic choice changes with the baseline's size, and a threshold means the opposite"
                        + " for a p-value and for a distance.");
            }
            if (method.scoreKind() == DriftMethod.ScoreKind.P_VALUE && t > 1) {
                throw LaunchpadException.invalid("drift_thresholds." + feature + ": " + method.id() + " compares a p-value,"
                        + " so its threshold is at most 1, got " + t + ".");
            }
        });
        String metric = performanceMetric;
        if (patch.has("performance_metric")) {
            var node = patch.get("performance_metric");
            metric = node.isNull() ? null : node.asText();
            if (metric != null && !METRICS.contains(metric)) {
                throw LaunchpadException.invalid("'performance_metric' must be one of " + METRICS + ", got '" + metric + "'.");
            }
        }
        Double threshold = performanceThreshold;
        if (patch.has("performance_threshold")) {
            var node = patch.get("performance_threshold");
            threshold = node.isNull() ? null : number(node, "performance_threshold", 0, Double.POSITIVE_INFINITY);
        }
        // (with no metric named, a regressor's MAE may take any threshold: only a named accuracy or ROC AUC is bounded)
        if (threshold != null && threshold > 1 && metric != null && !lowerIsBetter(metric)) {
            throw LaunchpadException.invalid("'performance_threshold' " + threshold + " cannot be reached by " + metric
                    + ", which is at most 1.");
        }
        boolean on = enabled;
        if (patch.has("enabled")) {
            if (patch.get("enabled").isNull()) {
                on = DEFAULTS.enabled;
            } else if (!patch.get("enabled").isBoolean()) {
                throw LaunchpadException.invalid("'enabled' must be true or false.");
            } else {
                on = patch.get("enabled").asBoolean();
            }
        }
        return new MonitorSettings(on,
                (int) integer(patch, "interval_minutes", intervalMinutes, DEFAULTS.intervalMinutes, 1, 1440),
                (int) integer(patch, "min_rows", minRows, DEFAULTS.minRows, 1, 10_000_000),
                num(patch, "drift_share", driftShare, DEFAULTS.driftShare, 0, 1), methods, thresholds,
                num(patch, "max_null_share", maxNullShare, DEFAULTS.maxNullShare, 0, 1),
                num(patch, "max_out_of_range_share", maxOutOfRangeShare, DEFAULTS.maxOutOfRangeShare, 0, 1),
                num(patch, "max_unseen_share", maxUnseenShare, DEFAULTS.maxUnseenShare, 0, 1),
                num(patch, "max_rejected_share", maxRejectedShare, DEFAULTS.maxRejectedShare, 0, 1), metric, threshold,
                (int) integer(patch, "performance_lookback_minutes", performanceLookbackMinutes,
                        DEFAULTS.performanceLookbackMinutes, 1, MAX_LOOKBACK_MINUTES),
                (int) integer(patch, "min_labels", minLabels, DEFAULTS.minLabels, 1, 10_000_000),
                num(patch, "latency_p99_budget_ms", latencyP99BudgetMs, DEFAULTS.latencyP99BudgetMs, 0, 3_600_000),
                num(patch, "error_rate_budget", errorRateBudget, DEFAULTS.errorRateBudget, 0, 1));
    }

    private static final MonitorSettings DEFAULTS = defaults();

    /** The patch's value of a number field: unchanged when absent, the default when null. */
    private static double num(JsonNode patch, String field, double current, double dflt, double min, double max) {
        if (!patch.has(field)) {
            return current;
        }
        return patch.get(field).isNull() ? dflt : number(patch.get(field), field, min, max);
    }

    /** The patch's value of an integer field: unchanged when absent, the default when null. */
    private static long integer(JsonNode patch, String field, long current, long dflt, long min, long max) {
        if (!patch.has(field)) {
            return current;
        }
        var node = patch.get(field);
        if (node.isNull()) {
            return dflt;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
            throw LaunchpadException.invalid("'" + field + "' must be an integer in [" + min + ", " + max + "], got " + node + ".");
        }
        return node.asLong();
    }

    private static double number(JsonNode node, String field, double min, double max) {
        if (!node.isNumber() || !Double.isFinite(node.asDouble()) || node.asDouble() < min || node.asDouble() > max) {
            throw LaunchpadException.invalid("'" + field + "' must be a number"
                    + (Double.isFinite(min) ? " in [" + min + ", " + max + "]" : "") + ", got " + node + ".");
        }
        return node.asDouble();
    }

    /**
     * Settings as stored. A field an earlier version allowed and this one does not (a wider limit, a method since
     * removed) goes back to its default, rather than making the deployment's settings unreadable.
     */
    public static MonitorSettings fromJson(JsonNode stored) {
        try {
            return defaults().with(stored);
        } catch (LaunchpadException e) {
            var settings = defaults();
            for (var field : FIELDS) {
                if (!stored.has(field)) {
                    continue;
                }
                var value = stored.get(field);
                try {
                    settings = settings.with(Json.mapper().createObjectNode().set(field, value));
                } catch (LaunchpadException fieldRefused) {
                    if (!value.isObject()) {
                        warnOnce("A stored monitor setting is no longer valid and is back at its default: "
                                + fieldRefused.getMessage());
                        continue;
                    }
                    for (var entry : value.properties()) { // a map: each entry that still holds is kept
                        var one = Json.mapper().createObjectNode();
                        one.putObject(field).set(entry.getKey(), entry.getValue());
                        try {
                            settings = settings.with(one);
                        } catch (LaunchpadException entryRefused) {
                            warnOnce("A stored monitor setting is no longer valid and is dropped: "
                                    + entryRefused.getMessage());
                        }
                    }
                }
            }
            return settings;
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MonitorSettings.class);
    /** Warnings already logged: settings are read every few seconds, and one stored setting says the same each time. */
    private static final java.util.Set<String> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static void warnOnce(String message) {
        if (WARNED.size() < 10_000 && WARNED.add(message)) {
            LOG.warn("{}", message);
        }
    }
}
