package dev.launchpad.server.monitor;

import dev.launchpad.platform.deploy.DeploymentService;
import dev.launchpad.platform.monitor.Alerts;
import dev.launchpad.platform.monitor.Baselines;
import dev.launchpad.platform.monitor.Feedback;
import dev.launchpad.platform.monitor.MonitorService;
import dev.launchpad.platform.monitor.PayloadLog;
import dev.launchpad.platform.monitor.PredictionIngestor;
import dev.launchpad.platform.monitor.WindowStore;
import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.platform.store.Database;
import dev.launchpad.server.http.ApiRoute;
import dev.launchpad.server.serving.InferenceCalls;
import io.micrometer.core.instrument.MeterRegistry;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Production monitoring wired together: prediction logging from serving, baselines, feedback, the
 * scheduled monitors, alerts and webhooks, Prometheus gauges and the monitoring API. Closing it stops the
 * scheduler and webhooks and flushes every open window.
 */
public final class Monitoring implements AutoCloseable {
    /** Set to {@code off} to serve without prediction logging (for the on/off benchmark). */
    public static final String LOGGING_PROPERTY = "launchpad.monitoring";
    /** Set to a directory to keep the full payload log there (rolling hourly JSON-lines files). */
    public static final String PAYLOAD_LOG_PROPERTY = "launchpad.payload-log";
    /** System property: seconds between writes of the open windows (default 60; what a crash can lose). */
    public static final String FLUSH_SECONDS_PROPERTY = "launchpad.monitor.flush-seconds";
    /** System property: prediction rows kept for feedback per deployment, model version and minute (default 20 000). */
    public static final String PREDICTIONS_PER_MINUTE_PROPERTY = "launchpad.monitor.predictions-per-minute";

    private final PredictionIngestor ingestor;
    private final MonitorService monitors;
    private final dev.launchpad.platform.monitor.Webhooks webhooks;
    private final MonitorApi api;
    private final InferenceCalls calls;
    private final ServingMonitor servingMonitor;
    private boolean closed; // guarded by this

    private Monitoring(PredictionIngestor ingestor, MonitorService monitors, dev.launchpad.platform.monitor.Webhooks webhooks,
                       MonitorApi api, InferenceCalls calls, ServingMonitor servingMonitor) {
        this.ingestor = ingestor;
        this.monitors = monitors;
        this.webhooks = webhooks;
        this.api = api;
        this.calls = calls;
        this.servingMonitor = servingMonitor;
    }

    /** Starts monitoring: serving through {@code calls} is logged from now on, checks run in the background. */
    public static Monitoring start(Database database, Clock clock, DeploymentService deployments, RegistryService registry,
                                   MeterRegistry meters, Path home, InferenceCalls calls) {
        var store = new WindowStore(database);
        var config = ingestorConfig(System::getProperty);
        var ingestor = new PredictionIngestor(store, clock, config);
        var baselines = new Baselines(database, clock);
        var feedback = new Feedback(database, clock);
        var monitors = new MonitorService(database, clock, deployments, store, baselines, feedback, ingestor::flushNow);
        var alerts = new Alerts(database, clock);
        var webhooks = new dev.launchpad.platform.monitor.Webhooks(database, clock, Duration.ofSeconds(2));
        var metrics = new MonitorMetrics(meters, ingestor);
        monitors.addListener((deployment, results, again) -> alerts.onResults(deployment, results));
        monitors.addListener(metrics::heard);
        monitors.addDeploymentsListener(metrics::retain);
        var servingMonitor = new ServingMonitor(ingestor, clock);
        if (!"off".equals(System.getProperty(LOGGING_PROPERTY))) {
            calls.observer(servingMonitor);
        }
        monitors.start(Duration.ofSeconds(1));
        webhooks.start(Duration.ofMillis(500));
        var api = new MonitorApi(deployments, registry, store, baselines, feedback, monitors, alerts, webhooks, clock,
                home.resolve("uploads"));
        return new Monitoring(ingestor, monitors, webhooks, api, calls, servingMonitor);
    }

    /** The prediction logging settings the system properties ask for; a clear message for a value out of range. */
    static PredictionIngestor.Config ingestorConfig(java.util.function.UnaryOperator<String> properties) {
        var config = PredictionIngestor.Config.defaults();
        var flushSeconds = properties.apply(FLUSH_SECONDS_PROPERTY);
        if (flushSeconds != null && !flushSeconds.isBlank()) {
            int seconds = wholeNumber(flushSeconds, 1, 60,
                    "-D" + FLUSH_SECONDS_PROPERTY + " must be a whole number of seconds from 1 to 60");
            config = config.withFlushInterval(Duration.ofSeconds(seconds));
        }
        var perMinute = properties.apply(PREDICTIONS_PER_MINUTE_PROPERTY);
        if (perMinute != null && !perMinute.isBlank()) {
            config = config.withMaxPredictionsPerWindow(wholeNumber(perMinute, 0, 10_000_000,
                    "-D" + PREDICTIONS_PER_MINUTE_PROPERTY + " must be a whole number of rows from 0 to 10000000"));
        }
        var payloadDir = properties.apply(PAYLOAD_LOG_PROPERTY);
        if (payloadDir != null && !payloadDir.isBlank()) {
            config = config.withPayloadLog(new PayloadLog(Path.of(payloadDir), 48,
                    MonitorService.Retention.defaults().predictions()));
        }
        return config;
    }

    private static int wholeNumber(String text, int min, int max, String rule) {
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(rule + ", got '" + text + "'.");
    }

    public List<ApiRoute> routes() {
        return api.routes();
    }

    /**
     * Turns prediction logging on or off for requests that start from now on (the scheduled checks go on either way);
     * {@code -Dlaunchpad.monitoring=off} starts with it off. The on/off benchmark switches it between its slices, so
     * that both sides are served by the same JVM's compiled code. Nothing once monitoring is closed.
     */
    public synchronized void logging(boolean on) {
        if (!closed) {
            calls.observer(on ? servingMonitor : null);
        }
    }

    private synchronized void stopLogging() {
        closed = true;
        calls.observer(null);
    }

    public PredictionIngestor ingestor() {
        return ingestor;
    }

    public MonitorService monitors() {
        return monitors;
    }

    public dev.launchpad.platform.monitor.Webhooks webhooks() {
        return webhooks;
    }

    /** Stops logging without flushing (what kill -9 does to the open minute); for crash tests. */
    public void halt() {
        stopLogging();
        monitors.close();
        webhooks.close();
        ingestor.halt();
    }

    @Override
    public void close() {
        stopLogging();
        monitors.close();
        webhooks.close();
        ingestor.close();
    }
}
