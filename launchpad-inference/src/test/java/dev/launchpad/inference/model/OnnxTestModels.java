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


    /**
     * A multi-layer perceptron {@code y = sigmoid(relu(x·W1 + b1)·W2 + b2)} with input
     * {@code x: float32[N, inputs]}, one hidden layer and output {@code y: float32[N, 1]}; weights drawn
     * from {@code seed}. {@link Mlp#predict} computes the same function in Java.
     */
    public static Mlp mlp(int inputs, int hidden, long seed) {
        var random = new java.util.Random(seed);
        var w1 = new float[inputs * hidden];
        var b1 = new float[hidden];
        var w2 = new float[hidden];
        for (int i = 0; i < w1.length; i++) {
            w1[i] = (float) (random.nextGaussian() / Math.sqrt(inputs));
        }
        for (int i = 0; i < hidden; i++) {
            b1[i] = (float) (random.nextGaussian() * 0.1);
            w2[i] = (float) (random.nextGaussian() / Math.sqrt(hidden));
        }
        float b2 = (float) (random.nextGaussian() * 0.1);
        var graph = new Proto()
                .message(1, node("MatMul", new String[] {"x", "w1"}, "h0"))
                .message(1, node("Add", new String[] {"h0", "b1"}, "h1"))
                .message(1, node("Relu", new String[] {"h1"}, "h2"))
                .message(1, node("MatMul", new String[] {"h2", "w2"}, "o0"))
                .message(1, node("Add", new String[] {"o0", "b2"}, "o1"))
                .message(1, node("Sigmoid", new String[] {"o1"}, "y"))
                .string(2, "mlp")
                .message(5, floatTensor("w1", new long[] {inputs, hidden}, w1))
                .message(5, floatTensor("b1", new long[] {hidden}, b1))
                .message(5, floatTensor("w2", new long[] {hidden, 1}, w2))
                .message(5, floatTensor("b2", new long[] {1}, new float[] {b2}))
                .message(11, valueInfo("x", "N", inputs))
                .message(12, valueInfo("y", "N", 1));
        byte[] onnx = new Proto().int64(1, 8).string(2, "launchpad-tests").message(7, graph)
                .message(8, new Proto().string(1, "").int64(2, 13)).bytes();
        return new Mlp(onnx, inputs, hidden, w1, b1, w2, b2);
    }

    /** An MLP test model and its weights. */
    public record Mlp(byte[] onnx, int inputs, int hidden, float[] w1, float[] b1, float[] w2, float b2) {
        /** The model's output for one row, computed in Java (double precision). */
        public double predict(float[] row) {
            double out = b2;
            for (int j = 0; j < hidden; j++) {
                double h = b1[j];
                for (int i = 0; i < inputs; i++) {
                    h += row[i] * w1[i * hidden + j];
                }
                out += Math.max(0, h) * w2[j];
            }
            return 1 / (1 + Math.exp(-out));
        }

        public Path write(Path file) {
            try {
                return Files.write(file, onnx);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * A tree ensemble regressor (ONNX-ML {@code TreeEnsembleRegressor}, summing {@code trees} complete
     * binary trees of {@code depth} with "x[f] ≤ threshold" splits) with input {@code X: float32[N, features]}
     * and output {@code Y: float32[N, 1]}; {@link Forest#predict} evaluates the same trees in Java.
     */
    public static Forest forest(int features, int trees, int depth, long seed) {
        var random = new java.util.Random(seed);
        int internal = (1 << depth) - 1;
        int nodes = (1 << (depth + 1)) - 1;
        var featureIds = new int[trees][internal];
        var thresholds = new float[trees][internal];
        var leafValues = new float[trees][nodes - internal];
        for (int t = 0; t < trees; t++) {
            for (int n = 0; n < internal; n++) {
                featureIds[t][n] = random.nextInt(features);
                thresholds[t][n] = (float) random.nextGaussian();
            }
            for (int l = 0; l < nodes - internal; l++) {
                leafValues[t][l] = (float) random.nextGaussian();
            }
        }
        var node = new Proto().string(1, "X").string(2, "Y").string(3, "forest").string(4, "TreeEnsembleRegressor")
                .string(7, "ai.onnx.ml");
        var treeIds = new Proto();
        var nodeIds = new Proto();
        var nodeFeatures = new Proto();
        var modes = new Proto();
        var values = new Proto();
        var trueIds = new Proto();
        var falseIds = new Proto();
        var targetTrees = new Proto();
        var targetNodes = new Proto();
        var targetIds = new Proto();
        var targetWeights = new Proto();
        for (int t = 0; t < trees; t++) {
            for (int n = 0; n < nodes; n++) {
                boolean leaf = n >= internal;
                treeIds.int64(8, t);
                nodeIds.int64(8, n);
                nodeFeatures.int64(8, leaf ? 0 : featureIds[t][n]);
                modes.string(9, leaf ? "LEAF" : "BRANCH_LEQ");
                values.fixed32(7, leaf ? 0f : thresholds[t][n]);
                trueIds.int64(8, leaf ? 0 : 2L * n + 1);
                falseIds.int64(8, leaf ? 0 : 2L * n + 2);
                if (leaf) {
                    targetTrees.int64(8, t);
                    targetNodes.int64(8, n);
                    targetIds.int64(8, 0);
                    targetWeights.fixed32(7, leafValues[t][n - internal]);
                }
            }
        }
        node.message(5, attribute("nodes_treeids", 7, treeIds))
                .message(5, attribute("nodes_nodeids", 7, nodeIds))
                .message(5, attribute("nodes_featureids", 7, nodeFeatures))
                .message(5, attribute("nodes_modes", 8, modes))
                .message(5, attribute("nodes_values", 6, values))
                .message(5, attribute("nodes_truenodeids", 7, trueIds))
                .message(5, attribute("nodes_falsenodeids", 7, falseIds))
                .message(5, attribute("target_treeids", 7, targetTrees))
                .message(5, attribute("target_nodeids", 7, targetNodes))
                .message(5, attribute("target_ids", 7, targetIds))
                .message(5, attribute("target_weights", 6, targetWeights))
                .message(5, new Proto().string(1, "n_targets").int64(3, 1).int64(20, 2))
                .message(5, new Proto().string(1, "aggregate_function").string(4, "SUM").int64(20, 3))
                .message(5, new Proto().string(1, "post_transform").string(4, "NONE").int64(20, 3));
        var graph = new Proto().message(1, node).string(2, "forest")
                .message(11, valueInfo("X", "N", features))
                .message(12, valueInfo("Y", "N", 1));
        byte[] onnx = new Proto().int64(1, 8).string(2, "launchpad-tests").message(7, graph)
                .message(8, new Proto().string(1, "").int64(2, 13))
                .message(8, new Proto().string(1, "ai.onnx.ml").int64(2, 3))
                .bytes();
        return new Forest(onnx, features, depth, featureIds, thresholds, leafValues);
    }

    /** A tree-ensemble test model and its trees. */
    public record Forest(byte[] onnx, int features, int depth, int[][] featureIds, float[][] thresholds,
                         float[][] leafValues) {
        /** The sum of every tree's leaf for one row, computed in Java. */
        public double predict(float[] row) {
            int internal = (1 << depth) - 1;
            double sum = 0;
            for (int t = 0; t < featureIds.length; t++) {
                int n = 0;
                while (n < internal) {
                    n = row[featureIds[t][n]] <= thresholds[t][n] ? 2 * n + 1 : 2 * n + 2;
                }
                sum += leafValues[t][n - internal];
            }
            return sum;
        }

        public Path write(Path file) {
            try {
                return Files.write(file, onnx);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** An attribute holding a repeated field ({@code type}: 6 FLOATS, 7 INTS, 8 STRINGS) written into {@code values}. */
    private static Proto attribute(String name, int type, Proto values) {
        return new Proto().string(1, name).append(values).int64(20, type);
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

        /** A float field (wire type 5, little-endian). */
        Proto fixed32(int field, float value) {
            tag(field, 5);
            int bits = Float.floatToIntBits(value);
            for (int i = 0; i < 4; i++) {
                out.write((bits >>> (8 * i)) & 0xff);
            }
            return this;
        }

        /** Appends another writer's fields to this message. */
        Proto append(Proto fields) {
            out.writeBytes(fields.bytes());
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
