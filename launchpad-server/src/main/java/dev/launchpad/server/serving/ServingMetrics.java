package dev.launchpad.server.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
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

    /**
     * The meters of one deployment serving one model version. Scopes of the same deployment and version (a reload
     * with new batching settings, a deployment deleted and created again while a request still holds the old one)
     * share their series, which the last of them to {@link Scope#close() close} removes; the queue depth is read
     * from the newest.
     */
    public Scope scope(String deployment, String model, int version, IntSupplier queueDepth) {
        return new Scope(deployment, model, Integer.toString(version), queueDepth);
    }

    /** The series of one (deployment, model, version), and how many open scopes use them. */
    private final class Series {
        private final String[] tags;
        private final Timer latency;
        private final DistributionSummary batchSize;
        private final Gauge queueDepthGauge;
        private final Map<String, Counter> counters = new ConcurrentHashMap<>();
        private volatile IntSupplier queueDepth;
        private int scopes; // guarded by ServingMetrics.this

        private Series(String[] tags, IntSupplier queueDepth) {
            this.tags = tags;
            this.queueDepth = queueDepth;
            latency = Timer.builder("launchpad_inference_request_duration")
                    .description("Time from receiving an inference request to having its answer")
                    .tags(tags).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1).dividedBy(10))
                    .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
            batchSize = DistributionSummary.builder("launchpad_inference_batch_size")
                    .description("Rows per model call formed by the dynamic batcher").baseUnit("rows")
                    .tags(tags).serviceLevelObjectives(BATCH_BUCKETS).register(registry);
            // held strongly: a gauge keeps only a weak reference to what it reads by default, and nothing else
            // holds this series, so the gauge would read NaN after the next garbage collection
            queueDepthGauge = Gauge.builder("launchpad_inference_queue_depth", this, s -> s.queueDepth.getAsInt())
                    .description("Requests waiting for the model").tags(tags).strongReference(true).register(registry);
        }

        private Counter counter(String protocol, String outcome) {
            return counters.computeIfAbsent(protocol + " " + outcome, key -> Counter.builder("launchpad_inference_requests")
                    .description("Inference requests answered, by protocol and outcome (ok, client_error,"
                            + " overloaded, error)")
                    .tags(tags).tag("protocol", protocol).tag("outcome", outcome).register(registry));
        }

        private void remove() {
            registry.remove(latency);
            registry.remove(batchSize);
            registry.remove(queueDepthGauge);
            counters.values().forEach(registry::remove);
        }
    }

    private final Map<List<String>, Series> series = new java.util.HashMap<>(); // guarded by this

    /** One (deployment, model version)'s meters. */
    public final class Scope implements AutoCloseable {
        private final List<String> key;
        private final Series shared;
        private boolean closed; // guarded by ServingMetrics.this

        private Scope(String deployment, String model, String version, IntSupplier queueDepth) {
            var tags = new String[] {"deployment", deployment, "model", model, "version", version};
            key = List.of(tags);
            synchronized (ServingMetrics.this) {
                var s = series.get(key);
                if (s == null) {
                    s = new Series(tags, queueDepth);
                    series.put(key, s);
                }
                s.queueDepth = queueDepth;
                s.scopes++;
                shared = s;
            }
        }

        /** One answered request: its protocol ({@code oip}, {@code mlflow}, {@code grpc}) and outcome. */
        public void request(String protocol, String outcome, long nanos) {
            shared.counter(protocol, outcome).increment();
            shared.latency.record(nanos, TimeUnit.NANOSECONDS);
        }

        /** One model call of {@code rows} rows. */
        public void batch(int rows) {
            shared.batchSize.record(rows);
        }

        @Override
        public void close() {
            synchronized (ServingMetrics.this) {
                if (closed) {
                    return;
                }
                closed = true;
                if (--shared.scopes == 0) {
                    series.remove(key);
                    shared.remove();
                }
            }
        }
    }
}
