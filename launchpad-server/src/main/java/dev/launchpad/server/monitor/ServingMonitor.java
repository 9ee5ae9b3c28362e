package dev.launchpad.server.monitor;

import dev.launchpad.core.schema.Signature;
import dev.launchpad.core.schema.Spec;
import dev.launchpad.platform.monitor.FeatureBatch;
import dev.launchpad.platform.monitor.Observation;
import dev.launchpad.platform.monitor.PredictionIngestor;
import dev.launchpad.server.oip.OipTensor;
import dev.launchpad.server.serving.InferenceCalls;
import dev.launchpad.server.serving.ServedModel;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Serving's side of prediction logging: puts a thin recorder in front of each request's model to keep
 * references to its inputs and outputs, and hands every answered request to the {@link PredictionIngestor}
 * (a non-blocking offer). Turning tensors into features happens later, on the monitoring thread.
 *
 * <p>Features: a table column is a feature; a tensor of one value per row is a feature named like the
 * tensor; a [rows, k] tensor is k features, named after the signature's columns when the model takes a
 * table as one matrix, else {@code <tensor>_0 .. <tensor>_{k-1}}. Tensors wider than {@link #MAX_WIDTH}
 * values per row (images, embeddings) are not profiled. Integer and string outputs are class labels
 * (categorical); booleans are categorical.
 */
public final class ServingMonitor implements InferenceCalls.Observer {
    /** Widest tensor (values per row) that is profiled. */
    public static final int MAX_WIDTH = 512;

    private final PredictionIngestor ingestor;
    private final Clock clock;

    public ServingMonitor(PredictionIngestor ingestor, Clock clock) {
        this.ingestor = ingestor;
        this.clock = clock;
    }

    @Override
    public ServedModel wrap(ServedModel model) {
        return new Recorder(model);
    }

    @Override
    public void answered(String deployment, int version, String requestId, long latencyNanos, String outcome,
                         ServedModel called) {
        Observation.Payload payload = null;
        if (outcome.equals("ok") && called instanceof Recorder r) {
            var outputs = r.answer();
            if (outputs != null) {
                payload = new Captured(r.signature(), r.inputs, r.columns, r.rows, outputs);
            }
        }
        ingestor.observe(new Observation(deployment, version, requestId, clock.millis(), latencyNanos, outcome, payload));
    }

    /** The model as the protocol sees it, remembering what went in and came out. */
    private static final class Recorder implements ServedModel {
        private final ServedModel model;
        private volatile List<OipTensor> inputs;
        private volatile Map<String, Object> columns;
        private volatile int rows;
        // the model's answer: read once the request is answered, so no stage is added to the future (whose
        // stages run on the thread that completes it, the model's batcher)
        private volatile CompletableFuture<List<OipTensor>> future;

        Recorder(ServedModel model) {
            this.model = model;
        }

        /** What the model answered, or null when it has not (yet) answered successfully. */
        List<OipTensor> answer() {
            var a = future;
            return a != null && a.state() == java.util.concurrent.Future.State.SUCCESS ? a.resultNow() : null;
        }

        @Override
        public Signature signature() {
            return model.signature();
        }

        @Override
        public List<TensorInfo> inputs() {
            return model.inputs();
        }

        @Override
        public List<TensorInfo> outputs() {
            return model.outputs();
        }

        @Override
        public CompletableFuture<List<OipTensor>> infer(List<OipTensor> given) {
            inputs = given;
            var out = model.infer(given);
            future = out;
            return out;
        }

        @Override
        public CompletableFuture<List<OipTensor>> inferTable(Map<String, Object> given, int n) {
            columns = given;
            rows = n;
            var out = model.inferTable(given, n);
            future = out;
            return out;
        }

        @Override
        public int queueDepth() {
            return model.queueDepth();
        }

        @Override
        public void close() {
            // the lease owns the model
        }
    }

    /**
     * A request's captured tensors, decoded into features on demand. How many values it holds is counted once, on the
     * request thread, and read again by the monitoring thread as it takes the request off the queue's bounds.
     */
    static final class Captured implements Observation.Payload {
        private final Signature signature;
        private final List<OipTensor> tensors;
        private final Map<String, Object> columns;
        private final int tableRows;
        private final List<OipTensor> results;
        private final long values;

        Captured(Signature signature, List<OipTensor> tensors, Map<String, Object> columns, int tableRows,
                 List<OipTensor> results) {
            this.signature = signature;
            this.tensors = tensors;
            this.columns = columns;
            this.tableRows = tableRows;
            this.results = results;
            this.values = count(tensors, columns, tableRows, results);
        }

        @Override
        public FeatureBatch inputs() {
            if (columns != null) {
                return table(columns, tableRows);
            }
            return fromTensors(tensors, tensors.size() == 1 ? matrixColumns(signature) : null, false);
        }

        @Override
        public FeatureBatch outputs() {
            return fromTensors(results, null, true);
        }

        @Override
        public long values() {
            return values;
        }

        private static long count(List<OipTensor> tensors, Map<String, Object> columns, int tableRows,
                                  List<OipTensor> results) {
            long n = 0;
            if (columns != null) {
                for (var column : columns.values()) {
                    n += weight(column, tableRows);
                }
            } else {
                for (var t : tensors) {
                    n += weight(t.data(), t.length());
                }
            }
            for (var t : results) {
                n += weight(t.data(), t.length());
            }
            return n;
        }

        /** {@code elements} values, strings counting one more for every 8 of their characters. */
        private static long weight(Object data, long elements) {
            if (!(data instanceof String[] strings)) {
                return elements;
            }
            long n = strings.length;
            for (var s : strings) {
                n += s == null ? 0 : s.length() >> 3;
            }
            return n;
        }
    }

    static FeatureBatch table(Map<String, Object> columns, int rows) {
        var features = new ArrayList<FeatureBatch.Feature>(columns.size());
        for (var e : columns.entrySet()) {
            features.add(feature(e.getKey(), e.getValue(), 0, 1, rows, false));
        }
        return new FeatureBatch(rows, features);
    }

    /** Features of row-aligned tensors; {@code columnNames} names the columns of a single [rows, k] input, or is null. */
    static FeatureBatch fromTensors(List<OipTensor> tensors, List<String> columnNames, boolean outputs) {
        // the rows are the first dimension of the first tensor that has one: a scalar (a request-wide parameter, such
        // as a temperature) listed first does not make every [rows, k] tensor after it a single row
        int rows = tensors.isEmpty() ? 0 : 1;
        for (var t : tensors) {
            if (t.shape().length > 0) {
                rows = (int) t.shape()[0];
                break;
            }
        }
        var features = new ArrayList<FeatureBatch.Feature>();
        for (var t : tensors) {
            long[] shape = t.shape();
            int n = shape.length == 0 ? 1 : (int) shape[0];
            if (n != rows) {
                continue; // not row-aligned with the rows: not a per-row feature
            }
            int length = t.length();
            int width = n == 0 ? 0 : length / n;
            if (width == 0 || width > MAX_WIDTH || (long) width * n != length) {
                continue;
            }
            if (width == 1) {
                features.add(feature(t.name(), t.data(), 0, 1, n, outputs));
            } else {
                var names = columnNames != null && columnNames.size() == width ? columnNames : indexedNames(t.name(), width);
                if (tensors.size() == 1 && (t.data() instanceof float[] || t.data() instanceof double[])) {
                    return FeatureBatch.matrix(names, t.data(), n); // the commonest request: read in place
                }
                for (int j = 0; j < width; j++) {
                    features.add(feature(names.get(j), t.data(), j, width, n, outputs));
                }
            }
        }
        return new FeatureBatch(rows, features);
    }

    /**
     * Lists of feature names built once and handed out again for the same key while it is among the last
     * {@link #SIZE} keys added (one per input or output tensor of the models being served), so that profiling
     * recognises a request's features by the list it is given. Copy on write: cheap to read from any thread.
     */
    private static final class RecentNames {
        private static final int SIZE = 16;

        private record Entry(Object key, int width, List<String> names) {
        }

        private final boolean byIdentity;
        private volatile Entry[] entries = new Entry[0];

        RecentNames(boolean byIdentity) {
            this.byIdentity = byIdentity;
        }

        List<String> get(Object key, int width, java.util.function.Supplier<List<String>> build) {
            for (var e : entries) {
                if (e.width() == width && (e.key() == key || (!byIdentity && e.key().equals(key)))) {
                    return e.names();
                }
            }
            var names = build.get();
            var old = entries;
            var updated = new Entry[Math.min(SIZE, old.length + 1)];
            updated[0] = new Entry(key, width, names);
            System.arraycopy(old, 0, updated, 1, updated.length - 1);
            entries = updated;
            return names;
        }
    }

    private static final RecentNames SIGNATURE_COLUMNS = new RecentNames(true); // a served model keeps its signature
    private static final RecentNames INDEXED_NAMES = new RecentNames(false); // names arrive as new strings

    /**
     * The signature's column names when the model takes a table as one matrix, else null; the same list for the
     * same signature (a served model keeps its signature object, so this is built once per model).
     */
    static List<String> matrixColumns(Signature signature) {
        if (signature == null || !signature.isTabular()) {
            return null;
        }
        return SIGNATURE_COLUMNS.get(signature, signature.inputs().size(),
                () -> List.copyOf(signature.inputs().stream().map(Spec::name).toList())); // kept as is by matrix()
    }

    /** {@code <tensor>_0 .. <tensor>_{width-1}}, the same list for the same tensor name and width. */
    static List<String> indexedNames(String tensor, int width) {
        return INDEXED_NAMES.get(tensor, width, () -> {
            var built = new String[width];
            for (int j = 0; j < width; j++) {
                built[j] = tensor + "_" + j;
            }
            return List.of(built);
        });
    }

    /** Column {@code offset} of a row-major array of {@code width} values per row. */
    private static FeatureBatch.Feature feature(String name, Object data, int offset, int width, int rows, boolean labels) {
        switch (data) {
            case double[] a -> {
                double[] v = new double[rows];
                for (int r = 0; r < rows; r++) {
                    v[r] = a[r * width + offset];
                }
                return FeatureBatch.Feature.numeric(name, v);
            }
            case long[] a when labels -> { // class ids as they are, not through a double (exact only up to 2^53)
                String[] s = new String[rows];
                for (int r = 0; r < rows; r++) {
                    s[r] = Long.toString(a[r * width + offset]);
                }
                return FeatureBatch.Feature.categorical(name, s);
            }
            case float[] a -> {
                double[] v = new double[rows];
                for (int r = 0; r < rows; r++) {
                    v[r] = a[r * width + offset];
                }
                return FeatureBatch.Feature.numeric(name, v);
            }
            case String[] a -> {
                String[] v = new String[rows];
                for (int r = 0; r < rows; r++) {
                    v[r] = a[r * width + offset];
                }
                return FeatureBatch.Feature.categorical(name, v);
            }
            case boolean[] a -> {
                String[] v = new String[rows];
                for (int r = 0; r < rows; r++) {
                    v[r] = Boolean.toString(a[r * width + offset]);
                }
                return FeatureBatch.Feature.categorical(name, v);
            }
            default -> {
                double[] v = new double[rows];
                for (int r = 0; r < rows; r++) {
                    v[r] = ((Number) java.lang.reflect.Array.get(data, r * width + offset)).doubleValue();
                }
                if (!labels) {
                    return FeatureBatch.Feature.numeric(name, v);
                }
                String[] s = new String[rows];
                for (int r = 0; r < rows; r++) {
                    s[r] = Long.toString((long) v[r]);
                }
                return FeatureBatch.Feature.categorical(name, s);
            }
        }
    }
}
