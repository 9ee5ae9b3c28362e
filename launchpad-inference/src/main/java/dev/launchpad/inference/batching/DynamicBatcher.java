package dev.launchpad.inference.batching;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.schema.TensorType;
import dev.launchpad.inference.runtime.Tensor;

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
 * Merges concurrent requests for one model into fewer, larger model calls. Requests wait in a bounded
 * queue; one dispatcher thread takes the oldest, gathers more (same input names, types and trailing
 * dimensions) until {@code maxBatchSize} rows or {@code maxQueueDelay} after the first, concatenates them
 * along the first dimension, calls the model once, and splits the outputs back by rows. A full queue
 * refuses the request at once with REQUEST_LIMIT_EXCEEDED; nothing waits unboundedly.
 */
public final class DynamicBatcher implements AutoCloseable {
    private final String name;
    private final BatchingConfig config;
    private final Function<List<Tensor>, List<Tensor>> model;
    private final IntConsumer batchListener;
    private final ArrayBlockingQueue<Pending> queue;
    private final Thread dispatcher;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private volatile boolean closing;
    private Pending carried;

    /**
     * @param model runs validated inputs (inputs in the model's order, first dimension = rows) and returns outputs
     * @param batchListener told the rows of every model call (for a batch-size histogram)
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

    private record Pending(List<Tensor> inputs, long rows, CompletableFuture<List<Tensor>> result) {
    }

    /**
     * Queues validated inputs for the next batch. REQUEST_LIMIT_EXCEEDED (at once, not in the future)
     * when the queue is full; TEMPORARILY_UNAVAILABLE when the batcher is closing.
     */
    public CompletableFuture<List<Tensor>> submit(List<Tensor> inputs) {
        if (closing) {
            throw new LaunchpadException(ErrorCode.TEMPORARILY_UNAVAILABLE, "Model '" + name + "' is shutting down.");
        }
        var pending = new Pending(inputs, rowsOf(inputs), new CompletableFuture<>());
        if (!queue.offer(pending)) {
            throw new LaunchpadException(ErrorCode.REQUEST_LIMIT_EXCEEDED, "Model '" + name + "' is overloaded: "
                    + config.maxQueueSize() + " requests are already waiting. Retry later.");
        }
        requests.incrementAndGet();
        return pending.result();
    }

    /** Requests waiting now. */
    public int queueDepth() {
        return queue.size();
    }

    /** Requests accepted so far. */
    public long requestCount() {
        return requests.get();
    }

    /** Model calls made so far. */
    public long batchCount() {
        return batches.get();
    }

    public BatchingConfig config() {
        return config;
    }

    private void dispatch() {
        while (true) {
            Pending first;
            try {
                first = carried != null ? carried : queue.poll(100, TimeUnit.MILLISECONDS);
                carried = null;
            } catch (InterruptedException e) {
                if (closing && queue.isEmpty()) {
                    return;
                }
                continue;
            }
            if (first == null) {
                if (closing && queue.isEmpty()) {
                    return;
                }
                continue;
            }
            var batch = new ArrayList<Pending>();
            batch.add(first);
            long rows = first.rows();
            if (first.rows() >= 0) {
                long deadline = System.nanoTime() + config.maxQueueDelay().toNanos();
                while (rows < config.maxBatchSize()) {
                    Pending next;
                    long wait = deadline - System.nanoTime();
                    try {
                        next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
                    } catch (InterruptedException e) {
                        next = queue.poll();
                    }
                    if (next == null) {
                        break;
                    }
                    if (!compatible(first, next) || rows + next.rows() > config.maxBatchSize()) {
                        carried = next; // starts the next batch
                        break;
                    }
                    batch.add(next);
                    rows += next.rows();
                }
            }
            run(batch, rows);
        }
    }

    private void run(List<Pending> all, long allRows) {
        // requests whose callers gave up (timed out, cancelled) are not run
        var batch = new ArrayList<Pending>(all.size());
        long rows = 0;
        for (var p : all) {
            if (!p.result().isDone()) {
                batch.add(p);
                rows += Math.max(p.rows(), 0);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        if (allRows < 0) {
            rows = allRows;
        }
        try {
            runLive(batch, rows);
        } catch (Throwable e) { // an Error must not kill the dispatcher and leave callers waiting
            for (var p : batch) {
                p.result().completeExceptionally(e);
            }
        }
    }

    private void runLive(List<Pending> batch, long rows) {
        batches.incrementAndGet();
        try {
            batchListener.accept((int) Math.max(rows, 1));
        } catch (RuntimeException ignored) {
            // metrics must not break serving
        }
        if (batch.size() == 1) {
            var only = batch.getFirst();
            try {
                only.result().complete(model.apply(only.inputs()));
            } catch (RuntimeException e) {
                only.result().completeExceptionally(e);
            }
            return;
        }
        List<Tensor> outputs;
        try {
            outputs = model.apply(concat(batch, rows));
        } catch (RuntimeException e) {
            runEachAlone(batch); // one bad request must not fail its neighbours
            return;
        }
        for (var out : outputs) {
            if (out.shape().length == 0 || out.shape()[0] != rows) {
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

    private void runEachAlone(List<Pending> batch) {
        for (var p : batch) {
            try {
                p.result().complete(model.apply(p.inputs()));
            } catch (RuntimeException alone) {
                p.result().completeExceptionally(alone);
            }
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

    /** Stops accepting requests, answers every queued one, then stops the dispatcher. */
    @Override
    public void close() {
        closing = true;
        try {
            dispatcher.join(java.time.Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Pending left;
        while ((left = queue.poll()) != null) {
            left.result().completeExceptionally(new LaunchpadException(ErrorCode.TEMPORARILY_UNAVAILABLE,
                    "Model '" + name + "' shut down before answering."));
        }
    }
}
