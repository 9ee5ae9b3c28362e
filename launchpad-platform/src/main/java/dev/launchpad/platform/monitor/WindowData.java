package dev.launchpad.platform.monitor;

import dev.launchpad.stats.profile.DatasetProfile;
import dev.launchpad.stats.sketch.QuantileSketch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * What monitoring knows about one deployment's traffic in one window: request and row counts, errors by
 * kind, mergeable profiles of inputs and outputs, a latency sketch (ms) and bounded row samples. Windows
 * {@link #merge merge} exactly like their profiles, which is how minutes roll up into hours and days and how
 * a flushed part of a minute joins the part flushed before it. Not thread-safe: one writer.
 */
public final class WindowData {
    private long requests;
    private long rows;
    private long clientErrors;
    private long serverErrors;
    private long overloaded;
    private long schemaMismatches;
    private final DatasetProfile inputs;
    private final DatasetProfile outputs;
    private QuantileSketch latencyMs;
    private RowSample inputSample;
    private RowSample outputSample;
    // features waiting to be profiled in chunks; every read of the profiles settles them first
    private final ProfileBuffer pendingInputs;
    private final ProfileBuffer pendingOutputs;

    private WindowData(DatasetProfile inputs, DatasetProfile outputs, QuantileSketch latencyMs, RowSample inputSample,
                       RowSample outputSample) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.latencyMs = latencyMs;
        this.inputSample = inputSample;
        this.outputSample = outputSample;
        this.pendingInputs = new ProfileBuffer(inputs);
        this.pendingOutputs = new ProfileBuffer(outputs);
    }

    /**
     * An empty window of traffic whose samples keep up to {@code sampleSize} rows. Its numeric features keep no
     * distinct count: no check, report or API reads a window's, and hashing every value was about a fifth of the
     * monitoring thread's time (its categorical features keep theirs).
     */
    public static WindowData empty(int sampleSize, long seed) {
        return empty(sampleSize, seed, false);
    }

    /**
     * An empty window for a reference dataset: as {@link #empty}, with distinct counts for its numeric features too
     * (drift from a profile bins a reference feature by its number of distinct values).
     */
    public static WindowData reference(int sampleSize, long seed) {
        return empty(sampleSize, seed, true);
    }

    private static WindowData empty(int sampleSize, long seed, boolean numericDistinctCounts) {
        return new WindowData(DatasetProfile.empty(numericDistinctCounts), DatasetProfile.empty(numericDistinctCounts),
                new QuantileSketch(), new RowSample(sampleSize, seed), new RowSample(sampleSize, seed ^ 0x5DEECE66DL));
    }

    /** Adds one request: its outcome and latency, and for successful requests its inputs and outputs. */
    public void add(String outcome, long latencyNanos, FeatureBatch in, FeatureBatch out) {
        requests++;
        switch (outcome) {
            case "ok" -> {
            }
            case "client_error" -> clientErrors++;
            case "overloaded" -> overloaded++;
            default -> serverErrors++;
        }
        if (!outcome.equals("client_error")) {
            // a request refused for its own fault is answered in microseconds: counted, but not in the latency,
            // whose p99 would otherwise fall as more bad requests arrive
            latencyMs.update(latencyNanos / 1e6);
        }
        if (in == null) {
            return;
        }
        rows += in.rows();
        // a feature whose kind changed (numeric vs categorical) or that repeats a name is counted, not profiled
        schemaMismatches += pendingInputs.add(in) + pendingOutputs.add(out);
        inputSample.add(in);
        outputSample.add(out);
    }

    /** Profiles the features still buffered (reads do this themselves). */
    public void settle() {
        pendingInputs.settle();
        pendingOutputs.settle();
    }

    /** Profiles what is buffered and frees the buffers: for a window that takes no more requests. */
    public void release() {
        pendingInputs.release();
        pendingOutputs.release();
    }

    /**
     * This window's data and {@code other}'s together; neither changes. A feature whose kind (numeric or categorical)
     * differs between the two keeps this window's kind, and {@code other}'s values of it are counted as schema
     * mismatches, not profiled: the same rule as within one window, where the kind first seen stays. So are the
     * values of {@code other}'s features beyond the {@link FeatureBatch#MAX_FEATURES} a window keeps.
     */
    public WindowData merge(WindowData other) {
        settle();
        other.settle();
        var inClash = notMerged(inputs, other.inputs);
        var outClash = notMerged(outputs, other.outputs);
        var out = new WindowData(inputs.merge(inClash.isEmpty() ? other.inputs : other.inputs.without(inClash)),
                outputs.merge(outClash.isEmpty() ? other.outputs : other.outputs.without(outClash)), latencyMs.copy(),
                inputSample.merge(other.inputSample, inClash), outputSample.merge(other.outputSample, outClash));
        out.latencyMs.merge(other.latencyMs);
        out.requests = requests + other.requests;
        out.rows = rows + other.rows;
        out.clientErrors = clientErrors + other.clientErrors;
        out.serverErrors = serverErrors + other.serverErrors;
        out.overloaded = overloaded + other.overloaded;
        out.schemaMismatches = schemaMismatches + other.schemaMismatches + values(other.inputs, inClash)
                + values(other.outputs, outClash);
        return out;
    }

    /**
     * The columns of {@code theirs} that {@code mine} does not take: those whose kind differs from the same column of
     * {@code mine}, and new ones beyond {@link FeatureBatch#MAX_FEATURES} columns in all.
     */
    private static Set<String> notMerged(DatasetProfile mine, DatasetProfile theirs) {
        var out = new HashSet<String>();
        int room = FeatureBatch.MAX_FEATURES - mine.columns().size();
        for (var e : theirs.columns().entrySet()) {
            var m = mine.columns().get(e.getKey());
            if (m == null ? room-- <= 0 : m.kind() != e.getValue().kind()) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Values (missing ones included) of the named columns. */
    private static long values(DatasetProfile profile, Set<String> names) {
        long n = 0;
        for (var name : names) {
            n += profile.columns().get(name).count();
        }
        return n;
    }

    public long requests() {
        return requests;
    }

    public long rows() {
        return rows;
    }

    public long clientErrors() {
        return clientErrors;
    }

    public long serverErrors() {
        return serverErrors;
    }

    public long overloaded() {
        return overloaded;
    }

    /** Feature values whose kind differed from the kind first seen (not profiled). */
    public long schemaMismatches() {
        return schemaMismatches;
    }

    public DatasetProfile inputs() {
        settle();
        return inputs;
    }

    public DatasetProfile outputs() {
        settle();
        return outputs;
    }

    public QuantileSketch latencyMs() {
        return latencyMs;
    }

    public RowSample inputSample() {
        return inputSample;
    }

    public RowSample outputSample() {
        return outputSample;
    }

    /**
     * About how much memory this window holds once {@linkplain #release released}: its samples, and for each profiled
     * feature its sketches (a numeric feature about 4 KiB, 8 KiB with a distinct count, a categorical one up to about
     * 32 KiB with its frequent values). An estimate, to bound what waits to be stored, not an account.
     */
    public long approximateBytes() {
        long bytes = 4_096 + inputSample.approximateBytes() + outputSample.approximateBytes();
        for (var profile : java.util.List.of(inputs, outputs)) {
            for (var column : profile.columns().values()) {
                bytes += column.kind() == dev.launchpad.stats.profile.ColumnProfile.Kind.CATEGORICAL ? 32_768
                        : column.hasDistinctCount() ? 8_192 : 4_096;
            }
        }
        return bytes;
    }

    /** Latency quantile in ms, NaN without requests. */
    public double latencyQuantile(double q) {
        return latencyMs.isEmpty() ? Double.NaN : latencyMs.quantile(q);
    }

    // ------------------------------------------------------------------ bytes

    byte[] latencyBytes() {
        var bytes = new ByteArrayOutputStream(256);
        try (var out = new DataOutputStream(bytes)) {
            out.writeLong(schemaMismatches);
            latencyMs.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    byte[] sampleBytes() {
        var bytes = new ByteArrayOutputStream(1024);
        try (var out = new DataOutputStream(bytes)) {
            var a = inputSample.toBytes();
            var b = outputSample.toBytes();
            out.writeInt(a.length);
            out.write(a);
            out.writeInt(b.length);
            out.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A window read back from its stored parts. */
    static WindowData read(long requests, long rows, long clientErrors, long serverErrors, long overloaded,
                           byte[] inputProfile, byte[] outputProfile, byte[] latency, byte[] sample, long seed) {
        try (var lat = new DataInputStream(new ByteArrayInputStream(latency));
             var smp = new DataInputStream(new ByteArrayInputStream(sample))) {
            long mismatches = lat.readLong();
            var sketch = QuantileSketch.read(lat);
            var a = new byte[smp.readInt()];
            smp.readFully(a);
            var b = new byte[smp.readInt()];
            smp.readFully(b);
            var w = new WindowData(DatasetProfile.fromBytes(inputProfile), DatasetProfile.fromBytes(outputProfile), sketch,
                    RowSample.fromBytes(a, seed), RowSample.fromBytes(b, seed ^ 0x5DEECE66DL));
            w.requests = requests;
            w.rows = rows;
            w.clientErrors = clientErrors;
            w.serverErrors = serverErrors;
            w.overloaded = overloaded;
            w.schemaMismatches = mismatches;
            return w;
        } catch (IOException | IllegalArgumentException e) {
            // stored by the server: a fault of the server's data, not of a request
            throw new IllegalStateException("corrupt monitoring window: " + e.getMessage(), e);
        }
    }

    /** Names of the input features seen. */
    public java.util.List<String> inputNames() {
        settle();
        return new ArrayList<>(inputs.columns().keySet());
    }
}
