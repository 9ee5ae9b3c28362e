package dev.launchpad.platform.monitor;

import dev.launchpad.core.concurrent.InFlight;
import dev.launchpad.platform.store.Database;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Prediction logging off the request path. Serving {@link #observe offers} each answered request to a
 * bounded lock-free queue (never blocking or waiting for a lock; a full queue drops the observation and counts
 * it); one monitoring thread takes what has queued, decodes payloads and updates the open
 * minute windows' profiles and samples; a second thread flushes closed and periodically cut windows to the
 * {@link WindowStore}, retrying on failure.
 *
 * <p>Durability: a window part is cut when its minute ends, every {@code flushInterval}, on
 * {@link #flushNow()} and on {@link #close()}; each cut is written in one transaction, retried until it commits, so a
 * clean restart loses and double-counts nothing (unless a commit's acknowledgement is lost: that part is counted
 * twice). After a crash (kill -9) what was observed since the last cut, at most
 * one flush interval (default one minute) and the thread's 50 ms nap, is lost, with cut parts not yet written (while the database is
 * slow or down). A part that cannot be stored for {@code retryFor} while the database answers is given up and
 * counted, and so are the oldest waiting parts once those waiting hold more than {@code maxWaitingBytes}.
 */
public final class PredictionIngestor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PredictionIngestor.class);

    /**
     * @param queueCapacity observations waiting to be profiled before new ones are dropped
     * @param flushInterval how often open windows are cut and written (bounds what a crash loses)
     * @param sampleSize rows kept per window sample
     * @param maxPredictionsPerWindow logged prediction rows (for feedback) kept per deployment, version and minute,
     *                                however many parts the minute is written in
     * @param payloadLog optional rolling payload files, or null
     * @param retryFor how long a window part that cannot be stored, while the database answers, is retried before
     *                 it is given up (counted)
     * @param maxQueuedValues tensor values the waiting payloads may hold together; beyond it a request is counted
     *                        (requests, latency, errors) but its payload is not kept for profiling
     * @param maxWaitingBytes about how much memory cut parts waiting for the database (while it is down or slow) may
     *                        hold together; beyond it the oldest waiting parts are given up (counted)
     */
    public record Config(int queueCapacity, Duration flushInterval, int sampleSize, int maxPredictionsPerWindow,
                         PayloadLog payloadLog, Duration retryFor, long maxQueuedValues, long maxWaitingBytes) {
        public static Config defaults() {
            return new Config(65_536, Duration.ofMinutes(1), 1_000, DEFAULT_PREDICTIONS_PER_MINUTE, null,
                    Duration.ofMinutes(10), 16_000_000, defaultMaxWaitingBytes());
        }

        /** An eighth of the heap, at most 512 MiB: what an outage of the database may hold back in memory. */
        static long defaultMaxWaitingBytes() {
            return Math.min(512L << 20, Runtime.getRuntime().maxMemory() / 8);
        }

        /**
         * Prediction rows kept for feedback per deployment, version and minute by default (the minute's first rows:
         * all of them up to 333 rows a second on average); a day at the cap is 28.8 million rows (about 5 GB in SQLite
         * with their indexes).
         */
        public static final int DEFAULT_PREDICTIONS_PER_MINUTE = 20_000;

        public Config withMaxPredictionsPerWindow(int n) {
            return new Config(queueCapacity, flushInterval, sampleSize, n, payloadLog, retryFor, maxQueuedValues,
                    maxWaitingBytes);
        }

        public Config withPayloadLog(PayloadLog log) {
            return new Config(queueCapacity, flushInterval, sampleSize, maxPredictionsPerWindow, log, retryFor,
                    maxQueuedValues, maxWaitingBytes);
        }

        public Config withFlushInterval(Duration d) {
            return new Config(queueCapacity, d, sampleSize, maxPredictionsPerWindow, payloadLog, retryFor, maxQueuedValues,
                    maxWaitingBytes);
        }

        public Config withRetryFor(Duration d) {
            return new Config(queueCapacity, flushInterval, sampleSize, maxPredictionsPerWindow, payloadLog, d, maxQueuedValues,
                    maxWaitingBytes);
        }

        public Config withMaxWaitingBytes(long n) {
            return new Config(queueCapacity, flushInterval, sampleSize, maxPredictionsPerWindow, payloadLog, retryFor,
                    maxQueuedValues, n);
        }

        public Config withMaxQueuedValues(long n) {
            return new Config(queueCapacity, flushInterval, sampleSize, maxPredictionsPerWindow, payloadLog, retryFor, n,
                    maxWaitingBytes);
        }
    }

    private record Key(String deployment, int version, long minute) {
    }

    private static final class Open {
        final WindowData data;
        final List<WindowStore.PredictionRow> predictions = new ArrayList<>();
        final int keptBefore; // prediction rows earlier parts of the same minute kept

        Open(WindowData data, int keptBefore) {
            this.data = data;
            this.keptBefore = keptBefore;
        }

        /** About how much memory the part holds once released; see {@link WindowData#approximateBytes()}. */
        long approximateBytes() {
            long bytes = data.approximateBytes();
            for (var p : predictions) {
                bytes += 96 + 2L * (p.requestId().length() + (p.prediction() == null ? 0 : p.prediction().length()));
            }
            return bytes;
        }
    }

    /** A part for the flusher, with the memory it holds ({@code key} null: a marker the flusher completes). */
    private record Cut(Key key, Open open, CompletableFuture<Void> done, long bytes) {
        Cut(Key key, Open open, CompletableFuture<Void> done) {
            this(key, open, done, 0);
        }
    }

    private static final Object FLUSH = new Object();
    private static final int DRAIN_BATCH = 1_024;
    private static final int GIVE_BACK_EVERY = 64;
    private static final long NAP_NANOS = 50_000_000;

    private final WindowStore store;
    private final Clock clock;
    private final Config config;
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final BlockingQueue<Cut> cuts = new LinkedBlockingQueue<>();
    private final Map<Key, Open> open = new HashMap<>();
    private final java.util.concurrent.atomic.LongAdder accepted = new java.util.concurrent.atomic.LongAdder(); // per core
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong droppedPredictions = new AtomicLong();
    private final AtomicLong decodeFailures = new AtomicLong();
    private final AtomicLong flushFailures = new AtomicLong();
    private final AtomicLong flushedParts = new AtomicLong();
    private final AtomicLong abandonedParts = new AtomicLong();
    private final AtomicLong unprofiled = new AtomicLong();
    private final AtomicLong queuedValues = new AtomicLong();
    private final AtomicLong waitingBytes = new AtomicLong(); // held by cut parts not yet stored or given up
    private volatile boolean storeFailing; // the flusher's part has failed and is being retried
    private volatile long storingSince; // System.nanoTime() when the flusher began its current write; 0 between writes
    // serving threads inside observe(): close() waits for them, so that nothing is queued behind its marker
    private final InFlight observing = new InFlight();
    private final Thread consumer;
    private final Thread flusher;
    private volatile boolean closed;
    private final java.util.function.BooleanSupplier isClosed = () -> closed;
    private volatile boolean halted;
    private long seed = 1;
    private Key lastKey;
    private final Map<Key, Integer> keptPerMinute = new HashMap<>();
    private Open lastOpen;

    public PredictionIngestor(WindowStore store, Clock clock, Config config) {
        this.store = store;
        this.clock = clock;
        this.config = config;
        this.consumer = Thread.ofPlatform().daemon().name("launchpad-monitor-ingest").unstarted(this::consume);
        this.flusher = Thread.ofPlatform().daemon().name("launchpad-monitor-flush").unstarted(this::flushLoop);
        consumer.start();
        flusher.start();
    }

    /**
     * Offers one answered request; never blocks. False (and counted) when the queue is full or closed. A payload
     * that would take the waiting payloads past {@code maxQueuedValues} is left out (the request still counts).
     */
    public boolean observe(Observation o) {
        if (!observing.tryEnter(isClosed)) {
            return offer(o); // refused and counted, without being waited for
        }
        try {
            return offer(o);
        } finally {
            observing.leave();
        }
    }

    private boolean offer(Observation o) {
        long values = o.payload() == null ? 0 : o.payload().values();
        if (values > 0 && queuedValues.addAndGet(values) > config.maxQueuedValues()) {
            queuedValues.addAndGet(-values);
            unprofiled.incrementAndGet();
            o = o.withoutPayload();
            values = 0;
        }
        boolean refused = closed;
        if (!refused && queued.incrementAndGet() > config.queueCapacity()) {
            queued.decrementAndGet();
            refused = true;
        }
        if (refused) {
            queuedValues.addAndGet(-values);
            dropped.incrementAndGet();
            return false;
        }
        queue.add(o);
        accepted.increment();
        return true;
    }

    /** Observations accepted, dropped (queue full), and other counters, for metrics. */
    public record Stats(long accepted, long dropped, long droppedPredictions, long decodeFailures, long flushFailures,
                        long flushedParts, long abandonedParts, long unprofiled, long queuedValues, int queueDepth,
                        long payloadLogFailures, long waitingBytes) {
    }

    public Stats stats() {
        return new Stats(accepted.sum(), dropped.get(), droppedPredictions.get(), decodeFailures.get(),
                flushFailures.get(), flushedParts.get(), abandonedParts.get(), unprofiled.get(), queuedValues.get(),
                Math.max(0, queued.get()), config.payloadLog() == null ? 0 : config.payloadLog().failures(),
                waitingBytes.get());
    }

    /**
     * Profiles everything observed so far and writes every open window; returns once every part cut so far has been
     * stored, or given up (and counted) as one that could not be.
     */
    public void flushNow() {
        if (closed) {
            return;
        }
        var done = new CompletableFuture<Void>();
        try {
            queue.add(new FlushRequest(done));
            LockSupport.unpark(consumer);
            done.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("monitoring flush failed: " + e.getMessage(), e);
        }
    }

    private record FlushRequest(CompletableFuture<Void> done) {
    }

    /**
     * Takes what has queued in batches, and naps 50 ms after a batch that was not full: serving threads never wake
     * this thread (a wake-up per request costs more than profiling the request does), and tens of milliseconds of
     * requests are profiled together while the sketches stay in the caches. It does not nap while the waiting
     * payloads hold a quarter of {@code maxQueuedValues}, and flushes and close wake it.
     */
    private void consume() {
        long lastCut = System.nanoTime();
        var batch = new ArrayList<Object>(DRAIN_BATCH);
        while (true) {
            batch.clear();
            Object next;
            while (batch.size() < DRAIN_BATCH && (next = queue.poll()) != null) {
                batch.add(next);
            }
            var drained = profileBatch(batch);
            if (drained.halted()) {
                return;
            }
            if (drained.flushed()) {
                lastCut = System.nanoTime();
            }
            boolean closing = drained.closing();
            boolean full = batch.size() == DRAIN_BATCH;
            // let go of the profiled requests before napping: held through the nap, their tensors outlived the young
            // collections that came meanwhile, which then copied them
            batch.clear();
            if (closing) {
                cutAll(null);
                cuts.add(new Cut(null, null, null)); // end of stream for the flusher
                if (config.payloadLog() != null) {
                    config.payloadLog().close(); // by the thread that writes it, once it has written everything
                }
                return;
            }
            if (System.nanoTime() - lastCut >= config.flushInterval().toNanos()) {
                cutAll(null);
                lastCut = System.nanoTime();
            } else {
                cutClosed();
            }
            // nap unless the queue kept up with a full batch or waiting payloads near their bound; flushNow and
            // close wake the thread
            if (!full && queuedValues.get() < config.maxQueuedValues() / 4) {
                LockSupport.parkNanos(NAP_NANOS);
            }
            if (Thread.interrupted() || halted) {
                return;
            }
        }
    }

    /** What a drained batch held besides requests: the final marker, a flush asked for; or the thread was halted. */
    private record Drained(boolean closing, boolean flushed, boolean halted) {
    }

    /**
     * Profiles a drained batch and answers the flushes in it. In a method of its own so that nothing of the loop that
     * naps afterwards refers to the batch's last request.
     */
    private Drained profileBatch(List<Object> batch) {
        int taken = 0;
        long takenValues = 0;
        boolean closing = false;
        boolean flushed = false;
        for (var item : batch) {
            if (halted) {
                giveBack(taken, takenValues);
                return new Drained(closing, flushed, true);
            }
            if (item == FLUSH) {
                // the rest of the batch (a request whose thread saw it open a moment before, a flush asked for
                // meanwhile) is taken as any other, and the final cut follows
                closing = true;
            } else if (item instanceof FlushRequest fr) {
                giveBack(taken, takenValues); // before the flush answers: what it covers is no longer queued
                taken = 0;
                takenValues = 0;
                cutAll(fr.done());
                flushed = true;
            } else if (item instanceof Observation o) {
                taken++;
                takenValues += o.payload() == null ? 0 : o.payload().values();
                profile(o);
                if (taken == GIVE_BACK_EVERY || takenValues >= config.maxQueuedValues() / 16) {
                    giveBack(taken, takenValues);
                    taken = 0;
                    takenValues = 0;
                }
            }
        }
        giveBack(taken, takenValues);
        return new Drained(closing, flushed, false);
    }

    /** Profiles one request; one that cannot be profiled is counted, and the thread goes on. */
    private void profile(Observation o) {
        try {
            apply(o);
        } catch (RuntimeException e) {
            decodeFailures.incrementAndGet();
            LOG.debug("Cannot profile a request of {}: {}", o.deployment(), e.toString());
        } catch (OutOfMemoryError | StackOverflowError e) {
            // one request too large to profile: this thread goes on with the others, rather than
            // ending and leaving every deployment's requests to fill the queue
            decodeFailures.incrementAndGet();
            LOG.warn("Cannot profile a request of {}: {}", o.deployment(), e.toString());
        }
    }

    /**
     * Takes profiled requests off the queue's bounds: every {@link #GIVE_BACK_EVERY} requests (or a sixteenth of the
     * payload budget) rather than after each one, because serving threads update the same two counters and each
     * update from this thread takes their cache line away.
     */
    private void giveBack(int requests, long values) {
        if (requests > 0) {
            queued.addAndGet(-requests);
            queuedValues.addAndGet(-values);
        }
    }

    private void apply(Observation o) {
        long minute = Granularity.MINUTE.floor(o.timestamp());
        Open w;
        if (lastKey != null && lastKey.minute() == minute && lastKey.version() == o.version()
                && lastKey.deployment().equals(o.deployment())) {
            w = lastOpen; // consecutive requests mostly belong to the same window
        } else {
            var key = new Key(o.deployment(), o.version(), minute);
            w = open.computeIfAbsent(key, k -> new Open(WindowData.empty(config.sampleSize(), seed++),
                    keptPerMinute.getOrDefault(k, 0)));
            lastKey = key;
            lastOpen = w;
        }
        if (o.payload() == null) {
            w.data.add(o.outcome(), o.latencyNanos(), null, null);
            return;
        }
        FeatureBatch in;
        FeatureBatch out;
        try {
            in = o.payload().inputs();
            out = o.payload().outputs();
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            w.data.add(o.outcome(), o.latencyNanos(), null, null); // counted, with its latency, though not profiled
            throw e;
        }
        w.data.add(o.outcome(), o.latencyNanos(), in, out);
        if (o.requestId() != null) {
            // an id with a NUL cannot be stored on PostgreSQL (nor labelled there): its rows are not kept
            int room = o.requestId().indexOf('\0') >= 0 ? 0
                    : config.maxPredictionsPerWindow() - w.keptBefore - w.predictions.size();
            var rows = room <= 0 ? List.<Predictions.Row>of() : Predictions.rows(out, room);
            droppedPredictions.addAndGet(out.rows() - rows.size());
            for (int r = 0; r < rows.size(); r++) {
                var p = rows.get(r);
                w.predictions.add(new WindowStore.PredictionRow(o.requestId(), r, o.version(), o.timestamp(),
                        storable(FeatureBatch.bounded(p.prediction())), p.score(), p.classes()));
            }
        }
        if (config.payloadLog() != null) {
            config.payloadLog().write(o, in, out);
        }
    }

    /** A predicted label as both databases can store it: a NUL (which PostgreSQL refuses) becomes U+FFFD. */
    private static String storable(String prediction) {
        return prediction == null || prediction.indexOf('\0') < 0 ? prediction : prediction.replace('\0', '\uFFFD');
    }

    /** Cuts the windows whose minute has ended (by the clock). */
    private void cutClosed() {
        if (open.isEmpty()) {
            return;
        }
        long current = Granularity.MINUTE.floor(clock.millis());
        var it = open.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (e.getKey().minute() < current) {
                handOver(e.getKey(), e.getValue(), current);
                it.remove();
            }
        }
    }

    /**
     * Remembers how many prediction rows a cut part of a minute kept, so that a later part of the same minute (the
     * next flush, or requests of that minute still queued when it ended) keeps only the rest; minutes more than two
     * minutes old are forgotten.
     */
    private void keep(Key key, Open part, long currentMinute) {
        keptPerMinute.merge(key, part.predictions.size(), Integer::sum);
        keptPerMinute.keySet().removeIf(k -> k.minute() < currentMinute - 120_000);
    }

    /** Profiles what a window still buffers before it is handed to the flusher; a failure is logged, not fatal. */
    private void release(Open w) {
        try {
            w.data.release();
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            LOG.warn("Cannot profile the rest of a monitoring window: {}", e.toString());
        }
    }

    /**
     * Hands a cut window part to the flusher: remembers the prediction rows it kept, profiles what it still buffers,
     * and forgets it as the last window used. The caller removes it from the open windows.
     */
    private void handOver(Key key, Open part, long currentMinute) {
        if (part == lastOpen) {
            lastKey = null;
            lastOpen = null;
        }
        keep(key, part, currentMinute);
        release(part);
        long bytes;
        try {
            bytes = part.approximateBytes();
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) { // an estimate: never a reason to stop
            bytes = 1L << 20;                                                        // the monitoring thread
        }
        var cut = new Cut(key, part, null, bytes);
        waitingBytes.addAndGet(cut.bytes());
        cuts.add(cut);
        shedOldest(cut);
    }

    /** Whether the monitoring thread is napping. For tests. */
    boolean napping() {
        return consumer.getState() == Thread.State.TIMED_WAITING;
    }

    /** How long the flusher's current write has been under way, in nanoseconds; 0 between writes. For tests. */
    long storingNanos() {
        long since = storingSince;
        return since == 0 ? 0 : System.nanoTime() - since;
    }

    /**
     * Gives up the oldest parts still waiting for the flusher while those not yet stored hold more than
     * {@link Config#maxWaitingBytes()}: during a long outage of the database it is the serving process's memory that
     * would run out, and the newest minutes are the ones checks read. Only while the flusher's part is failing: a
     * healthy database briefly has every deployment's part of a minute waiting at once. The part just cut, and the
     * one the flusher is storing, are kept.
     */
    private void shedOldest(Cut newest) {
        long since = storingSince;
        boolean stuck = since != 0 && System.nanoTime() - since > stuckAfterNanos(); // a write that neither ends nor fails
        if ((!storeFailing && !stuck && flusher.isAlive()) || waitingBytes.get() <= config.maxWaitingBytes()) {
            return;
        }
        int shed = 0;
        long oldest = Long.MAX_VALUE;
        for (var c : cuts) { // oldest first
            if (waitingBytes.get() <= config.maxWaitingBytes() || c == newest) {
                break;
            }
            if (c.key() != null && cuts.remove(c)) { // (false when the flusher took it meanwhile)
                waitingBytes.addAndGet(-c.bytes());
                oldest = Math.min(oldest, c.key().minute());
                shed++;
            }
        }
        if (shed > 0) {
            abandonedParts.addAndGet(shed);
            LOG.error("Gave up {} monitoring window parts waiting to be stored (the oldest of minute {}): the parts"
                    + " the database has not taken hold more than {} bytes", shed, Instant.ofEpochMilli(oldest),
                    config.maxWaitingBytes());
        }
    }

    private void cutAll(CompletableFuture<Void> done) {
        long current = Granularity.MINUTE.floor(clock.millis());
        for (var e : open.entrySet()) {
            handOver(e.getKey(), e.getValue(), current);
        }
        open.clear();
        if (config.payloadLog() != null) {
            config.payloadLog().flush(clock.millis());
        }
        if (done != null) {
            cuts.add(new Cut(null, null, done));
        }
    }

    private void flushLoop() {
        while (true) {
            Cut cut;
            try {
                cut = cuts.take();
            } catch (InterruptedException e) {
                return;
            }
            if (cut.key() == null) {
                if (cut.done() == null) {
                    return; // end of stream
                }
                cut.done().complete(null);
                continue;
            }
            boolean goOn;
            try {
                goOn = store(cut);
            } finally {
                waitingBytes.addAndGet(-cut.bytes());
            }
            if (!goOn) {
                return;
            }
        }
    }

    /**
     * How long one write may take before the flusher counts as stuck (a connection hung, a lock never released): two
     * flush intervals, at least a minute, and no longer than a failing part is retried.
     */
    private long stuckAfterNanos() {
        return Math.min(config.retryFor().toNanos(),
                Math.max(Duration.ofMinutes(1).toNanos(), 2 * config.flushInterval().toNanos()));
    }

    /**
     * Stores one part, retrying while a failure may pass off; true once it is stored or given up, false when the
     * flusher is to stop (halted, or interrupted while it waited to retry).
     */
    private boolean store(Cut cut) {
        long firstFailure = 0;
        long backoff = 100;
        while (true) {
            if (halted) {
                return false;
            }
            try {
                storingSince = System.nanoTime() | 1; // (never 0)
                try {
                    store.flush(cut.key().deployment(), cut.key().version(), cut.key().minute(), cut.open().data,
                            cut.open().predictions, clock.millis());
                } finally {
                    storingSince = 0;
                }
                flushedParts.incrementAndGet();
                storeFailing = false;
                return true;
            } catch (OutOfMemoryError | StackOverflowError e) {
                // the part is too large to merge or write here: retrying it would fail again and hold back the rest
                flushFailures.incrementAndGet();
                return gaveUp(cut, e.toString(), null);
            } catch (RuntimeException e) {
                flushFailures.incrementAndGet();
                if (!mayPassOff(e)) {
                    // the part itself cannot be stored (it fails the same way every time): retrying it would only
                    // hold back every deployment's parts behind it
                    return gaveUp(cut, e.toString(), e);
                }
                long now = System.nanoTime();
                firstFailure = firstFailure == 0 ? now : firstFailure;
                if (now - firstFailure >= config.retryFor().toNanos() && store.reachable()) {
                    // the database answers but this part keeps failing: give it up so that the parts behind it
                    // are not held back forever (during an outage every part waits)
                    return gaveUp(cut, "after " + config.retryFor() + ", " + e, null);
                }
                storeFailing = true;
                LOG.warn("Cannot store monitoring window {} of {} (retrying in {} ms): {}", cut.key().minute(),
                        cut.key().deployment(), backoff, e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return false;
                }
                backoff = Math.min(backoff * 2, 30_000);
            }
        }
    }

    /** Counts and logs a part given up (with {@code cause}'s stack when not null); true: the flusher goes on. */
    private boolean gaveUp(Cut cut, String why, Throwable cause) {
        abandonedParts.incrementAndGet();
        if (cause == null) {
            LOG.error("Gave up storing monitoring window {} of {}: {}", cut.key().minute(), cut.key().deployment(), why);
        } else {
            LOG.error("Gave up storing monitoring window {} of {}: {}", cut.key().minute(), cut.key().deployment(), why,
                    cause);
        }
        storeFailing = false;
        return true;
    }

    /**
     * Whether a failure to store a part may go away on a retry: a database failure (an outage, a lock, a timeout) may,
     * one the part brings on itself does not — text the database refuses (a NUL on PostgreSQL), or a failure outside the
     * database such as a stored window that cannot be read.
     */
    static boolean mayPassOff(RuntimeException e) {
        return e instanceof JdbiException && !Database.isUnstorableText(e);
    }

    /**
     * Stops accepting, profiles what is queued, writes every open window, and stops. What could not be kept is
     * counted and logged: requests that slipped into the queue behind the final flush (as dropped), and parts the
     * database did not take within two minutes (as abandoned). An interrupt of the closing thread does not cut this
     * short; it is set again on return.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean interrupted = Thread.interrupted(); // kept for the end: an interrupt does not cut the last flush short
        try {
            // serving threads that saw it open finish queueing first, so that everything accepted is ahead of the marker
            observing.awaitNone(Duration.ofSeconds(1));
            queue.add(FLUSH);
            LockSupport.unpark(consumer);
            interrupted |= join(consumer, 120_000);
            if (!consumer.isAlive()) {
                int late = 0;
                for (Object item; (item = queue.poll()) != null; ) {
                    if (item instanceof Observation) {
                        late++;
                    } else if (item instanceof FlushRequest fr) {
                        fr.done().completeExceptionally(new IllegalStateException("monitoring closed before the flush"));
                    }
                }
                if (late > 0) {
                    queued.addAndGet(-late);
                    dropped.addAndGet(late);
                    LOG.warn("{} requests answered while monitoring was closing were not logged", late);
                }
            }
            interrupted |= join(flusher, 120_000);
            int unstored = 0;
            if (flusher.isAlive()) {
                flusher.interrupt(); // its retries end; the part it holds, and those queued, are not stored
                interrupted |= join(flusher, 10_000);
                unstored = 1;
            }
            unstored += (int) cuts.stream().filter(c -> c.key() != null).count(); // none unless it stopped early
            if (unstored > 0) {
                abandonedParts.addAndGet(unstored);
                LOG.error("Closing with about {} monitoring window parts not stored: the database did not take them"
                        + " within two minutes", unstored);
            }
            if (!flusher.isAlive()) {
                waitingBytes.set(0); // what is left in the queue will never be stored
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits up to {@code millis} for {@code thread} to end, through interrupts; true if one came meanwhile. */
    private static boolean join(Thread thread, long millis) {
        long started = System.nanoTime();
        boolean interrupted = false;
        while (true) {
            long left = millis - java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (left <= 0 || !thread.isAlive()) {
                return interrupted;
            }
            try {
                thread.join(left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    /** Stops at once without writing anything (what a crash does); for tests of the crash semantics. */
    public void halt() {
        closed = true;
        halted = true;
        consumer.interrupt();
        flusher.interrupt();
        try {
            consumer.join(10_000);
            flusher.join(10_000);
            waitingBytes.set(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
