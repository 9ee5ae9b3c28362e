package dev.launchpad.server.serving;

import dev.launchpad.core.concurrent.InFlight;
import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * How every protocol runs one inference: take a lease on the deployment's current version, call the
 * model, wait at most the request timeout, and count the request and its latency under the version
 * that answered it.
 */
public final class InferenceCalls {
    private final ServingRuntime runtime;
    private final InFlight underWay = new InFlight(); // so that a shutdown can wait for the calls under way
    private volatile boolean stopping;
    private final java.util.function.BooleanSupplier isStopping = () -> stopping;
    private final ServingLimits limits;

    public InferenceCalls(ServingRuntime runtime, ServingLimits limits) {
        this.runtime = runtime;
        this.limits = limits;
    }

    public ServingLimits limits() {
        return limits;
    }

    public ServingRuntime runtime() {
        return runtime;
    }

    /**
     * Sees every request served, for monitoring (prediction logging): {@link #wrap} may put a model in
     * front of the real one to see inputs and outputs, {@link #answered} is told the outcome. Both run on
     * the request thread and must not block.
     */
    public interface Observer {
        /** The model the protocol calls in place of {@code model}. */
        ServedModel wrap(ServedModel model);

        /** One answered request; {@code called} is what {@link #wrap} returned. */
        void answered(String deployment, int version, String requestId, long latencyNanos, String outcome,
                      ServedModel called);
    }

    private volatile Observer observer;

    /** Sets (or with null removes) the monitoring observer. */
    public void observer(Observer observer) {
        this.observer = observer;
    }

    /** As {@link #run(String, String, String, long, BiFunction)} for a request without an id. */
    public <T> T run(String deployment, String protocol, long startNanos,
                     BiFunction<ServingRuntime.Lease, ServedModel, CompletableFuture<T>> call) {
        return run(deployment, protocol, null, startNanos, call);
    }

    /**
     * Runs {@code call} against the deployment's model and returns what it produced (mapped by
     * {@code call} from the lease, so the caller can see which version answered). Typed errors pass
     * through; a timeout is TEMPORARILY_UNAVAILABLE. {@code requestId} (the id returned to the client)
     * lets feedback be joined to the logged prediction.
     */
    public <T> T run(String deployment, String protocol, String requestId, long startNanos,
                     BiFunction<ServingRuntime.Lease, ServedModel, CompletableFuture<T>> call) {
        if (!underWay.tryEnter(isStopping)) {
            // not served, so nothing to log: what monitoring is told of is what the models answered
            throw new LaunchpadException(ErrorCode.TEMPORARILY_UNAVAILABLE, "The server is stopping.");
        }
        try {
            return call(deployment, protocol, requestId, startNanos, call);
        } finally {
            underWay.leave();
        }
    }

    private <T> T call(String deployment, String protocol, String requestId, long startNanos,
                       BiFunction<ServingRuntime.Lease, ServedModel, CompletableFuture<T>> call) {
        var observer = this.observer;
        try (var lease = runtime.acquire(deployment)) {
            String outcome = "error";
            ServedModel called = observer == null ? lease.model() : observer.wrap(lease.model());
            try {
                var future = call.apply(lease, called);
                T result = await(future, limits.timeout());
                outcome = "ok";
                return result;
            } catch (LaunchpadException e) {
                outcome = outcomeOf(e.code());
                throw e;
            } finally {
                long nanos = System.nanoTime() - startNanos;
                lease.metrics().request(protocol, outcome, nanos);
                if (observer != null) {
                    observer.answered(deployment, lease.version().version(), requestId, nanos, outcome, called);
                }
            }
        }
    }

    /**
     * For a shutdown, once the servers stop taking requests: refuses calls not yet begun (a handler that was still
     * reading its request) and waits, at most {@code max}, for those under way, so that every call a model answered
     * is logged before monitoring closes. True when none is left.
     */
    public boolean stop(Duration max) {
        stopping = true;
        return underWay.awaitNone(max);
    }

    /**
     * Counts a request refused before it reached the model (an unreadable body, a bad id): a client error of
     * the deployment, in its metrics and in monitoring's rejected-request share. Nothing when it is not served.
     */
    public void rejected(String deployment, String protocol, long startNanos) {
        // (a stop waits for this one too; once stopping, monitoring may be closing: it is told of no request taken after
        // the servers stopped)
        if (!underWay.tryEnter(isStopping)) {
            return;
        }
        try {
            refused(deployment, protocol, startNanos);
        } finally {
            underWay.leave();
        }
    }

    private void refused(String deployment, String protocol, long startNanos) {
        var observer = this.observer;
        try (var lease = runtime.acquire(deployment)) {
            long nanos = System.nanoTime() - startNanos;
            lease.metrics().request(protocol, "client_error", nanos);
            if (observer != null) {
                observer.answered(deployment, lease.version().version(), null, nanos, "client_error", null);
            }
        } catch (LaunchpadException notServed) {
            // answered as not found or unavailable by the caller's own call
        }
    }

    /** INVALID_PARAMETER_VALUE when a tensor has more rows (first dimension) than a request may carry. */
    public void checkRows(java.util.List<dev.launchpad.server.oip.OipTensor> inputs) {
        for (var t : inputs) {
            if (t.shape().length > 0 && t.shape()[0] > limits.maxRows()) {
                throw LaunchpadException.invalid("Input '" + t.name() + "' has " + t.shape()[0] + " rows; the limit"
                        + " per request is " + limits.maxRows() + ".");
            }
        }
    }

    private static <T> T await(CompletableFuture<T> future, Duration timeout) {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new LaunchpadException(ErrorCode.TEMPORARILY_UNAVAILABLE, "The model did not answer within "
                    + timeout.toMillis() + " ms; try again later.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchpadException(ErrorCode.TEMPORARILY_UNAVAILABLE, "The request was interrupted.");
        } catch (CancellationException e) {
            throw new LaunchpadException(ErrorCode.TEMPORARILY_UNAVAILABLE, "The request was cancelled.");
        } catch (ExecutionException e) {
            var cause = e.getCause();
            if (cause instanceof LaunchpadException le) {
                throw new LaunchpadException(le.code(), le.getMessage(), le);
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        }
    }

    private static String outcomeOf(ErrorCode code) {
        return switch (code) {
            case REQUEST_LIMIT_EXCEEDED, TEMPORARILY_UNAVAILABLE -> "overloaded";
            default -> code.httpStatus() < 500 ? "client_error" : "error";
        };
    }
}
