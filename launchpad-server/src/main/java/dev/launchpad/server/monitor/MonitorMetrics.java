package dev.launchpad.server.monitor;

import dev.launchpad.platform.monitor.CheckResult;
import dev.launchpad.platform.monitor.MonitorService;
import dev.launchpad.platform.monitor.PredictionIngestor;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Monitoring on {@code /metrics}: the latest drift score per feature, data-quality counts, live (or
 * estimated) performance, each check's status, and the prediction logger's own counters (observations
 * accepted and dropped), so that Grafana dashboards and Prometheus alerting can use them.
 *
 * <p>A deployment's series say what the run over its newest span said (a run over an older span, such as one
 * asked for through the API, leaves them alone): one that run did not report (a feature the model no longer
 * has, a data-quality issue that is gone, an estimate replaced by live accuracy) is removed, except that the
 * series of a check that had no data this time read NaN. Breached results announced again (a listener had failed on
 * them) are only part of a run, and change nothing here. The series of a deployment that was deleted, or whose
 * monitoring was switched off, are removed. {@code launchpad_monitor_last_span_end_seconds} says when the span the
 * series describe ended, so that a replica's series that another replica's runs have taken over from show as stale.
 */
final class MonitorMetrics {
    /**
     * Per-feature series of one check of a deployment, at most: feature names can come from the requests (a model
     * without a signature names its columns after the payload's), and each is a series of its own.
     */
    static final int MAX_FEATURE_SERIES = 1_000;
    private final MeterRegistry registry;
    private final Map<String, Series> series = new HashMap<>(); // guarded by this
    private final Map<String, Recorded> recorded = new HashMap<>(); // by deployment; guarded by this

    /** A deployment's last recorded run: the end of its span, and when it was recorded ({@code System.nanoTime()}). */
    private record Recorded(long spanEnd, long at) {
    }

    /** One gauge: the deployment and check it belongs to, and its value. */
    private record Series(String deployment, String check, Meter meter, AtomicReference<Double> value) {
    }

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
        FunctionCounter.builder("launchpad_monitor_payloads_undecodable", ingestor, i -> i.stats().decodeFailures())
                .description("Answered requests counted but not profiled: their payloads could not be read as features")
                .register(registry);
        FunctionCounter.builder("launchpad_monitor_parts_abandoned", ingestor, i -> i.stats().abandonedParts())
                .description("Window parts given up: failing to be stored for the retry period, or the oldest waiting"
                        + " while the database was down and the waiting parts held too much memory").register(registry);
        Gauge.builder("launchpad_monitor_parts_waiting_bytes", ingestor, i -> i.stats().waitingBytes())
                .description("About how much memory the window parts not yet stored hold")
                .register(registry);
        FunctionCounter.builder("launchpad_monitor_payload_log_failures", ingestor, i -> i.stats().payloadLogFailures())
                .description("Requests the payload log could not write (its directory or disk failing)").register(registry);
        Gauge.builder("launchpad_monitor_queue_depth", ingestor, i -> i.stats().queueDepth())
                .description("Served requests waiting to be profiled").register(registry);
    }

    private void set(Set<String> reported, String deployment, String check, String name, String description, Tags tags,
                     double value) {
        var key = name + tags;
        reported.add(key);
        series.computeIfAbsent(key, k -> {
            var ref = new AtomicReference<>(Double.NaN);
            var gauge = Gauge.builder(name, ref, r -> r.get()).description(description).tags(tags).register(registry);
            return new Series(deployment, check, gauge, ref);
        }).value().set(value);
    }

    /** A feature's row of a check's result, with its name as a label value can show it. */
    private record Exported(String feature, com.fasterxml.jackson.databind.JsonNode row) {
    }

    /**
     * The features of a check's result that get series: for data quality only those of the baseline (where there is
     * one), and {@link #MAX_FEATURE_SERIES} at most, the drifted ones, or those with the most issues, first; how many
     * were left out is a series of its own. So are the names that a label prints like an earlier one's: an unpaired
     * surrogate cannot be written as UTF-8, so it is shown as U+FFFD, and two names that differ only there (or from a
     * name with U+FFFD in its place) would be one series twice, which Prometheus refuses.
     */
    private List<Exported> exported(String deployment, Set<String> reported, CheckResult r) {
        var rows = new java.util.ArrayList<com.fasterxml.jackson.databind.JsonNode>();
        r.details().path("features").forEach(f -> {
            if (f.path("in_baseline").asBoolean(true)) {
                rows.add(f);
            }
        });
        int all = r.details().path("features").size();
        if (rows.size() > MAX_FEATURE_SERIES) {
            var breached = new HashSet<>(r.features());
            rows.sort(java.util.Comparator.comparingDouble((com.fasterxml.jackson.databind.JsonNode row) ->
                    severity(row, breached)).reversed());
            rows.subList(MAX_FEATURE_SERIES, rows.size()).clear();
        }
        var out = new java.util.ArrayList<Exported>(rows.size());
        var shown = new HashSet<String>();
        for (var row : rows) {
            var name = printable(row.path("feature").asText());
            if (shown.add(name)) {
                out.add(new Exported(name, row));
            }
        }
        set(reported, deployment, r.check(), "launchpad_monitor_features_not_exported",
                "Features of the latest check without series of their own: not in the baseline (data quality), past "
                        + MAX_FEATURE_SERIES + " per check, or named as an earlier one prints",
                Tags.of("deployment", deployment, "check", r.check()),
                r.status() == CheckResult.Status.NO_DATA ? Double.NaN : all - out.size());
        return out;
    }

    /** {@code text} with each unpaired surrogate replaced by U+FFFD: what a label value can show. */
    static String printable(String text) {
        var out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i)); // a pair: one character
            } else {
                out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }

    /** What puts a feature's row first: drifting or breaching the check, then its data-quality issues. */
    private static double severity(com.fasterxml.jackson.databind.JsonNode row, Set<String> breached) {
        double issues = row.path("nulls").asDouble(0) + row.path("out_of_range").asDouble(0) + row.path("unseen").asDouble(0);
        boolean first = row.path("drift").asBoolean() || breached.contains(row.path("feature").asText());
        return (first ? 1e18 : 0) + issues;
    }

    /** Hears a run's results; results announced again are only the breached part of a run, and are passed over. */
    void heard(String deployment, List<MonitorService.StoredResult> results, boolean again) {
        if (!again) {
            update(deployment, results);
        }
    }

    /**
     * Removes the series of deployments that no longer exist or are no longer monitored: those the list lacks, unless a run of theirs was
     * recorded after the list was read (a deployment created since then; if it has been deleted too, the next list
     * removes it).
     */
    synchronized void retain(MonitorService.DeploymentList listed) {
        var gone = new HashSet<String>();
        recorded.forEach((deployment, last) -> {
            if (!listed.names().contains(deployment) && last.at() - listed.listedAt() < 0) {
                gone.add(deployment);
            }
        });
        if (gone.isEmpty()) {
            return;
        }
        for (var it = series.values().iterator(); it.hasNext(); ) {
            var s = it.next();
            if (gone.contains(s.deployment())) {
                registry.remove(s.meter());
                it.remove();
            }
        }
        recorded.keySet().removeAll(gone);
    }

    /** Records a run's results, unless they are of a span older than the newest one recorded. */
    synchronized void update(String deployment, List<MonitorService.StoredResult> results) {
        if (results.isEmpty()) {
            return;
        }
        long spanEnd = results.stream().mapToLong(MonitorService.StoredResult::to).max().orElseThrow();
        var last = recorded.get(deployment);
        if (last != null && spanEnd < last.spanEnd()) {
            return;
        }
        recorded.put(deployment, new Recorded(spanEnd, System.nanoTime()));
        var reported = new HashSet<String>();
        var noData = new HashSet<String>();
        Tags byDeployment = Tags.of("deployment", deployment);
        set(reported, deployment, "", "launchpad_monitor_last_span_end_seconds",
                "End of the latest checked span (unix seconds) that this replica's series describe", byDeployment,
                spanEnd / 1000.0);
        for (var stored : results) {
            var r = stored.result();
            if (r.status() == CheckResult.Status.NO_DATA) {
                noData.add(r.check());
            }
            set(reported, deployment, r.check(), "launchpad_monitor_check_breached",
                    "1 when the check's latest run breached, 0 when ok, NaN without data",
                    byDeployment.and("check", r.check()), r.status() == CheckResult.Status.NO_DATA ? Double.NaN
                            : r.status() == CheckResult.Status.BREACH ? 1 : 0);
            switch (r.check()) {
                case "feature_drift", "prediction_drift" -> exported(deployment, reported, r).forEach(e -> {
                    var f = e.row();
                    var tags = byDeployment.and("feature", e.feature(), "method", f.path("method").asText(), "kind",
                            r.check());
                    set(reported, deployment, r.check(), "launchpad_monitor_drift_score",
                            "Latest drift score (p-value or distance, see method) per feature", tags,
                            f.path("score").isNumber() ? f.path("score").asDouble() : Double.NaN);
                    set(reported, deployment, r.check(), "launchpad_monitor_drift_threshold",
                            "The threshold the drift score was compared with (drift below it for p-values, above it for"
                                    + " distances)", tags,
                            f.path("threshold").isNumber() ? f.path("threshold").asDouble() : Double.NaN);
                    set(reported, deployment, r.check(), "launchpad_monitor_drift_detected",
                            "1 when the feature drifted in the latest check", tags, f.path("drift").asBoolean() ? 1 : 0);
                });
                case "data_quality" -> exported(deployment, reported, r).forEach(e -> {
                    var f = e.row();
                    var feature = e.feature();
                    for (var kind : List.of("nulls", "out_of_range", "unseen")) {
                        if (f.has(kind)) {
                            set(reported, deployment, r.check(), "launchpad_monitor_data_quality_issues",
                                    "Data-quality issues in the latest checked span",
                                    byDeployment.and("feature", feature, "kind", kind), f.path(kind).asDouble());
                        }
                    }
                });
                case "performance" -> {
                    if (r.metric() != null) {
                        set(reported, deployment, r.check(), "launchpad_monitor_performance",
                                "Latest live (or CBPE-estimated) performance metric",
                                byDeployment.and("metric", r.details().path("metric").asText(), "estimated",
                                        Boolean.toString(r.details().path("estimated").asBoolean())), r.metric());
                    }
                }
                case "latency" -> {
                    if (r.metric() != null) {
                        set(reported, deployment, r.check(), "launchpad_monitor_latency_p99_ms",
                                "p99 latency of the latest checked span", byDeployment, r.metric());
                    }
                }
                case "error_rate" -> {
                    if (r.metric() != null) {
                        set(reported, deployment, r.check(), "launchpad_monitor_error_rate",
                                "Server-side error rate of the latest checked span", byDeployment, r.metric());
                    }
                }
                default -> {
                }
            }
        }
        // what the run did not report: NaN where its check had no data this time, else gone
        for (var it = series.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            var s = entry.getValue();
            if (!s.deployment().equals(deployment) || reported.contains(entry.getKey())) {
                continue;
            }
            if (noData.contains(s.check())) {
                s.value().set(Double.NaN);
            } else {
                registry.remove(s.meter());
                it.remove();
            }
        }
    }
}
