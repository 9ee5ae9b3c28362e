package dev.launchpad.server.oip;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.core.schema.TensorType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol's REST encoding: infer requests and responses as JSON, with tensor data
 * either inline (flat or nested row-major arrays) or, with the binary tensor extension, as raw
 * little-endian bytes after the JSON header ({@code Inference-Header-Content-Length} gives its length).
 */
public final class OipJson {
    /** Header carrying the JSON header's length when binary tensor data follows it. */
    public static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    private OipJson() {
    }

    /** A parsed infer request. */
    public record InferRequest(String id, List<OipTensor> inputs, List<RequestedOutput> outputs,
                               boolean binaryOutputs) {
    }

    /** An output the client asked for, and whether it wants it as binary data. */
    public record RequestedOutput(String name, boolean binary) {
    }

    /**
     * Parses a request body; {@code headerLength} is the JSON header's length when the binary
     * extension is in use (null otherwise). Every malformed part is INVALID_PARAMETER_VALUE or
     * MALFORMED_REQUEST naming the tensor and field.
     */
    public static InferRequest parseRequest(byte[] body, Integer headerLength) {
        int jsonLength = headerLength == null ? body.length : headerLength;
        if (jsonLength < 0 || jsonLength > body.length) {
            throw LaunchpadException.invalid(HEADER_LENGTH + " is " + headerLength + " but the body has only "
                    + body.length + " bytes.");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(body, 0, jsonLength);
        } catch (java.io.IOException e) {
            throw new LaunchpadException(dev.launchpad.core.error.ErrorCode.MALFORMED_REQUEST,
                    "The infer request is not valid JSON: " + firstLine(e));
        }
        if (root == null || !root.isObject()) {
            throw LaunchpadException.invalid("The infer request must be a JSON object with 'inputs'.");
        }
        var id = root.path("id");
        if (!id.isMissingNode() && !id.isNull() && !id.isTextual()) {
            throw LaunchpadException.invalid("'id' must be a string.");
        }
        if (id.isTextual()) {
            checkId(id.asText());
        }
        var inputs = root.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
            throw LaunchpadException.invalid("The infer request needs a non-empty 'inputs' array.");
        }
        var binary = ByteBuffer.wrap(body, jsonLength, body.length - jsonLength).slice().order(ByteOrder.LITTLE_ENDIAN);
        var tensors = new ArrayList<OipTensor>();
        for (var input : inputs) {
            tensors.add(parseInput(input, binary));
        }
        if (binary.hasRemaining()) {
            throw LaunchpadException.invalid("The request has " + binary.remaining() + " bytes of binary data that no"
                    + " input claims with 'binary_data_size'.");
        }
        boolean binaryOutputs = root.path("parameters").path("binary_data_output").asBoolean(false);
        var outputs = new ArrayList<RequestedOutput>();
        var requested = root.get("outputs");
        if (requested != null && !requested.isNull()) {
            if (!requested.isArray()) {
                throw LaunchpadException.invalid("'outputs' must be an array.");
            }
            for (var output : requested) {
                var name = output.path("name");
                if (!name.isTextual() || name.asText().isEmpty()) {
                    throw LaunchpadException.invalid("Every requested output needs a 'name'.");
                }
                outputs.add(new RequestedOutput(name.asText(),
                        output.path("parameters").path("binary_data").asBoolean(binaryOutputs)));
            }
        }
        return new InferRequest(id.isTextual() ? id.asText() : null, tensors, outputs, binaryOutputs);
    }

    /** A client's request id becomes a response header and a key of logged predictions: short printable ASCII. */
    public static void checkId(String id) {
        if (!dev.launchpad.platform.monitor.Observation.isRequestId(id)) {
            throw LaunchpadException.invalid("'id' must be at most 256 printable ASCII characters.");
        }
    }

    private static OipTensor parseInput(JsonNode input, ByteBuffer binary) {
        if (!input.isObject()) {
            throw LaunchpadException.invalid("Every input must be an object with name, shape, datatype and data.");
        }
        var nameNode = input.path("name");
        if (!nameNode.isTextual() || nameNode.asText().isEmpty()) {
            throw LaunchpadException.invalid("An input has no 'name'.");
        }
        String name = nameNode.asText();
        var datatypeNode = input.path("datatype");
        String datatype = datatypeNode.isTextual() ? datatypeNode.asText() : null;
        TensorType type = OipTensor.typeOf(name, datatype);
        var shapeNode = input.path("shape");
        if (!shapeNode.isArray()) {
            throw LaunchpadException.invalid("Input '" + name + "' needs a 'shape' array.");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            var d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber()) {
                throw LaunchpadException.invalid("Input '" + name + "' has a non-integer dimension in 'shape'.");
            }
            shape[i] = d.asLong();
        }
        long count = OipTensor.elementCount(name, shape);
        if (count > Integer.MAX_VALUE - 8) {
            throw LaunchpadException.invalid("Input '" + name + "' is too large (" + count + " elements).");
        }
        var binarySize = input.path("parameters").path("binary_data_size");
        if (!binarySize.isMissingNode()) {
            if (!binarySize.canConvertToInt() || binarySize.asInt() < 0) {
                throw LaunchpadException.invalid("Input '" + name + "': 'binary_data_size' must be a non-negative integer.");
            }
            if (input.has("data")) {
                throw LaunchpadException.invalid("Input '" + name + "' has both 'data' and 'binary_data_size'.");
            }
            int size = binarySize.asInt();
            if (size > binary.remaining()) {
                throw LaunchpadException.invalid("Input '" + name + "' claims " + size + " bytes of binary data but only "
                        + binary.remaining() + " remain.");
            }
            var slice = binary.slice(binary.position(), size).order(ByteOrder.LITTLE_ENDIAN);
            binary.position(binary.position() + size);
            return new OipTensor(name, datatype, shape, fromBinary(name, type, (int) count, slice));
        }
        var data = input.get("data");
        if (data == null || !data.isArray()) {
            throw LaunchpadException.invalid("Input '" + name + "' needs a 'data' array (or binary data).");
        }
        var flat = new ArrayList<JsonNode>((int) Math.min(count, 1 << 16));
        flatten(name, data, flat, count);
        if (flat.size() != count) {
            throw LaunchpadException.invalid("Input '" + name + "' has " + flat.size() + " elements but its shape "
                    + java.util.Arrays.toString(shape) + " needs " + count + ".");
        }
        return new OipTensor(name, datatype, shape, fromJson(name, type, flat));
    }

    private static void flatten(String name, JsonNode node, List<JsonNode> into, long limit) {
        for (var element : node) {
            if (element.isArray()) {
                flatten(name, element, into, limit);
            } else {
                if (into.size() >= limit) {
                    throw LaunchpadException.invalid("Input '" + name + "' has more elements than its shape allows.");
                }
                into.add(element);
            }
        }
    }

    /** Converts JSON elements to the flat Java array for {@code type}, naming the tensor in errors. */
    public static Object fromJson(String name, TensorType type, List<JsonNode> values) {
        int n = values.size();
        switch (type) {
            case BOOL -> {
                var out = new boolean[n];
                for (int i = 0; i < n; i++) {
                    var v = values.get(i);
                    if (!v.isBoolean()) {
                        throw wrongElement(name, "BOOL", "true or false", v);
                    }
                    out[i] = v.asBoolean();
                }
                return out;
            }
            case FLOAT16, FLOAT32 -> {
                var out = new float[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (float) number(name, type, values.get(i));
                }
                return out;
            }
            case FLOAT64 -> {
                var out = new double[n];
                for (int i = 0; i < n; i++) {
                    out[i] = number(name, type, values.get(i));
                }
                return out;
            }
            case INT8, UINT8, INT16, UINT16, INT32 -> {
                var out = new int[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (int) integer(name, type, values.get(i));
                }
                return out;
            }
            case INT64, UINT32, UINT64 -> {
                var out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = integer(name, type, values.get(i));
                }
                return out;
            }
            case STRING -> {
                var out = new String[n];
                for (int i = 0; i < n; i++) {
                    var v = values.get(i);
                    if (!v.isTextual()) {
                        throw wrongElement(name, "BYTES", "a string", v);
                    }
                    out[i] = v.asText();
                }
                return out;
            }
        }
        throw new IllegalStateException(type.name());
    }

    private static double number(String name, TensorType type, JsonNode v) {
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isTextual()) {
            switch (v.asText()) {
                case "NaN": return Double.NaN;
                case "Infinity", "inf": return Double.POSITIVE_INFINITY;
                case "-Infinity", "-inf": return Double.NEGATIVE_INFINITY;
                default: break;
            }
        }
        throw wrongElement(name, OipTensor.datatypeOf(type), "a number", v);
    }

    private static long integer(String name, TensorType type, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongElement(name, OipTensor.datatypeOf(type), "an integer", v);
        }
        return inRange(name, type, v.asLong());
    }

    /** {@code value} when {@code type} can hold it; INVALID_PARAMETER_VALUE otherwise. */
    static long inRange(String name, TensorType type, long value) {
        long min = switch (type) {
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            case UINT8, UINT16, UINT32, UINT64 -> 0;
            default -> Long.MIN_VALUE;
        };
        long max = switch (type) {
            case INT8 -> Byte.MAX_VALUE;
            case UINT8 -> 255;
            case INT16 -> Short.MAX_VALUE;
            case UINT16 -> 65_535;
            case INT32 -> Integer.MAX_VALUE;
            case UINT32 -> 4_294_967_295L;
            default -> Long.MAX_VALUE;
        };
        if (value < min || value > max) {
            throw LaunchpadException.invalid("Input '" + name + "': " + value + " is out of range for "
                    + OipTensor.datatypeOf(type) + ".");
        }
        return value;
    }

    private static LaunchpadException wrongElement(String name, String datatype, String expected, JsonNode v) {
        var text = v.toString();
        return LaunchpadException.invalid("Input '" + name + "' is " + datatype + " but has element "
                + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "; expected " + expected + ".");
    }

    /** Decodes raw little-endian tensor bytes (BYTES elements: 4-byte length + UTF-8) into the flat Java array. */
    public static Object fromBinary(String name, TensorType type, int count, ByteBuffer bytes) {
        bytes = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        int width = switch (type) {
            case BOOL, INT8, UINT8 -> 1;
            case INT16, UINT16, FLOAT16 -> 2;
            case INT32, UINT32, FLOAT32 -> 4;
            case INT64, UINT64, FLOAT64 -> 8;
            case STRING -> 0;
        };
        if (width > 0 && bytes.remaining() != (long) count * width) {
            throw LaunchpadException.invalid("Input '" + name + "' has " + bytes.remaining() + " bytes of binary data;"
                    + " its shape and datatype need " + (long) count * width + ".");
        }
        switch (type) {
            case BOOL -> {
                var out = new boolean[count];
                for (int i = 0; i < count; i++) {
                    out[i] = bytes.get() != 0;
                }
                return out;
            }
            case INT8, UINT8, INT16, UINT16, INT32 -> {
                var out = new int[count];
                for (int i = 0; i < count; i++) {
                    out[i] = switch (type) {
                        case INT8 -> bytes.get();
                        case UINT8 -> bytes.get() & 0xff;
                        case INT16 -> bytes.getShort();
                        case UINT16 -> bytes.getShort() & 0xffff;
                        default -> bytes.getInt();
                    };
                }
                return out;
            }
            case INT64, UINT32, UINT64 -> {
                var out = new long[count];
                for (int i = 0; i < count; i++) {
                    out[i] = type == TensorType.UINT32 ? bytes.getInt() & 0xffff_ffffL : bytes.getLong();
                }
                return out;
            }
            case FLOAT16 -> {
                var out = new float[count];
                for (int i = 0; i < count; i++) {
                    out[i] = Float.float16ToFloat(bytes.getShort());
                }
                return out;
            }
            case FLOAT32 -> {
                var out = new float[count];
                bytes.asFloatBuffer().get(out);
                return out;
            }
            case FLOAT64 -> {
                var out = new double[count];
                bytes.asDoubleBuffer().get(out);
                return out;
            }
            case STRING -> {
                // each element: a 4-byte little-endian length, then that many bytes
                if (count > bytes.remaining() / 4) {
                    throw LaunchpadException.invalid("Input '" + name + "' declares " + count + " BYTES elements but has"
                            + " only " + bytes.remaining() + " bytes of binary data.");
                }
                var out = new String[count];
                for (int i = 0; i < count; i++) {
                    if (bytes.remaining() < 4) {
                        throw LaunchpadException.invalid("Input '" + name + "': binary BYTES data ends before element " + i + ".");
                    }
                    int length = bytes.getInt();
                    if (length < 0 || length > bytes.remaining()) {
                        throw LaunchpadException.invalid("Input '" + name + "': binary BYTES element " + i
                                + " claims " + length + " bytes but " + bytes.remaining() + " remain.");
                    }
                    var raw = new byte[length];
                    bytes.get(raw);
                    out[i] = new String(raw, StandardCharsets.UTF_8);
                }
                if (bytes.hasRemaining()) {
                    throw LaunchpadException.invalid("Input '" + name + "' has " + bytes.remaining()
                            + " bytes of binary data after its " + count + " elements.");
                }
                return out;
            }
        }
        throw new IllegalStateException(type.name());
    }

    /** An encoded response: the bytes to send, and the JSON header's length when binary data follows. */
    public record Encoded(byte[] body, Integer headerLength) {
    }

    /** Encodes a response; outputs named in {@code binaryOutputs} go as binary data after the JSON. */
    public static Encoded encodeResponse(String modelName, String modelVersion, String id, List<OipTensor> outputs,
                                         java.util.Set<String> binaryOutputs) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("model_name", modelName);
        if (modelVersion != null) {
            root.put("model_version", modelVersion);
        }
        if (id != null) {
            root.put("id", id);
        }
        ArrayNode list = root.putArray("outputs");
        var binaryParts = new ArrayList<byte[]>();
        for (var tensor : outputs) {
            var node = list.addObject();
            node.put("name", tensor.name());
            node.put("datatype", tensor.datatype());
            var shape = node.putArray("shape");
            for (long d : tensor.shape()) {
                shape.add(d);
            }
            if (binaryOutputs.contains(tensor.name())) {
                byte[] raw = toBinary(tensor);
                node.putObject("parameters").put("binary_data_size", raw.length);
                binaryParts.add(raw);
            } else {
                writeData(node.putArray("data"), tensor.data());
            }
        }
        try {
            byte[] json = Json.mapper().writeValueAsBytes(root);
            if (binaryParts.isEmpty()) {
                return new Encoded(json, null);
            }
            int total = json.length + binaryParts.stream().mapToInt(b -> b.length).sum();
            var out = ByteBuffer.allocate(total).put(json);
            binaryParts.forEach(out::put);
            return new Encoded(out.array(), json.length);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeData(ArrayNode into, Object data) {
        switch (data) {
            case float[] a -> { for (float v : a) { into.add(v); } }
            case double[] a -> { for (double v : a) { into.add(v); } }
            case int[] a -> { for (int v : a) { into.add(v); } }
            case long[] a -> { for (long v : a) { into.add(v); } }
            case boolean[] a -> { for (boolean v : a) { into.add(v); } }
            case byte[] a -> { for (byte v : a) { into.add(v); } }
            case short[] a -> { for (short v : a) { into.add(v); } }
            case String[] a -> { for (String v : a) { into.add(v); } }
            default -> throw new IllegalArgumentException("unsupported tensor data " + data.getClass());
        }
    }

    private static byte[] toBinary(OipTensor tensor) {
        Object data = tensor.data();
        ByteBuffer out;
        switch (data) {
            case float[] a -> { out = le(a.length * 4L); out.asFloatBuffer().put(a); }
            case double[] a -> { out = le(a.length * 8L); out.asDoubleBuffer().put(a); }
            case int[] a -> {
                switch (tensor.datatype()) {
                    case "INT8", "UINT8" -> { out = le(a.length); for (int v : a) { out.put((byte) v); } }
                    case "INT16", "UINT16" -> { out = le(a.length * 2L); for (int v : a) { out.putShort((short) v); } }
                    default -> { out = le(a.length * 4L); out.asIntBuffer().put(a); }
                }
            }
            case long[] a -> { out = le(a.length * 8L); out.asLongBuffer().put(a); }
            case boolean[] a -> { out = le(a.length); for (boolean v : a) { out.put((byte) (v ? 1 : 0)); } }
            case String[] a -> {
                var encoded = new ArrayList<byte[]>();
                long size = 0;
                for (String s : a) {
                    var b = s.getBytes(StandardCharsets.UTF_8);
                    encoded.add(b);
                    size += 4 + b.length;
                }
                out = le(size);
                for (var b : encoded) {
                    out.putInt(b.length).put(b);
                }
            }
            default -> throw new IllegalArgumentException("unsupported tensor data " + data.getClass());
        }
        return out.array();
    }

    private static ByteBuffer le(long size) {
        return ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String firstLine(Exception e) {
        var message = String.valueOf(e.getMessage());
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Model metadata as the protocol returns it. */
    public static ObjectNode modelMetadata(String name, List<String> versions, String platform,
                                           Map<String, Map.Entry<String, long[]>> inputs,
                                           Map<String, Map.Entry<String, long[]>> outputs) {
        var root = Json.mapper().createObjectNode();
        root.put("name", name);
        var v = root.putArray("versions");
        versions.forEach(v::add);
        root.put("platform", platform);
        tensors(root.putArray("inputs"), inputs);
        tensors(root.putArray("outputs"), outputs);
        return root;
    }

    private static void tensors(ArrayNode into, Map<String, Map.Entry<String, long[]>> tensors) {
        for (var e : new LinkedHashMap<>(tensors).entrySet()) {
            var node = into.addObject();
            node.put("name", e.getKey());
            node.put("datatype", e.getValue().getKey());
            var shape = node.putArray("shape");
            for (long d : e.getValue().getValue()) {
                shape.add(d);
            }
        }
    }
}
