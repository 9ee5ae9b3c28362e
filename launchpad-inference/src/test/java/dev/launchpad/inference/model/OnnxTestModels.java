package dev.launchpad.inference.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds small, real ONNX models for tests by writing ONNX's protobuf encoding directly (field
 * numbers from onnx.proto), so tests need no Python and no committed binaries.
 */
public final class OnnxTestModels {
    private static final int FLOAT = 1;

    private OnnxTestModels() {
    }

    /**
     * A linear regression {@code y = x · w + b} with input {@code x: float32[N, weights.length]} and
     * output {@code y: float32[N, 1]}.
     */
    public static byte[] linearRegression(float[] weights, float bias) {
        int k = weights.length;
        var graph = new Proto()
                .message(1, node("MatMul", new String[] {"x", "w"}, "xw"))
                .message(1, node("Add", new String[] {"xw", "b"}, "y"))
                .string(2, "linear")
                .message(5, floatTensor("w", new long[] {k, 1}, weights))
                .message(5, floatTensor("b", new long[] {1}, new float[] {bias}))
                .message(11, valueInfo("x", "N", k))
                .message(12, valueInfo("y", "N", 1));
        return new Proto()
                .int64(1, 8)                                   // ir_version
                .string(2, "launchpad-tests")                  // producer_name
                .message(7, graph)                             // graph
                .message(8, new Proto().string(1, "").int64(2, 13)) // opset_import
                .bytes();
    }

    public static Path writeLinearRegression(Path file, float[] weights, float bias) {
        try {
            Files.write(file, linearRegression(weights, bias));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Proto node(String op, String[] inputs, String output) {
        var node = new Proto();
        for (var input : inputs) {
            node.string(1, input);
        }
        return node.string(2, output).string(3, op + "_" + output).string(4, op);
    }

    private static Proto floatTensor(String name, long[] dims, float[] values) {
        var tensor = new Proto();
        for (var d : dims) {
            tensor.int64(1, d);
        }
        var raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (var v : values) {
            raw.putFloat(v);
        }
        return tensor.int64(2, FLOAT).string(8, name).rawBytes(9, raw.array());
    }

    /** A float tensor value info with a symbolic batch dimension and a fixed second dimension. */
    private static Proto valueInfo(String name, String batchDim, long width) {
        var shape = new Proto()
                .message(1, new Proto().string(2, batchDim))
                .message(1, new Proto().int64(1, width));
        var tensorType = new Proto().int64(1, FLOAT).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }

    /** A minimal protobuf writer: varints, length-delimited strings, bytes and nested messages. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto int64(int field, long value) {
            tag(field, 0);
            varint(value);
            return this;
        }

        Proto string(int field, String value) {
            return rawBytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto message) {
            return rawBytes(field, message.bytes());
        }

        Proto rawBytes(int field, byte[] value) {
            tag(field, 2);
            varint(value.length);
            out.writeBytes(value);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void tag(int field, int wireType) {
            varint(((long) field << 3) | wireType);
        }

        private void varint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
