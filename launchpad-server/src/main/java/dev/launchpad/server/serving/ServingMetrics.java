package dev.launchpad.server.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The serving metrics Prometheus scrapes at {@code /metrics}: requests and errors, latency and batch
 * size histograms, and queue depth, each labelled with the deployment and the model version serving it.
 */
public final class ServingMetrics {
    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /** The registry behind {@code /metrics}, for other parts (monitoring) to register their meters in. */
    public io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }

    /** The meters of one deployment serving one model version; {@link #close()} removes them. */
    public Scope scope(String deployment, String model, int version, IntSupplier queueDepth) {
        return new Scope(deployment, model, Integer.toString(version), queueDepth);
    }

    /** One (deployment, model version)'s meters. */
    public final class Scope implements AutoCloseable {
        private final String deployment;
        private final String model;
        private final String version;
        private final Timer latency;
        private final DistributionSummary batchSize;
        private final List<Meter> meters = new ArrayList<>();
        private final Map<String, Counter> counters = new ConcurrentHashMap<>();

        private Scope(String deployment, String model, String version, IntSupplier queueDepth) {
            this.deployment = deployment;
            this.model = model;
            this.version = version;
            latency = register(Timer.builder("launchpad_inference_request_duration")
                    .description("Time from receiving an inference request to having its answer")
                    .tags(tags()).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1).dividedBy(10))
                    .maximumExpectedValue(Duration.ofSeconds(10)).register(registry));
            batchSize = register(DistributionSummary.builder("launchpad_inference_batch_size")
                    .description("Rows per model call formed by the dynamic batcher").baseUnit("rows")
                    .tags(tags()).serviceLevelObjectives(BATCH_BUCKETS).register(registry));
            register(Gauge.builder("launchpad_inference_queue_depth", queueDepth, s -> s.getAsInt())
                    .description("Requests waiting for the model").tags(tags()).register(registry));
        }

        private String[] tags() {
            return new String[] {"deployment", deployment, "model", model, "version", version};
        }

        private <M extends Meter> M register(M meter) {
            meters.add(meter);
            return meter;
        }

        /** One answered request: its protocol ({@code oip}, {@code mlflow}, {@code grpc}) and outcome. */
        public void request(String protocol, String outcome, long nanos) {
            counters.computeIfAbsent(protocol + " " + outcome, key -> Counter.builder("launchpad_inference_requests")
                    .description("Inference requests answered, by protocol and outcome (ok, client_error,"
                            + " overloaded, error)")
                    .tags(tags()).tag("protocol", protocol).tag("outcome", outcome).register(registry)).increment();
            latency.record(nanos, TimeUnit.NANOSECONDS);
        }

        /** One model call of {@code rows} rows. */
        public void batch(int rows) {
            batchSize.record(rows);
        }

        @Override
        public void close() {
            meters.forEach(registry::remove);
            counters.values().forEach(registry::remove);
        }
    }
}
