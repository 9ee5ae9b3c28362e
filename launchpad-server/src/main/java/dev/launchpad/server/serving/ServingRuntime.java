package dev.launchpad.server.serving;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.deploy.BatchingSettings;
import dev.launchpad.platform.deploy.Deployment;
import dev.launchpad.platform.deploy.DeploymentService;
import dev.launchpad.platform.deploy.ModelFiles;
import dev.launchpad.platform.registry.ModelVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * The deployments being served in this process. Each has a current model version behind its batcher;
 * when its alias moves (checked every {@code pollInterval}) or it is retargeted, the new version is
 * loaded and warmed first, then swapped in atomically. Requests hold a lease on the version they
 * started with, and the old version is closed only when its last lease is returned, so a swap fails
 * no request.
 */
public final class ServingRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServingRuntime.class);

    /** Loads a model version's files into a served model with the given batching. */
    @FunctionalInterface
    public interface Loader {
        ServedModel load(ModelVersion version, Path directory, BatchingSettings batching, IntConsumer batchListener);
    }

    /** What a deployment is doing: LOADING (no version yet), READY, or FAILED (with the reason). */
    public enum State { LOADING, READY, FAILED, NOT_DEPLOYED }

    /** A deployment's serving state, the version it serves and the last problem, if any. */
    public record Status(State state, Integer servingVersion, String message) {
    }

    private final DeploymentService deployments;
    private final ModelFiles files;
    private final Loader loader;
    private final ServingMetrics metrics;
    private final Duration pollInterval;
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    private volatile Thread poller;
    private volatile boolean closed;

    public ServingRuntime(DeploymentService deployments, ModelFiles files, Loader loader, ServingMetrics metrics,
                          Duration pollInterval) {
        this.deployments = deployments;
        this.files = files;
        this.loader = loader;
        this.metrics = metrics;
        this.pollInterval = pollInterval;
    }

    /** Loads every stored deployment (a failure is kept in its status, not thrown) and starts following aliases. */
    public void start() {
        for (var d : deployments.list()) {
            try {
                deploy(d);
            } catch (RuntimeException e) {
                LOG.warn("Deployment {} could not be loaded: {}", d.name(), e.getMessage());
            }
        }
        startFollowing();
    }

    /** Starts following the aliases of what is deployed, without loading the stored deployments (single-model mode). */
    public void startFollowing() {
        poller = Thread.ofVirtual().name("launchpad-deployment-watch").start(this::watch);
    }

    /**
     * Serves {@code deployment} as it is now: loads the version it resolves to (or keeps the loaded one
     * when nothing changed) and swaps it in. On failure the previous version keeps serving and the
     * failure is thrown (and kept in the status).
     */
    public void deploy(Deployment deployment) {
        deploy(live.computeIfAbsent(deployment.name(), Live::new), deployment);
    }

    /**
     * Serves a deployment that exists only in this process ({@code launchpad serve}), as {@link #deploy} does; its
     * alias is followed as given, never looked up among the stored deployments.
     */
    public void deployStandalone(Deployment deployment) {
        var entry = live.computeIfAbsent(deployment.name(), Live::new);
        entry.stored = false;
        deploy(entry, deployment);
    }

    private void deploy(Live entry, Deployment deployment) {
        synchronized (entry) {
            if (entry.removed) {
                throw LaunchpadException.notFound("Deployment '" + deployment.name() + "' was deleted.");
            }
            if (entry.current.get() == null) {
                entry.deployment = deployment; // nothing serves yet: following this target is all there is
            }
            ModelVersion version;
            try {
                version = deployments.resolve(deployment);
            } catch (RuntimeException e) {
                entry.failure = e.getMessage();
                throw e;
            }
            var current = entry.current.get();
            if (current != null && current.version.version() == version.version()
                    && current.version.name().equals(version.name()) && current.batching.equals(deployment.batching())) {
                entry.failure = null;
                entry.deployment = deployment;
                return;
            }
            Loaded loaded;
            try {
                loaded = load(deployment, version);
            } catch (RuntimeException e) {
                entry.failure = "Cannot load " + version.uri() + ": " + e.getMessage();
                throw e;
            }
            entry.failure = null;
            entry.deployment = deployment;
            var previous = entry.current.getAndSet(loaded);
            // (undeploy takes this entry's lock too, so it cannot slip in between the check and the swap)
            if (previous != null) {
                LOG.info("Deployment {} swapped from {} to {}", deployment.name(), previous.version.uri(), version.uri());
                previous.retire();
            } else {
                LOG.info("Deployment {} serves {}", deployment.name(), version.uri());
            }
        }
    }

    private Loaded load(Deployment deployment, ModelVersion version) {
        Path dir = files.materialize(version);
        var holder = new AtomicReference<ServingMetrics.Scope>();
        var model = loader.load(version, dir, deployment.batching(), rows -> {
            var scope = holder.get();
            if (scope != null) {
                scope.batch(rows);
            }
        });
        var scope = metrics.scope(deployment.name(), version.name(), version.version(), model::queueDepth);
        holder.set(scope);
        return new Loaded(version, deployment.batching(), model, scope);
    }

    /** Stops serving a deployment; its model is closed once in-flight requests finish. */
    public void undeploy(String name) {
        var entry = live.remove(name);
        if (entry != null) {
            synchronized (entry) {
                entry.removed = true;
                var current = entry.current.getAndSet(null);
                if (current != null) {
                    current.retire();
                }
            }
        }
    }

    public Status status(String name) {
        var entry = live.get(name);
        if (entry == null) {
            return new Status(State.NOT_DEPLOYED, null, null);
        }
        var current = entry.current.get();
        if (current == null) {
            return new Status(entry.failure == null ? State.LOADING : State.FAILED, null, entry.failure);
        }
        return new Status(State.READY, current.version.version(), entry.failure);
    }

    /**
     * A lease on the version a deployment serves now; close it when the request is answered.
     * RESOURCE_DOES_NOT_EXIST for an unknown deployment, TEMPORARILY_UNAVAILABLE when none is loaded.
     */
    public Lease acquire(String name) {
        var entry = live.get(name);
        if (entry == null) {
            throw LaunchpadException.notFound("Deployment '" + name + "' not found.");
        }
        while (true) {
            var current = entry.current.get();
            if (current == null) {
                throw new LaunchpadException(ErrorCode.TEMPORARILY_UNAVAILABLE, "Deployment '" + name
                        + "' has no model loaded" + (entry.failure == null ? "." : ": " + entry.failure));
            }
            if (current.tryAcquire()) {
                return new Lease(current);
            }
            Thread.onSpinWait(); // it was swapped out between get and acquire: take the new one
        }
    }

    /** Names of the deployments served now. */
    public java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(live.keySet());
    }

    private void watch() {
        while (!closed) {
            try {
                Thread.sleep(pollInterval);
            } catch (InterruptedException e) {
                return;
            }
            for (var entry : live.values()) {
                var d = entry.deployment;
                if (d == null || d.alias() == null || closed) {
                    continue;
                }
                try {
                    if (entry.stored) {
                        d = deployments.get(d.name()); // as stored now: its model may have been renamed since
                    }
                    var target = deployments.resolve(d);
                    var current = entry.current.get();
                    if (!entry.removed && (current == null || current.version.version() != target.version()
                            || !current.version.name().equals(target.name()))) {
                        deploy(entry, d); // never through computeIfAbsent: a deleted deployment stays deleted
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Deployment {}: cannot follow alias {}: {}", d.name(), d.alias(), e.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        var thread = poller;
        if (thread != null) {
            thread.interrupt();
        }
        for (var name : java.util.List.copyOf(live.keySet())) {
            undeploy(name);
        }
    }

    /** A lease on one loaded version: its model, version and metrics, returned by {@link #close()}. */
    public static final class Lease implements AutoCloseable {
        private final Loaded loaded;
        private boolean released;

        private Lease(Loaded loaded) {
            this.loaded = loaded;
        }

        public ServedModel model() {
            return loaded.model;
        }

        public ModelVersion version() {
            return loaded.version;
        }

        public ServingMetrics.Scope metrics() {
            return loaded.scope;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                loaded.release();
            }
        }
    }

    private static final class Live {
        final String name;
        final AtomicReference<Loaded> current = new AtomicReference<>();
        volatile Deployment deployment;
        volatile String failure;
        volatile boolean removed;
        /** Whether the deployment is a stored one (not {@code launchpad serve}'s), re-read at each poll. */
        volatile boolean stored = true;

        Live(String name) {
            this.name = name;
        }
    }

    /** A loaded version with a lease count; retired versions close when the count reaches zero. */
    private static final class Loaded {
        final ModelVersion version;
        final BatchingSettings batching;
        final ServedModel model;
        final ServingMetrics.Scope scope;
        // leases held + 1 while not retired; 0 means closed
        private final AtomicInteger references = new AtomicInteger(1);

        Loaded(ModelVersion version, BatchingSettings batching, ServedModel model, ServingMetrics.Scope scope) {
            this.version = version;
            this.batching = batching;
            this.model = model;
            this.scope = scope;
        }

        boolean tryAcquire() {
            while (true) {
                int n = references.get();
                if (n == 0) {
                    return false;
                }
                if (references.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (references.decrementAndGet() == 0) {
                try {
                    model.close();
                } finally {
                    scope.close();
                }
            }
        }

        void retire() {
            release();
        }
    }
}
