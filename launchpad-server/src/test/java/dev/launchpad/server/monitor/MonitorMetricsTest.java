package dev.launchpad.server.monitor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.monitor.CheckResult;
import dev.launchpad.platform.monitor.MonitorService;
import dev.launchpad.platform.monitor.PredictionIngestor;
import dev.launchpad.platform.monitor.WindowStore;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.TestDatabases;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The monitoring gauges follow each deployment's newest run, and go with the deployment. */
class MonitorMetricsTest {
    private static final long MINUTE = 60_000;

    private static ObjectNode features(Map<?, ?>... rows) {
        var details = Json.mapper().createObjectNode();
        var array = details.putArray("features");
        for (var row : rows) {
            array.add(Json.mapper().valueToTree(row));
        }
        return details;
    }

    private static Map<String, Object> drift(String feature, double score, boolean drifted) {
        return Map.of("feature", feature, "method", "ks", "score", score, "threshold", 0.05, "drift", drifted);
    }

    /** A result of the span that ends at minute {@code minute}. */
    private static MonitorService.StoredResult result(int minute, String deployment, String check,
                                                      CheckResult.Status status, Double metric, ObjectNode details) {
        return new MonitorService.StoredResult(1, deployment, (minute - 1) * MINUTE, minute * MINUTE,
                new CheckResult(check, status, metric, null, List.of(), details), minute * MINUTE);
    }

    private static Double gauge(PrometheusMeterRegistry registry, String name, String... tags) {
        var gauge = registry.find(name).tags(tags).gauge();
        return gauge == null ? null : gauge.value();
    }

    @Test
    void featureNamesThatPrintAlikeGetOneSeriesBetweenThem() {
        // unpaired surrogates cannot be written as UTF-8: two names that differ only there would print as the same
        // series, which Prometheus refuses as duplicates
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (var db = Database.open(TestDatabases.newSqliteUrl());
             var ingestor = new PredictionIngestor(new WindowStore(db), Clock.systemUTC(),
                     PredictionIngestor.Config.defaults())) {
            var metrics = new MonitorMetrics(registry, ingestor);
            metrics.update("d", List.of(result(1, "d", "feature_drift", CheckResult.Status.BREACH, 0.0,
                    features(drift("x\ud800", 0.01, true), drift("x\udc00", 0.5, false), drift("x?", 0.4, false),
                            drift("x\ufffd", 0.3, false), drift("ok\ud83d\ude00", 0.2, false)))));
            var scraped = registry.scrape();
            var series = scraped.lines().filter(l -> l.startsWith("launchpad_monitor_drift_score{"))
                    .map(l -> l.substring(0, l.lastIndexOf(' '))).toList();
            assertThat(series).doesNotHaveDuplicates().hasSize(3);
            // the first of the names that print alike keeps the series, under the name as it prints (U+FFFD for the
            // unpaired surrogate); a well-formed pair stays as it is
            assertThat(gauge(registry, "launchpad_monitor_drift_score", "feature", "x\ufffd")).isEqualTo(0.01);
            assertThat(gauge(registry, "launchpad_monitor_drift_score", "feature", "x?")).isEqualTo(0.4);
            assertThat(gauge(registry, "launchpad_monitor_drift_score", "feature", "ok\ud83d\ude00")).isEqualTo(0.2);
            assertThat(gauge(registry, "launchpad_monitor_features_not_exported", "check", "feature_drift"))
                    .isEqualTo(2.0);
        }
    }

    @Test
    void featuresNamedByRequestsCannotMultiplyTheSeries() {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (var db = Database.open(TestDatabases.newSqliteUrl());
             var ingestor = new PredictionIngestor(new WindowStore(db), Clock.systemUTC(),
                     PredictionIngestor.Config.defaults())) {
            var metrics = new MonitorMetrics(registry, ingestor);
            int many = MonitorMetrics.MAX_FEATURE_SERIES + 500;
            var quality = new ArrayList<Map<?, ?>>();
            var drifts = new ArrayList<Map<?, ?>>();
            quality.add(Map.of("feature", "amount", "nulls", 2));
            quality.add(Map.of("feature", "sent-by-a-client", "nulls", 5, "in_baseline", false));
            for (int f = 0; f < many; f++) {
                drifts.add(drift("f" + f, 0.5, f == many - 1)); // the one drifted comes last
            }
            metrics.update("d", List.of(
                    result(1, "d", "data_quality", CheckResult.Status.OK, 7.0, features(quality.toArray(Map[]::new))),
                    result(1, "d", "feature_drift", CheckResult.Status.BREACH, 0.0, features(drifts.toArray(Map[]::new)))));
            // the baseline's feature has its series; one the requests named is only counted
            assertThat(gauge(registry, "launchpad_monitor_data_quality_issues", "feature", "amount")).isEqualTo(2.0);
            assertThat(gauge(registry, "launchpad_monitor_data_quality_issues", "feature", "sent-by-a-client")).isNull();
            assertThat(gauge(registry, "launchpad_monitor_features_not_exported", "check", "data_quality")).isEqualTo(1.0);
            // drift: a thousand features at most, the drifted one among them
            assertThat(registry.find("launchpad_monitor_drift_score").gauges()).hasSize(MonitorMetrics.MAX_FEATURE_SERIES);
            assertThat(gauge(registry, "launchpad_monitor_drift_detected", "feature", "f" + (many - 1))).isEqualTo(1.0);
            assertThat(gauge(registry, "launchpad_monitor_features_not_exported", "check", "feature_drift"))
                    .isEqualTo(500.0);
        }
    }

    @Test
    void seriesTheNewestRunDoesNotReportGoAndAQuietCheckReadsNaN() {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (var db = Database.open(TestDatabases.newSqliteUrl());
             var ingestor = new PredictionIngestor(new WindowStore(db), Clock.systemUTC(),
                     PredictionIngestor.Config.defaults())) {
            var metrics = new MonitorMetrics(registry, ingestor);
            var estimated = Json.mapper().createObjectNode().put("metric", "accuracy").put("estimated", true);
            metrics.update("d", List.of(
                    result(1, "d", "feature_drift", CheckResult.Status.BREACH, 0.5,
                            features(drift("x", 0.001, true), drift("y", 0.4, false))),
                    result(1, "d", "data_quality", CheckResult.Status.OK, 3.0,
                            features(Map.of("feature", "x", "nulls", 3, "out_of_range", 0))),
                    result(1, "d", "performance", CheckResult.Status.OK, 0.8, estimated),
                    result(1, "d", "latency", CheckResult.Status.OK, 12.0, Json.mapper().createObjectNode())));
            assertThat(gauge(registry, "launchpad_monitor_drift_score", "deployment", "d", "feature", "y"))
                    .isEqualTo(0.4);
            assertThat(gauge(registry, "launchpad_monitor_data_quality_issues", "feature", "x", "kind", "nulls"))
                    .isEqualTo(3.0);
            assertThat(gauge(registry, "launchpad_monitor_performance", "estimated", "true")).isEqualTo(0.8);
            assertThat(gauge(registry, "launchpad_monitor_latency_p99_ms", "deployment", "d")).isEqualTo(12.0);
            assertThat(gauge(registry, "launchpad_monitor_check_breached", "check", "feature_drift")).isEqualTo(1.0);

            // the next span: the model lost y, x's data-quality row is gone, live accuracy replaced the estimate,
            // and there were no requests for the latency check
            var live = Json.mapper().createObjectNode().put("metric", "accuracy").put("estimated", false);
            metrics.update("d", List.of(
                    result(2, "d", "feature_drift", CheckResult.Status.OK, 0.0, features(drift("x", 0.3, false))),
                    result(2, "d", "data_quality", CheckResult.Status.OK, 0.0,
                            features(Map.of("feature", "z", "nulls", 0))),
                    result(2, "d", "performance", CheckResult.Status.OK, 0.9, live),
                    result(2, "d", "latency", CheckResult.Status.NO_DATA, null, Json.mapper().createObjectNode())));
            assertThat(gauge(registry, "launchpad_monitor_drift_score", "deployment", "d", "feature", "x"))
                    .isEqualTo(0.3);
            assertThat(gauge(registry, "launchpad_monitor_drift_score", "feature", "y")).isNull();
            assertThat(gauge(registry, "launchpad_monitor_drift_detected", "feature", "y")).isNull();
            assertThat(gauge(registry, "launchpad_monitor_data_quality_issues", "feature", "x", "kind", "nulls"))
                    .isNull();
            assertThat(gauge(registry, "launchpad_monitor_data_quality_issues", "feature", "z", "kind", "nulls"))
                    .isEqualTo(0.0);
            assertThat(gauge(registry, "launchpad_monitor_performance", "estimated", "true")).isNull();
            assertThat(gauge(registry, "launchpad_monitor_performance", "estimated", "false")).isEqualTo(0.9);
            assertThat(gauge(registry, "launchpad_monitor_latency_p99_ms", "deployment", "d")).isNaN();
            assertThat(gauge(registry, "launchpad_monitor_check_breached", "check", "latency")).isNaN();
            assertThat(gauge(registry, "launchpad_monitor_check_breached", "check", "feature_drift")).isEqualTo(0.0);
            assertThat(registry.scrape()).doesNotContain("feature=\"y\"").contains("feature=\"z\"");

            // a run over an older span (asked for through the API) changes nothing
            metrics.update("d", List.of(result(1, "d", "feature_drift", CheckResult.Status.BREACH, 0.5,
                    features(drift("y", 0.01, true)))));
            assertThat(gauge(registry, "launchpad_monitor_drift_score", "feature", "y")).isNull();
            assertThat(gauge(registry, "launchpad_monitor_drift_score", "feature", "x")).isEqualTo(0.3);

            // a quiet span: the drift and data-quality series stay, reading NaN; then y comes back, a new series
            metrics.update("d", List.of(
                    result(3, "d", "feature_drift", CheckResult.Status.NO_DATA, null, Json.mapper().createObjectNode()),
                    result(3, "d", "data_quality", CheckResult.Status.NO_DATA, null,
                            Json.mapper().createObjectNode())));
            assertThat(gauge(registry, "launchpad_monitor_drift_score", "feature", "x")).isNaN();
            assertThat(gauge(registry, "launchpad_monitor_drift_detected", "feature", "x")).isNaN();
            assertThat(gauge(registry, "launchpad_monitor_data_quality_issues", "feature", "z", "kind", "nulls"))
                    .isNaN();
            metrics.update("d", List.of(result(4, "d", "feature_drift", CheckResult.Status.BREACH, 0.5,
                    features(drift("x", 0.2, false), drift("y", 0.02, true)))));
            assertThat(gauge(registry, "launchpad_monitor_drift_score", "feature", "y")).isEqualTo(0.02);
            assertThat(registry.scrape()).contains("launchpad_monitor_drift_score{deployment=\"d\",feature=\"y\"");

            // another deployment's run leaves d alone; once d is deleted, its series go, and come back with a new d
            metrics.update("e", List.of(result(4, "e", "latency", CheckResult.Status.OK, 5.0,
                    Json.mapper().createObjectNode())));
            assertThat(gauge(registry, "launchpad_monitor_drift_score", "feature", "x")).isEqualTo(0.2);
            metrics.retain(new MonitorService.DeploymentList(Set.of("e"), System.nanoTime()));
            var left = new ArrayList<String>();
            registry.getMeters().forEach(m -> {
                if (m.getId().getTag("deployment") != null) {
                    left.add(m.getId().getTag("deployment"));
                }
            });
            assertThat(left).containsOnly("e").isNotEmpty();
            assertThat(gauge(registry, "launchpad_monitor_latency_p99_ms", "deployment", "e")).isEqualTo(5.0);
            assertThat(registry.scrape()).doesNotContain("deployment=\"d\"");
            metrics.update("d", List.of(result(1, "d", "feature_drift", CheckResult.Status.OK, 0.0,
                    features(drift("w", 0.7, false)))));
            assertThat(gauge(registry, "launchpad_monitor_drift_score", "deployment", "d", "feature", "w"))
                    .isEqualTo(0.7);
            assertThat(registry.scrape()).contains("feature=\"w\"");
        }
    }

    @Test
    void aDeploymentCheckedAfterTheListWasReadKeepsItsSeriesUntilAListLacksIt() {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (var db = Database.open(TestDatabases.newSqliteUrl());
             var ingestor = new PredictionIngestor(new WindowStore(db), Clock.systemUTC(),
                     PredictionIngestor.Config.defaults())) {
            var metrics = new MonitorMetrics(registry, ingestor);
            metrics.update("d", List.of(result(1, "d", "latency", CheckResult.Status.OK, 4.0,
                    Json.mapper().createObjectNode())));
            // the scheduler reads the list; meanwhile f is created and checked through the API
            var listed = new MonitorService.DeploymentList(Set.of("d"), System.nanoTime());
            metrics.update("f", List.of(result(1, "f", "latency", CheckResult.Status.OK, 5.0,
                    Json.mapper().createObjectNode())));
            metrics.retain(listed);
            assertThat(gauge(registry, "launchpad_monitor_latency_p99_ms", "deployment", "f")).isEqualTo(5.0);
            assertThat(registry.find("launchpad_monitor_payload_log_failures").functionCounter()).isNotNull();
            assertThat(gauge(registry, "launchpad_monitor_latency_p99_ms", "deployment", "d")).isEqualTo(4.0);

            // a list read after f's run that lacks f (deleted): its series go; d's stay
            metrics.retain(new MonitorService.DeploymentList(Set.of("d"), System.nanoTime()));
            assertThat(gauge(registry, "launchpad_monitor_latency_p99_ms", "deployment", "f")).isNull();
            assertThat(gauge(registry, "launchpad_monitor_latency_p99_ms", "deployment", "d")).isEqualTo(4.0);
        }
    }

    @Test
    void breachedResultsHeardAgainLeaveTheRunsOtherSeriesAlone() {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (var db = Database.open(TestDatabases.newSqliteUrl());
             var ingestor = new PredictionIngestor(new WindowStore(db), Clock.systemUTC(),
                     PredictionIngestor.Config.defaults())) {
            var metrics = new MonitorMetrics(registry, ingestor);
            var breach = result(2, "d", "feature_drift", CheckResult.Status.BREACH, 1.0, features(drift("x", 0.001, true)));
            metrics.heard("d", List.of(breach,
                    result(2, "d", "latency", CheckResult.Status.OK, 12.0, Json.mapper().createObjectNode()),
                    result(2, "d", "error_rate", CheckResult.Status.OK, 0.0, Json.mapper().createObjectNode())), false);
            assertThat(gauge(registry, "launchpad_monitor_last_span_end_seconds", "deployment", "d"))
                    .isEqualTo(2 * MINUTE / 1000.0);
            assertThat(gauge(registry, "launchpad_monitor_drift_threshold", "feature", "x")).isEqualTo(0.05);
            assertThat(registry.scrape()).contains("launchpad_monitor_payload_log_failures_total",
                    "launchpad_monitor_observations_dropped_total");

            // the alert listener had failed on the breach: it is announced again, alone, a minute later
            metrics.heard("d", List.of(breach), true);
            assertThat(gauge(registry, "launchpad_monitor_latency_p99_ms", "deployment", "d")).isEqualTo(12.0);
            assertThat(gauge(registry, "launchpad_monitor_check_breached", "check", "error_rate")).isEqualTo(0.0);
            assertThat(gauge(registry, "launchpad_monitor_drift_detected", "feature", "x")).isEqualTo(1.0);

            // monitoring switched off: the next scheduler pass lists d no more, and its series go
            metrics.retain(new MonitorService.DeploymentList(Set.of(), System.nanoTime()));
            assertThat(registry.scrape()).doesNotContain("deployment=\"d\"");
        }
    }
}
