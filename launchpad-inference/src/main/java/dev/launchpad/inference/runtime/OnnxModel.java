package dev.launchpad.inference.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.schema.Signature;
import dev.launchpad.core.schema.Spec;
import dev.launchpad.core.schema.TensorType;
import dev.launchpad.inference.model.ModelPackage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One model version loaded into ONNX Runtime: one session, its input and output specs, the signature
 * (the package's, or read off the graph), and the checks every request passes before it reaches the
 * session. Takes tensors, or a table of named columns that it lays out as the graph wants (one matrix
 * input with the columns in signature order, or one input per column). Thread-safe; close it to free
 * the native session.
 */
public final class OnnxModel implements AutoCloseable {
    /** Session settings: threads ONNX Runtime may use inside one call. */
    public record Options(int intraOpThreads) {
        public static final Options DEFAULTS = new Options(1);

        public Options {
            if (intraOpThreads < 1) {
                throw new IllegalArgumentException("intraOpThreads must be ≥ 1");
            }
        }
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final Signature signature;
    private final List<Spec.Tensor> inputs;
    private final List<Spec.Tensor> outputs;
    private final Map<String, Spec.Tensor> inputsByName = new LinkedHashMap<>();
    private final TableLayout table;
    private final ConcurrentLinkedQueue<ByteBuffer[]> buffers = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    // runs hold the read lock; close takes the write lock, so the session is never freed under a run
    private final java.util.concurrent.locks.ReentrantReadWriteLock sessionLock =
            new java.util.concurrent.locks.ReentrantReadWriteLock();

    private OnnxModel(OrtEnvironment env, OrtSession session, Signature declared) throws OrtException {
        this.env = env;
        this.session = session;
        this.inputs = specs(session.getInputInfo());
        this.outputs = specs(session.getOutputInfo());
        inputs.forEach(i -> inputsByName.put(i.name(), i));
        this.signature = declared != null ? declared : new Signature(List.copyOf(inputs), List.copyOf(outputs));
        this.table = TableLayout.of(signature, inputs);
    }

    /**
     * Loads a model package: a directory with an {@code MLmodel} naming its ONNX file (or a directory
     * holding one {@code .onnx} file). INVALID_PARAMETER_VALUE when there is no loadable model.
     */
    public static OnnxModel load(Path directory, Options options) {
        Path descriptor = directory.resolve(ModelPackage.DESCRIPTOR_FILE);
        Signature signature = null;
        Path file;
        try {
            if (Files.isRegularFile(descriptor)) {
                var pkg = ModelPackage.read(Files.readString(descriptor));
                signature = pkg.signature().orElse(null);
                var name = pkg.onnxModelFile().orElseThrow(() -> LaunchpadException.invalid(
                        "The model package at " + directory + " has no onnx flavor naming a model file."));
                file = directory.resolve(name).normalize();
                if (!file.startsWith(directory.normalize())) {
                    throw LaunchpadException.invalid("The model package names a file outside its directory: " + name);
                }
            } else {
                try (var files = Files.list(directory)) {
                    var onnx = files.filter(p -> p.getFileName().toString().endsWith(".onnx")).toList();
                    if (onnx.size() != 1) {
                        throw LaunchpadException.invalid("The model directory " + directory + " has no MLmodel and "
                                + onnx.size() + " .onnx files; expected one.");
                    }
                    file = onnx.getFirst();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the model package at " + directory, e);
        }
        return loadFile(file, signature, options);
    }

    /** Loads one ONNX file; {@code signature} may be null (then it is read off the graph). */
    public static OnnxModel loadFile(Path onnxFile, Signature signature, Options options) {
        var env = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        try (var sessionOptions = new OrtSession.SessionOptions()) {
            sessionOptions.setIntraOpNumThreads(options.intraOpThreads());
            sessionOptions.setInterOpNumThreads(1);
            sessionOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(onnxFile.toString(), sessionOptions);
            return new OnnxModel(env, session, signature);
        } catch (OrtException e) {
            closeQuietly(session);
            throw LaunchpadException.invalid("ONNX Runtime cannot load '" + onnxFile.getFileName() + "': "
                    + e.getMessage());
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    /** The signature requests are checked against: the package's, else the graph's tensors. */
    public Signature signature() {
        return signature;
    }

    /** The graph's inputs as tensors (-1 for variable dimensions), in the graph's order. */
    public List<Spec.Tensor> inputs() {
        return inputs;
    }

    /**
     * The graph's outputs. An ONNX-ML classifier's ZipMap output (a sequence of {label → probability} maps)
     * appears as a FLOAT32 [-1, -1] tensor of probabilities, one row per input row and one column per class
     * label in ascending label order (numeric for int64 labels, lexicographic for string labels — the order
     * scikit-learn's {@code classes_} and a ZipMap-free classifier's probability columns use).
     */
    public List<Spec.Tensor> outputs() {
        return outputs;
    }

    /** Whether {@link #tableToTensors} can lay out a table for this model. */
    public boolean acceptsTables() {
        return table != null;
    }

    /**
     * Checks tensors against the graph's inputs: every input present once, none extra, the right
     * element type, rank and fixed dimensions, and data matching the shape. Returns them in the graph's
     * order; otherwise an {@link InvalidInputException} (INVALID_PARAMETER_VALUE) naming the input.
     */
    public List<Tensor> validate(List<Tensor> given) {
        var byName = new LinkedHashMap<String, Tensor>();
        for (var t : given) {
            if (!inputsByName.containsKey(t.name())) {
                throw new InvalidInputException(t.name(), "Unknown input '" + t.name() + "'; the model's inputs are "
                        + String.join(", ", inputsByName.keySet()) + ".");
            }
            if (byName.put(t.name(), t) != null) {
                throw new InvalidInputException(t.name(), "Input '" + t.name() + "' is given twice.");
            }
        }
        var ordered = new ArrayList<Tensor>(inputs.size());
        for (var spec : inputs) {
            var t = byName.get(spec.name());
            if (t == null) {
                throw new InvalidInputException(spec.name(), "Missing input '" + spec.name() + "' (" + spec.type() + " "
                        + spec.shape() + ").");
            }
            if (t.type() != spec.type()) {
                throw new InvalidInputException(t.name(), "Input '" + t.name() + "' has type " + t.type()
                        + " but the model expects " + spec.type() + ".");
            }
            var expected = spec.shape();
            if (t.shape().length != expected.size()) {
                throw new InvalidInputException(t.name(), "Input '" + t.name() + "' has shape " + Arrays.toString(t.shape())
                        + " but the model expects " + expected + " (-1: any size).");
            }
            long count = 1;
            for (int d = 0; d < expected.size(); d++) {
                long dim = t.shape()[d];
                if (dim < 0 || expected.get(d) >= 0 && expected.get(d) != dim) {
                    throw new InvalidInputException(t.name(), "Input '" + t.name() + "' has shape " + Arrays.toString(t.shape())
                            + " but the model expects " + expected + " (-1: any size).");
                }
                try {
                    count = Math.multiplyExact(count, dim);
                } catch (ArithmeticException e) {
                    throw new InvalidInputException(t.name(), "Input '" + t.name() + "' has shape "
                            + Arrays.toString(t.shape()) + ", which holds too many elements.");
                }
            }
            if (t.data() instanceof String[] strings) {
                for (int i = 0; i < strings.length; i++) {
                    if (strings[i] == null) {
                        throw new InvalidInputException(t.name(), "Input '" + t.name() + "' has a missing value at element " + i
                                + "; string inputs cannot be null.");
                    }
                }
            }
            if (t.length() != count) {
                throw new InvalidInputException(t.name(), "Input '" + t.name() + "' has " + t.length() + " elements but its shape "
                        + Arrays.toString(t.shape()) + " holds " + count + ".");
            }
            ordered.add(t);
        }
        return ordered;
    }

    /**
     * Lays out a table (column name → {@code double[]}, {@code float[]}, {@code long[]}, {@code int[]},
     * {@code boolean[]} or {@code String[]}, {@code rows} values each) as the graph's input tensors — one
     * [rows, columns] matrix with the columns in signature order, or one input per column — checking it
     * against the signature's columns: an {@link InvalidInputException} naming a missing, unknown or
     * mistyped column (a string for a number, a fraction for an integer column, a number for a boolean
     * one, a value out of the input type's range). INVALID_PARAMETER_VALUE when the model takes no table
     * ({@link #acceptsTables()}).
     */
    public List<Tensor> tableToTensors(Map<String, Object> columns, int rows) {
        if (rows < 0) {
            throw LaunchpadException.invalid("A table cannot have " + rows + " rows.");
        }
        if (table == null) {
            throw LaunchpadException.invalid("This model takes tensors (" + describe(inputs)
                    + "), not a table of columns: send 'instances' or 'inputs', or OIP tensors.");
        }
        return validate(table.layout(columns, rows));
    }

    /**
     * Runs validated inputs (from {@link #validate} or {@link #tableToTensors}) through the session and
     * returns every output as a tensor.
     */
    public List<Tensor> run(List<Tensor> validated) {
        var lock = sessionLock.readLock();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the model is closed");
            }
            return runOpen(validated);
        } finally {
            lock.unlock();
        }
    }

    private List<Tensor> runOpen(List<Tensor> validated) {
        var pooled = buffers.poll();
        if (pooled == null || pooled.length != validated.size()) {
            pooled = new ByteBuffer[validated.size()];
        }
        var feeds = new LinkedHashMap<String, OnnxTensor>();
        try {
            for (int i = 0; i < validated.size(); i++) {
                var t = validated.get(i);
                feeds.put(t.name(), create(t, pooled, i));
            }
            try (var result = session.run(feeds)) {
                var out = new ArrayList<Tensor>(outputs.size());
                for (Map.Entry<String, OnnxValue> e : result) {
                    out.add(toTensor(e.getKey(), e.getValue()));
                }
                return out;
            }
        } catch (OrtException e) {
            throw LaunchpadException.invalid("ONNX Runtime rejected the input: " + e.getMessage());
        } finally {
            feeds.values().forEach(OnnxTensor::close);
            buffers.offer(pooled);
        }
    }

    /** Validates then runs. */
    public List<Tensor> predict(List<Tensor> inputs) {
        return run(validate(inputs));
    }

    private OnnxTensor create(Tensor t, ByteBuffer[] pool, int slot) throws OrtException {
        long[] shape = t.shape();
        return switch (t.type()) {
            case FLOAT32 -> {
                var b = direct(pool, slot, t.length() * 4L);
                b.asFloatBuffer().put(t.floats());
                yield OnnxTensor.createTensor(env, b.asFloatBuffer(), shape);
            }
            case FLOAT64 -> {
                var b = direct(pool, slot, t.length() * 8L);
                b.asDoubleBuffer().put(t.doubles());
                yield OnnxTensor.createTensor(env, b.asDoubleBuffer(), shape);
            }
            case INT64, UINT64 -> {
                var b = direct(pool, slot, t.length() * 8L);
                b.asLongBuffer().put(t.longs());
                yield OnnxTensor.createTensor(env, b.asLongBuffer(), shape);
            }
            case INT32 -> {
                var b = direct(pool, slot, t.length() * 4L);
                b.asIntBuffer().put((int[]) t.data());
                yield OnnxTensor.createTensor(env, b.asIntBuffer(), shape);
            }
            case INT16 -> {
                var b = direct(pool, slot, t.length() * 2L);
                var s = b.asShortBuffer();
                for (int v : (int[]) t.data()) {
                    s.put((short) v);
                }
                yield OnnxTensor.createTensor(env, b.asShortBuffer(), shape, OnnxJavaType.INT16);
            }
            case INT8, UINT8 -> {
                var b = direct(pool, slot, t.length());
                for (int v : (int[]) t.data()) {
                    b.put((byte) v);
                }
                b.flip();
                yield OnnxTensor.createTensor(env, b, shape, t.type() == TensorType.INT8 ? OnnxJavaType.INT8
                        : OnnxJavaType.UINT8);
            }
            case BOOL -> {
                var b = direct(pool, slot, t.length());
                for (boolean v : (boolean[]) t.data()) {
                    b.put((byte) (v ? 1 : 0));
                }
                b.flip();
                yield OnnxTensor.createTensor(env, b, shape, OnnxJavaType.BOOL);
            }
            case FLOAT16 -> {
                var b = direct(pool, slot, t.length() * 2L);
                var s = b.asShortBuffer();
                for (float v : t.floats()) {
                    s.put(Float.floatToFloat16(v));
                }
                yield OnnxTensor.createTensor(env, b.asShortBuffer(), shape, OnnxJavaType.FLOAT16);
            }
            case UINT16, UINT32 -> throw new InvalidInputException(t.name(), "Input '" + t.name() + "': ONNX Runtime's Java API"
                    + " cannot take " + t.type() + " tensors.");
            case STRING -> {
                for (var v : (String[]) t.data()) {
                    if (v == null) { // ONNX Runtime's native code would crash on a null string
                        throw new InvalidInputException(t.name(), "Input '" + t.name() + "' has a null string.");
                    }
                }
                yield OnnxTensor.createTensor(env, (String[]) t.data(), shape);
            }
        };
    }

    /** A cleared, native-order direct buffer of at least {@code bytes}, reused across calls. */
    private static ByteBuffer direct(ByteBuffer[] pool, int slot, long bytes) {
        var b = pool[slot];
        if (b == null || b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect(Math.toIntExact(Math.max(bytes, 256))).order(ByteOrder.nativeOrder());
            pool[slot] = b;
        }
        b.clear();
        b.limit(Math.toIntExact(bytes));
        return b;
    }

    private static Tensor toTensor(String name, OnnxValue value) throws OrtException {
        if (value instanceof OnnxTensor t) {
            var info = t.getInfo();
            long[] shape = info.getShape();
            return switch (info.type) {
                case FLOAT, FLOAT16, BFLOAT16 -> {
                    var b = t.getFloatBuffer();
                    var a = new float[b.remaining()];
                    b.get(a);
                    yield new Tensor(name, TensorType.FLOAT32, shape, a);
                }
                case DOUBLE -> {
                    var b = t.getDoubleBuffer();
                    var a = new double[b.remaining()];
                    b.get(a);
                    yield new Tensor(name, TensorType.FLOAT64, shape, a);
                }
                case INT64 -> {
                    var b = t.getLongBuffer();
                    var a = new long[b.remaining()];
                    b.get(a);
                    yield new Tensor(name, TensorType.INT64, shape, a);
                }
                case INT32 -> {
                    var b = t.getIntBuffer();
                    var a = new int[b.remaining()];
                    b.get(a);
                    yield new Tensor(name, TensorType.INT32, shape, a);
                }
                case INT16 -> {
                    var b = t.getShortBuffer();
                    var a = new int[b.remaining()];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = b.get();
                    }
                    yield new Tensor(name, TensorType.INT16, shape, a);
                }
                case INT8, UINT8 -> {
                    var b = t.getByteBuffer();
                    var a = new int[b.remaining()];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = info.type == OnnxJavaType.UINT8 ? b.get() & 0xff : b.get();
                    }
                    yield new Tensor(name, info.type == OnnxJavaType.UINT8 ? TensorType.UINT8 : TensorType.INT8, shape, a);
                }
                case BOOL -> {
                    var b = t.getByteBuffer();
                    var a = new boolean[b.remaining()];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = b.get() != 0;
                    }
                    yield new Tensor(name, TensorType.BOOL, shape, a);
                }
                case STRING -> {
                    var flat = new ArrayList<String>();
                    flattenStrings(t.getValue(), flat);
                    yield new Tensor(name, TensorType.STRING, shape, flat.toArray(String[]::new));
                }
                default -> throw new IllegalStateException("output '" + name + "' has unsupported type " + info.type);
            };
        }
        if (value instanceof OnnxSequence sequence) {
            // ONNX-ML classifiers' ZipMap: one {class → probability} map per row → a [rows, classes] matrix
            var rows = sequence.getValue();
            var keys = new TreeMap<String, Integer>();
            var maps = new ArrayList<Map<?, ?>>();
            TreeMap<Object, Object> first = null;
            for (var row : rows) {
                if (!(row instanceof OnnxMap map)) {
                    throw new IllegalStateException("output '" + name + "' is a sequence of " + row.getType());
                }
                var m = map.getValue();
                maps.add(m);
                if (first == null) {
                    first = new TreeMap<>(m);
                }
            }
            var order = first == null ? List.of() : List.copyOf(first.keySet());
            for (int i = 0; i < order.size(); i++) {
                keys.put(String.valueOf(order.get(i)), i);
            }
            var a = new float[maps.size() * order.size()];
            for (int r = 0; r < maps.size(); r++) {
                for (var e : maps.get(r).entrySet()) {
                    Integer column = keys.get(String.valueOf(e.getKey()));
                    if (column != null) {
                        a[r * order.size() + column] = ((Number) e.getValue()).floatValue();
                    }
                }
            }
            return new Tensor(name, TensorType.FLOAT32, new long[] {maps.size(), order.size()}, a);
        }
        throw new IllegalStateException("output '" + name + "' is a " + value.getType() + ", which is not supported");
    }

    private static void flattenStrings(Object value, List<String> into) {
        if (value instanceof String s) {
            into.add(s);
        } else if (value instanceof Object[] array) {
            for (var element : array) {
                flattenStrings(element, into);
            }
        }
    }

    private static List<Spec.Tensor> specs(Map<String, NodeInfo> nodes) {
        var specs = new ArrayList<Spec.Tensor>();
        for (var node : nodes.values()) {
            if (node.getInfo() instanceof TensorInfo tensor) {
                var shape = Arrays.stream(tensor.getShape()).map(d -> d < 0 ? -1 : d).boxed().toList();
                specs.add(new Spec.Tensor(node.getName(), typeOf(tensor.type), shape));
            } else if (node.getInfo() instanceof SequenceInfo seq && seq.sequenceOfMaps) {
                specs.add(new Spec.Tensor(node.getName(), TensorType.FLOAT32, List.of(-1L, -1L)));
            } else {
                throw LaunchpadException.invalid("The model's '" + node.getName() + "' is a " + node.getInfo()
                        + "; only tensors (and classifiers' probability maps) are supported.");
            }
        }
        return List.copyOf(specs);
    }

    /** Our tensor type for an ONNX Runtime element type; INVALID_PARAMETER_VALUE for ones we do not serve. */
    public static TensorType typeOf(OnnxJavaType type) {
        return switch (type) {
            case FLOAT -> TensorType.FLOAT32;
            case DOUBLE -> TensorType.FLOAT64;
            case FLOAT16, BFLOAT16 -> TensorType.FLOAT16;
            case INT8 -> TensorType.INT8;
            case INT16 -> TensorType.INT16;
            case INT32 -> TensorType.INT32;
            case INT64 -> TensorType.INT64;
            case UINT8 -> TensorType.UINT8;
            case BOOL -> TensorType.BOOL;
            case STRING -> TensorType.STRING;
            default -> throw LaunchpadException.invalid("Unsupported ONNX tensor type " + type);
        };
    }

    private static String describe(List<Spec.Tensor> specs) {
        return String.join(", ", specs.stream().map(s -> s.name() + " " + s.type() + " " + s.shape()).toList());
    }

    private static void closeQuietly(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // already failing
            }
        }
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
    }

    /** Closes the session once every call in progress has finished; later calls fail. */
    @Override
    public void close() {
        var lock = sessionLock.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("Cannot close the ONNX Runtime session", e);
        } finally {
            lock.unlock();
        }
        buffers.clear();
    }
}
