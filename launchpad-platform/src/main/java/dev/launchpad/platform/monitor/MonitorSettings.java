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

    /** These settings with the fields {@code patch} gives changed; INVALID_PARAMETER_VALUE naming a bad field. */
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
            methods.clear();
            var node = patch.get("drift_methods");
            if (!node.isObject()) {
                throw LaunchpadException.invalid("'drift_methods' must be an object of feature → method.");
            }
            node.fields().forEachRemaining(e -> {
                try {
                    methods.put(e.getKey(), DriftMethod.fromId(e.getValue().asText()));
                } catch (IllegalArgumentException ex) {
                    throw LaunchpadException.invalid("drift_methods." + e.getKey() + ": " + ex.getMessage());
                }
            });
        }
        var thresholds = new LinkedHashMap<>(driftThresholds);
        if (patch.has("drift_thresholds")) {
            thresholds.clear();
            var node = patch.get("drift_thresholds");
            if (!node.isObject()) {
                throw LaunchpadException.invalid("'drift_thresholds' must be an object of feature → number.");
            }
            node.fields().forEachRemaining(e -> thresholds.put(e.getKey(), number(e.getValue(), "drift_thresholds." + e.getKey(),
                    Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)));
        }
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
            threshold = node.isNull() ? null : number(node, "performance_threshold", Double.NEGATIVE_INFINITY,
                    Double.POSITIVE_INFINITY);
        }
        boolean on = enabled;
        if (patch.has("enabled")) {
            if (!patch.get("enabled").isBoolean()) {
                throw LaunchpadException.invalid("'enabled' must be true or false.");
            }
            on = patch.get("enabled").asBoolean();
        }
        return new MonitorSettings(on,
                (int) integer(patch, "interval_minutes", intervalMinutes, 1, 1440),
                (int) integer(patch, "min_rows", minRows, 1, 10_000_000),
                num(patch, "drift_share", driftShare, 0, 1), methods, thresholds,
                num(patch, "max_null_share", maxNullShare, 0, 1),
                num(patch, "max_out_of_range_share", maxOutOfRangeShare, 0, 1),
                num(patch, "max_unseen_share", maxUnseenShare, 0, 1),
                num(patch, "max_rejected_share", maxRejectedShare, 0, 1), metric, threshold,
                (int) integer(patch, "performance_lookback_minutes", performanceLookbackMinutes, 1, 60 * 24 * 90),
                (int) integer(patch, "min_labels", minLabels, 1, 10_000_000),
                num(patch, "latency_p99_budget_ms", latencyP99BudgetMs, 0, 3_600_000),
                num(patch, "error_rate_budget", errorRateBudget, 0, 1));
    }

    private static double num(JsonNode patch, String field, double current, double min, double max) {
        return patch.has(field) ? number(patch.get(field), field, min, max) : current;
    }

    private static long integer(JsonNode patch, String field, long current, long min, long max) {
        if (!patch.has(field)) {
            return current;
        }
        var node = patch.get(field);
        if (!node.isIntegralNumber() || node.asLong() < min || node.asLong() > max) {
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

    public static MonitorSettings fromJson(JsonNode stored) {
        return defaults().with(stored);
    }
}
