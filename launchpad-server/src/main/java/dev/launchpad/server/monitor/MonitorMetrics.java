package dev.launchpad.server.monitor;

import dev.launchpad.platform.monitor.CheckResult;
import dev.launchpad.platform.monitor.MonitorService;
import dev.launchpad.platform.monitor.PredictionIngestor;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Monitoring on {@code /metrics}: the latest drift score per feature, data-quality counts, live (or
 * estimated) performance, each check's status, and the prediction logger's own counters (observations
 * accepted and dropped), so that Grafana dashboards and Prometheus alerting can use them.
 */
final class MonitorMetrics {
    private final MeterRegistry registry;
    private final Map<String, AtomicReference<Double>> values = new ConcurrentHashMap<>();

    MonitorMetrics(MeterRegistry registry, PredictionIngestor ingestor) {
        this.registry = registry;
        FunctionCounter.builder("launchpad_monitor_observations_accepted", ingestor, i -> i.stats().accepted())
                .description("Served requests handed to prediction logging").register(registry);
        FunctionCounter.builder("launchpad_monitor_observations_dropped", ingestor, i -> i.stats().dropped())
                .description("Served requests not logged because the monitoring queue was full").register(registry);
        FunctionCounter.builder("launchpad_monitor_predictions_dropped", ingestor, i -> i.stats().droppedPredictions())
                .description("Prediction rows not kept for feedback (per-window limit)").register(registry);
        FunctionCounter.builder("launchpad_monitor_flush_failures", ingestor, i -> i.stats().flushFailures())
                .description("Failed (and retried) window flushes").register(registry);
        FunctionCounter.builder("launchpad_monitor_parts_flushed", ingestor, i -> i.stats().flushedParts())
                .description("Window parts written to the database").register(registry);
        FunctionCounter.builder("launchpad_monitor_payloads_unprofiled", ingestor, i -> i.stats().unprofiled())
                .description("Answered requests counted but not profiled: their payloads would have taken the waiting"
                        + " payloads past the memory budget").register(registry);
        FunctionCounter.builder("launchpad_monitor_parts_abandoned", ingestor, i -> i.stats().abandonedParts())
                .description("Window parts given up after failing to be stored for the retry period").register(registry);
        Gauge.builder("launchpad_monitor_queue_depth", ingestor, i -> i.stats().queueDepth())
                .description("Served requests waiting to be profiled").register(registry);
    }

    private void set(String name, String description, Tags tags, double value) {
        var key = name + tags;
        values.computeIfAbsent(key, k -> {
            var ref = new AtomicReference<>(Double.NaN);
            Gauge.builder(name, ref, r -> r.get()).description(description).tags(tags).register(registry);
            return ref;
        }).set(value);
    }

    /** Records a run's results. */
    void update(String deployment, List<MonitorService.StoredResult> results) {
        for (var stored : results) {
            var r = stored.result();
            set("launchpad_monitor_check_breached", "1 when the check's latest run breached, 0 when ok, NaN without data",
                    Tags.of("deployment", deployment, "check", r.check()),
                    r.status() == CheckResult.Status.NO_DATA ? Double.NaN : r.status() == CheckResult.Status.BREACH ? 1 : 0);
            switch (r.check()) {
                case "feature_drift", "prediction_drift" -> r.details().path("features").forEach(f -> {
                    var tags = Tags.of("deployment", deployment, "feature", f.path("feature").asText(), "method",
                            f.path("method").asText(), "kind", r.check());
                    set("launchpad_monitor_drift_score", "Latest drift score (p-value or distance, see method) per feature",
                            tags, f.path("score").isNumber() ? f.path("score").asDouble() : Double.NaN);
                    set("launchpad_monitor_drift_detected", "1 when the feature drifted in the latest check", tags,
                            f.path("drift").asBoolean() ? 1 : 0);
                });
                case "data_quality" -> r.details().path("features").forEach(f -> {
                    var feature = f.path("feature").asText();
                    for (var kind : List.of("nulls", "out_of_range", "unseen")) {
                        if (f.has(kind)) {
                            set("launchpad_monitor_data_quality_issues", "Data-quality issues in the latest checked span",
                                    Tags.of("deployment", deployment, "feature", feature, "kind", kind), f.path(kind).asDouble());
                        }
                    }
                });
                case "performance" -> {
                    if (r.metric() != null) {
                        set("launchpad_monitor_performance", "Latest live (or CBPE-estimated) performance metric",
                                Tags.of("deployment", deployment, "metric", r.details().path("metric").asText(), "estimated",
                                        Boolean.toString(r.details().path("estimated").asBoolean())), r.metric());
                    }
                }
                case "latency" -> {
                    if (r.metric() != null) {
                        set("launchpad_monitor_latency_p99_ms", "p99 latency of the latest checked span",
                                Tags.of("deployment", deployment), r.metric());
                    }
                }
                case "error_rate" -> {
                    if (r.metric() != null) {
                        set("launchpad_monitor_error_rate", "Server-side error rate of the latest checked span",
                                Tags.of("deployment", deployment), r.metric());
                    }
                }
                default -> {
                }
            }
        }
    }
}
