package dev.launchpad.inference.batching;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.schema.TensorType;
import dev.launchpad.inference.runtime.Tensor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Merges concurrent requests for one model into fewer, larger model calls, as Triton's dynamic batcher
 * does. Requests wait in a bounded queue ({@link BatchingConfig#maxQueueSize()} requests); one dispatcher
 * thread per model takes the oldest and gathers more (same input names, types and trailing dimensions)
 * until the batch holds {@code maxBatchSize} rows or {@code maxQueueDelay} has passed since the oldest
 * request arrived, concatenates them along the first dimension, calls the model once, and splits the
 * outputs back by rows. A request that alone has more rows than {@code maxBatchSize} runs alone, unsplit.
 * If a merged call fails (or returns outputs that are not per row), each request of the batch is run
 * alone, so one bad request cannot fail its neighbours. Callers that gave up (cancelled their future)
 * before their batch ran are skipped.
 *
 * <p>A full queue refuses the request at once with {@link OverloadedException}; a closing batcher with
 * TEMPORARILY_UNAVAILABLE. Nothing waits unboundedly. The dispatcher is a platform thread because it
 * spends its time in native ONNX Runtime calls, which would pin a virtual thread's carrier anyway.
 * Futures complete on the dispatcher thread: keep continuations cheap or use the {@code *Async} variants.
 */
public final class DynamicBatcher implements AutoCloseable {
    private static final double EWMA_WEIGHT = 0.2;

    private final String name;
    private final BatchingConfig config;
    private final Function<List<Tensor>, List<Tensor>> model;
    private final IntConsumer batchListener;
    private final ArrayBlockingQueue<Pending> queue;
    private final Thread dispatcher;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong rows = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong queuedRows = new AtomicLong();
    /** Smoothed duration of one model call, for the Retry-After estimate; written by the dispatcher only. */
    private volatile double callNanos;
    private volatile boolean closing;
    private Pending carried; // dispatcher thread only

    /**
     * Starts the dispatcher thread.
     *
     * @param name          names the thread and appears in error messages (e.g. "fraud-v3")
     * @param model         runs validated inputs (in the model's order, first dimension = rows) and returns outputs
     * @param batchListener told the rows of every model call, for a batch-size histogram; its exceptions are ignored
     */
    public DynamicBatcher(String name, BatchingConfig config, Function<List<Tensor>, List<Tensor>> model,
                          IntConsumer batchListener) {
        this.name = name;
        this.config = config;
        this.model = model;
        this.batchListener = batchListener;
        this.queue = new ArrayBlockingQueue<>(config.maxQueueSize());
        this.dispatcher = Thread.ofPlatform().daemon().name("launchpad-batcher-" + name).start(this::dispatch);
    }

    private record Pending(List<Tensor> inputs, long rows, long enqueuedNanos, CompletableFuture<List<Tensor>> result) {
        /** Rows counted against the queue and in the metrics: a request without a row dimension counts as one. */
        long weight() {
            return rows < 0 ? 1 : rows;
        }
    }

    /**
     * Queues validated inputs for the next batch and returns their outputs' future. Throws at once (the
     * future is never failed for these): {@link OverloadedException} when {@code maxQueueSize} requests are
     * already waiting; TEMPORARILY_UNAVAILABLE when the batcher is closing. The future fails with the
     * model's own exception when the model rejects these inputs.
     */
    public CompletableFuture<List<Tensor>> submit(List<Tensor> inputs) {
        if (closing) {
            throw shuttingDown();
        }
        var pending = new Pending(List.copyOf(inputs), rowsOf(inputs), System.nanoTime(), new CompletableFuture<>());
        queuedRows.addAndGet(pending.weight());
        if (!queue.offer(pending)) {
            queuedRows.addAndGet(-pending.weight());
            rejected.incrementAndGet();
            int depth = queue.size();
            throw new OverloadedException("Model '" + name + "' is overloaded: " + config.maxQueueSize()
                    + " requests are already waiting. Retry later.", depth, retryAfter());
        }
        if (closing && queue.remove(pending)) {
            // close() began after the check above and may already have drained the queue
            queuedRows.addAndGet(-pending.weight());
            throw shuttingDown();
        }
        requests.incrementAndGet();
        rows.addAndGet(pending.weight());
        return pending.result();
    }

    private LaunchpadException shuttingDown() {
        return new LaunchpadException(ErrorCode.TEMPORARILY_UNAVAILABLE, "Model '" + name + "' is shutting down.");
    }

    /** Requests waiting now (a gauge). */
    public int queueDepth() {
        return queue.size();
    }

    /** Rows waiting now (a gauge). */
    public long queuedRows() {
        return queuedRows.get();
    }

    /** Requests accepted so far. */
    public long requestCount() {
        return requests.get();
    }

    /** Model calls made so far (merged batches and requests run alone). */
    public long batchCount() {
        return batches.get();
    }

    /** Requests refused with {@link OverloadedException} so far. */
    public long rejectedCount() {
        return rejected.get();
    }

    /** All counters and gauges at once. */
    public BatcherStats stats() {
        return new BatcherStats(queue.size(), queuedRows.get(), requests.get(), rows.get(), batches.get(),
                rejected.get(), failed.get());
    }

    public BatchingConfig config() {
        return config;
    }

    /**
     * How long until the queue has likely drained: the smoothed model-call time for each
     * {@code maxBatchSize} rows waiting, plus the queue delay; whole seconds, at least one.
     */
    private Duration retryAfter() {
        double batchesAhead = Math.ceil((double) queuedRows.get() / config.maxBatchSize());
        double nanos = batchesAhead * callNanos + config.maxQueueDelay().toNanos();
        long seconds = (long) Math.ceil(nanos / 1e9);
        return Duration.ofSeconds(Math.max(1, Math.min(seconds, 3600)));
    }

    private void dispatch() {
        while (true) {
            try {
                if (!dispatchOne()) {
                    return;
                }
            } catch (Throwable e) { // the dispatcher must survive anything and keep answering callers
                if (e instanceof InterruptedException) {
                    Thread.interrupted();
                }
            }
        }
    }

    /** Forms and runs one batch; false once closing and nothing is left. */
    private boolean dispatchOne() throws InterruptedException {
        Pending first = carried != null ? carried : take(queue.poll(100, TimeUnit.MILLISECONDS));
        carried = null;
        if (first == null) {
            return !(closing && queue.isEmpty());
        }
        var batch = new ArrayList<Pending>();
        batch.add(first);
        long batchRows = first.rows();
        if (first.rows() >= 0) {
            long deadline = first.enqueuedNanos() + config.maxQueueDelay().toNanos();
            while (batchRows < config.maxBatchSize()) {
                long wait = deadline - System.nanoTime();
                Pending next;
                try {
                    next = take(wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll());
                } catch (InterruptedException e) {
                    next = take(queue.poll());
                }
                if (next == null) {
                    break;
                }
                if (!compatible(first, next) || batchRows + next.rows() > config.maxBatchSize()) {
                    carried = next; // starts the next batch
                    break;
                }
                batch.add(next);
                batchRows += next.rows();
            }
        }
        run(batch);
        return true;
    }

    /** Accounts for a request leaving the queue. */
    private Pending take(Pending p) {
        if (p != null) {
            queuedRows.addAndGet(-p.weight());
        }
        return p;
    }

    private void run(List<Pending> all) {
        // requests whose callers gave up (timed out, cancelled) are not run
        var batch = new ArrayList<Pending>(all.size());
        long batchRows = 0;
        for (var p : all) {
            if (!p.result().isDone()) {
                batch.add(p);
                batchRows += p.weight();
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            runLive(batch, batchRows);
        } catch (Throwable e) { // an Error must not kill the dispatcher and leave callers waiting
            for (var p : batch) {
                fail(p, e);
            }
        }
    }

    private void runLive(List<Pending> batch, long batchRows) {
        batches.incrementAndGet();
        try {
            batchListener.accept((int) Math.min(batchRows, Integer.MAX_VALUE));
        } catch (RuntimeException ignored) {
            // metrics must not break serving
        }
        if (batch.size() == 1) {
            runAlone(batch.getFirst());
            return;
        }
        List<Tensor> outputs;
        try {
            outputs = timed(concat(batch, batchRows));
        } catch (RuntimeException e) {
            runEachAlone(batch); // one bad request must not fail its neighbours
            return;
        }
        for (var out : outputs) {
            if (out.shape().length == 0 || out.shape()[0] != batchRows) {
                runEachAlone(batch); // an output that is not per row cannot be split
                return;
            }
        }
        long offset = 0;
        for (var p : batch) {
            var mine = new ArrayList<Tensor>(outputs.size());
            for (var out : outputs) {
                mine.add(slice(out, offset, p.rows()));
            }
            offset += p.rows();
            p.result().complete(mine);
        }
    }

    private List<Tensor> timed(List<Tensor> inputs) {
        long t0 = System.nanoTime();
        var out = model.apply(inputs);
        long took = System.nanoTime() - t0;
        callNanos = callNanos == 0 ? took : callNanos + EWMA_WEIGHT * (took - callNanos);
        return out;
    }

    private void runAlone(Pending p) {
        try {
            p.result().complete(timed(p.inputs()));
        } catch (RuntimeException e) {
            fail(p, e);
        }
    }

    private void runEachAlone(List<Pending> batch) {
        for (var p : batch) {
            runAlone(p);
        }
    }

    private void fail(Pending p, Throwable e) {
        if (p.result().completeExceptionally(e)) {
            failed.incrementAndGet();
        }
    }

    /** Rows of a request: the shared first dimension of its inputs, or -1 when they have none in common. */
    private static long rowsOf(List<Tensor> inputs) {
        long rows = -1;
        for (var t : inputs) {
            if (t.shape().length == 0) {
                return -1;
            }
            if (rows >= 0 && t.shape()[0] != rows) {
                return -1;
            }
            rows = t.shape()[0];
        }
        return rows;
    }

    private static boolean compatible(Pending a, Pending b) {
        if (a.rows() < 0 || b.rows() < 0 || a.inputs().size() != b.inputs().size()) {
            return false;
        }
        for (int i = 0; i < a.inputs().size(); i++) {
            var x = a.inputs().get(i);
            var y = b.inputs().get(i);
            if (!x.name().equals(y.name()) || x.type() != y.type() || x.shape().length != y.shape().length
                    || !Arrays.equals(x.shape(), 1, x.shape().length, y.shape(), 1, y.shape().length)) {
                return false;
            }
        }
        return true;
    }

    private static List<Tensor> concat(List<Pending> batch, long rows) {
        var first = batch.getFirst().inputs();
        var merged = new ArrayList<Tensor>(first.size());
        for (int i = 0; i < first.size(); i++) {
            var template = first.get(i);
            long[] shape = template.shape().clone();
            shape[0] = rows;
            int total = 0;
            for (var p : batch) {
                total += p.inputs().get(i).length();
            }
            Object data = java.lang.reflect.Array.newInstance(Tensor.carrierOf(template.type()).getComponentType(), total);
            int at = 0;
            for (var p : batch) {
                var part = p.inputs().get(i);
                System.arraycopy(part.data(), 0, data, at, part.length());
                at += part.length();
            }
            merged.add(new Tensor(template.name(), template.type(), shape, data));
        }
        return merged;
    }

    private static Tensor slice(Tensor t, long fromRow, long rows) {
        int perRow = t.shape()[0] == 0 ? 0 : (int) (t.length() / t.shape()[0]);
        long[] shape = t.shape().clone();
        shape[0] = rows;
        int from = Math.toIntExact(fromRow * perRow);
        int length = Math.toIntExact(rows * perRow);
        Object data = java.lang.reflect.Array.newInstance(Tensor.carrierOf(t.type()).getComponentType(), length);
        System.arraycopy(t.data(), from, data, 0, length);
        return new Tensor(t.name(), t.type() == TensorType.FLOAT16 ? TensorType.FLOAT32 : t.type(), shape, data);
    }

    /**
     * Stops accepting requests, runs every queued one (waiting up to 30 s for the dispatcher), fails any
     * left with TEMPORARILY_UNAVAILABLE, and stops the dispatcher. Does not close the model.
     */
    @Override
    public void close() {
        closing = true;
        try {
            dispatcher.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Pending left;
        while ((left = take(queue.poll())) != null) {
            fail(left, new LaunchpadException(ErrorCode.TEMPORARILY_UNAVAILABLE,
                    "Model '" + name + "' shut down before answering."));
        }
    }
}
