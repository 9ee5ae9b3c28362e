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
 * numbers from onnx.proto), so tests need no Python and no committed binaries. Each model comes with a
 * plain-Java computation of the same function, so tests can check ONNX Runtime's answers numerically.
 * Published in this module's test-jar for other modules' tests and the benchmarks.
 */
public final class OnnxTestModels {
    // TensorProto.DataType
    private static final int FLOAT = 1;
    private static final int INT32 = 6;
    private static final int INT64 = 7;
    private static final int STRING = 8;
    private static final int BOOL = 9;
    private static final int DOUBLE = 11;
    // AttributeProto.AttributeType
    private static final int ATTR_INT = 2;
    private static final int ATTR_STRING = 3;
    private static final int ATTR_FLOATS = 6;
    private static final int ATTR_INTS = 7;
    private static final int ATTR_STRINGS = 8;
    private static final String ML = "ai.onnx.ml";

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

    /**
     * Writes a model package into {@code directory}: the model as {@code model.onnx} and an MLflow
     * {@code MLmodel} with its onnx flavor and {@code signature} (null: none, read off the graph). Returns
     * the directory.
     */
    public static Path writePackage(Path directory, byte[] onnx, dev.launchpad.core.schema.Signature signature) {
        try {
            Files.createDirectories(directory);
            Files.write(directory.resolve("model.onnx"), onnx);
            Files.writeString(directory.resolve(ModelPackage.DESCRIPTOR_FILE),
                    ModelPackage.forOnnx("model.onnx", signature, null, "test").toYaml());
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A tree-ensemble classifier (ONNX-ML {@code TreeEnsembleClassifier} with softmax, {@code trees} complete
     * binary trees of {@code depth} over {@code features} float features, {@code classes} ≥ 3 classes labelled
     * 10, 20, 30, …). Input {@code X: float32[N, features]}; outputs {@code label: int64[N]} and
     * {@code probabilities}: a {@code float32[N, classes]} tensor, or with {@code zipMap} the sequence of
     * {label → probability} maps that converters (skl2onnx) emit by default. {@link TreeClassifier}
     * computes the same in Java.
     */
    public static TreeClassifier treeClassifier(int features, int trees, int depth, int classes, long seed,
                                                boolean zipMap) {
        if (classes < 3) {
            throw new IllegalArgumentException("classes must be ≥ 3 (ONNX Runtime treats two classes specially)");
        }
        var random = new java.util.Random(seed);
        int internal = (1 << depth) - 1;
        int nodes = (1 << (depth + 1)) - 1;
        var featureIds = new int[trees][internal];
        var thresholds = new float[trees][internal];
        var leafWeights = new float[trees][nodes - internal][classes];
        for (int t = 0; t < trees; t++) {
            for (int n = 0; n < internal; n++) {
                featureIds[t][n] = random.nextInt(features);
                thresholds[t][n] = (float) random.nextGaussian();
            }
            for (int l = 0; l < nodes - internal; l++) {
                for (int c = 0; c < classes; c++) {
                    leafWeights[t][l][c] = (float) (random.nextGaussian() * 0.5);
                }
            }
        }
        var labels = new long[classes];
        var labelList = new Proto();
        for (int c = 0; c < classes; c++) {
            labels[c] = 10L * (c + 1);
            labelList.int64(8, labels[c]);
        }
        var treeIds = new Proto();
        var nodeIds = new Proto();
        var nodeFeatures = new Proto();
        var modes = new Proto();
        var values = new Proto();
        var trueIds = new Proto();
        var falseIds = new Proto();
        var classTrees = new Proto();
        var classNodes = new Proto();
        var classIds = new Proto();
        var classWeights = new Proto();
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
                    for (int c = 0; c < classes; c++) {
                        classTrees.int64(8, t);
                        classNodes.int64(8, n);
                        classIds.int64(8, c);
                        classWeights.fixed32(7, leafWeights[t][n - internal][c]);
                    }
                }
            }
        }
        String scores = zipMap ? "scores" : "probabilities";
        var classifier = node("TreeEnsembleClassifier", ML, new String[] {"X"}, new String[] {"label", scores})
                .message(5, attribute("classlabels_int64s", ATTR_INTS, labelList))
                .message(5, attribute("nodes_treeids", ATTR_INTS, treeIds))
                .message(5, attribute("nodes_nodeids", ATTR_INTS, nodeIds))
                .message(5, attribute("nodes_featureids", ATTR_INTS, nodeFeatures))
                .message(5, attribute("nodes_modes", ATTR_STRINGS, modes))
                .message(5, attribute("nodes_values", ATTR_FLOATS, values))
                .message(5, attribute("nodes_truenodeids", ATTR_INTS, trueIds))
                .message(5, attribute("nodes_falsenodeids", ATTR_INTS, falseIds))
                .message(5, attribute("class_treeids", ATTR_INTS, classTrees))
                .message(5, attribute("class_nodeids", ATTR_INTS, classNodes))
                .message(5, attribute("class_ids", ATTR_INTS, classIds))
                .message(5, attribute("class_weights", ATTR_FLOATS, classWeights))
                .message(5, stringAttribute("post_transform", "SOFTMAX"));
        var graph = new Proto().message(1, classifier);
        Proto probabilitiesType;
        if (zipMap) {
            graph.message(1, node("ZipMap", ML, new String[] {scores}, new String[] {"probabilities"})
                    .message(5, attribute("classlabels_int64s", ATTR_INTS, labelList)));
            var map = new Proto().int64(1, INT64).message(2, new Proto().message(1, new Proto().int64(1, FLOAT)));
            probabilitiesType = new Proto().message(4, new Proto().message(1, new Proto().message(5, map)));
        } else {
            probabilitiesType = tensorType(FLOAT, "N", (long) classes);
        }
        graph.string(2, "tree_classifier")
                .message(11, valueInfo("X", FLOAT, "N", (long) features))
                .message(12, valueInfo("label", INT64, "N"))
                .message(12, new Proto().string(1, "probabilities").message(2, probabilitiesType));
        return new TreeClassifier(model(graph), features, depth, labels, featureIds, thresholds, leafWeights);
    }

    /** A tree-ensemble classifier test model and its trees. */
    public record TreeClassifier(byte[] onnx, int features, int depth, long[] labels, int[][] featureIds,
                                 float[][] thresholds, float[][][] leafWeights) {
        /** Class probabilities for one row (softmax of the summed leaf weights), in label order. */
        public double[] probabilities(float[] row) {
            int internal = (1 << depth) - 1;
            var scores = new double[labels.length];
            for (int t = 0; t < featureIds.length; t++) {
                int n = 0;
                while (n < internal) {
                    n = row[featureIds[t][n]] <= thresholds[t][n] ? 2 * n + 1 : 2 * n + 2;
                }
                for (int c = 0; c < labels.length; c++) {
                    scores[c] += leafWeights[t][n - internal][c];
                }
            }
            double max = java.util.Arrays.stream(scores).max().orElseThrow();
            double sum = 0;
            for (int c = 0; c < scores.length; c++) {
                scores[c] = Math.exp(scores[c] - max);
                sum += scores[c];
            }
            for (int c = 0; c < scores.length; c++) {
                scores[c] /= sum;
            }
            return scores;
        }

        /** The predicted label for one row: the most probable class. */
        public long label(float[] row) {
            var p = probabilities(row);
            int best = 0;
            for (int c = 1; c < p.length; c++) {
                if (p[c] > p[best]) {
                    best = c;
                }
            }
            return labels[best];
        }

        public Path write(Path file) {
            try {
                return Files.write(file, onnx);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The city categories of {@link #mixedTypes()}, in their index order; other cities map to -1. */
    public static final java.util.List<String> CITIES = java.util.List.of("berlin", "lagos", "lima");

    /**
     * A model with one input per column and one of each element type, for tables with typed columns:
     * inputs {@code amount: float64[N, 1]}, {@code count: int64[N, 1]}, {@code code: int32[N, 1]},
     * {@code flag: bool[N, 1]} and {@code city: string[N, 1]}; outputs
     * {@code score: float64[N, 1]} = {@link #mixedScore}, {@code city_id: int64[N, 1]} (the city's index in
     * {@link #CITIES}, -1 if unknown; ONNX-ML CategoryMapper), {@code code_squared: int32[N, 1]},
     * {@code not_flag: bool[N, 1]} and {@code city_echo: string[N, 1]} (the city as given).
     */
    public static byte[] mixedTypes() {
        var cats = new Proto();
        var ids = new Proto();
        for (int i = 0; i < CITIES.size(); i++) {
            cats.string(9, CITIES.get(i));
            ids.int64(8, i);
        }
        var graph = new Proto()
                .message(1, cast("count", "count_d", DOUBLE))
                .message(1, cast("code", "code_d", DOUBLE))
                .message(1, cast("flag", "flag_d", DOUBLE))
                .message(1, node("CategoryMapper", ML, new String[] {"city"}, new String[] {"city_id"})
                        .message(5, attribute("cats_strings", ATTR_STRINGS, cats))
                        .message(5, attribute("cats_int64s", ATTR_INTS, ids))
                        .message(5, new Proto().string(1, "default_int64").int64(3, -1).int64(20, ATTR_INT)))
                .message(1, cast("city_id", "city_d", DOUBLE))
                .message(1, node("Mul", "", new String[] {"count_d", "two"}, new String[] {"t_count"}))
                .message(1, node("Mul", "", new String[] {"code_d", "three"}, new String[] {"t_code"}))
                .message(1, node("Mul", "", new String[] {"flag_d", "four"}, new String[] {"t_flag"}))
                .message(1, node("Mul", "", new String[] {"city_d", "five"}, new String[] {"t_city"}))
                .message(1, node("Add", "", new String[] {"amount", "t_count"}, new String[] {"s1"}))
                .message(1, node("Add", "", new String[] {"s1", "t_code"}, new String[] {"s2"}))
                .message(1, node("Add", "", new String[] {"s2", "t_flag"}, new String[] {"s3"}))
                .message(1, node("Add", "", new String[] {"s3", "t_city"}, new String[] {"score"}))
                .message(1, node("Mul", "", new String[] {"code", "code"}, new String[] {"code_squared"}))
                .message(1, node("Not", "", new String[] {"flag"}, new String[] {"not_flag"}))
                .message(1, node("Identity", "", new String[] {"city"}, new String[] {"city_echo"}))
                .string(2, "mixed_types")
                .message(5, doubleScalar("two", 2))
                .message(5, doubleScalar("three", 3))
                .message(5, doubleScalar("four", 4))
                .message(5, doubleScalar("five", 5))
                .message(11, valueInfo("amount", DOUBLE, "N", 1L))
                .message(11, valueInfo("count", INT64, "N", 1L))
                .message(11, valueInfo("code", INT32, "N", 1L))
                .message(11, valueInfo("flag", BOOL, "N", 1L))
                .message(11, valueInfo("city", STRING, "N", 1L))
                .message(12, valueInfo("score", DOUBLE, "N", 1L))
                .message(12, valueInfo("city_id", INT64, "N", 1L))
                .message(12, valueInfo("code_squared", INT32, "N", 1L))
                .message(12, valueInfo("not_flag", BOOL, "N", 1L))
                .message(12, valueInfo("city_echo", STRING, "N", 1L));
        return model(graph);
    }

    /**
     * A model that casts its input {@code x: float[N, 1]} to small integers: outputs {@code unsigned: uint8[N, 1]} and
     * {@code signed: int8[N, 1]} (values that fit both types come back as they went in).
     */
    public static byte[] smallIntegers() {
        var graph = new Proto()
                .message(1, cast("x", "unsigned", 2)) // TensorProto.UINT8
                .message(1, cast("x", "signed", 3)) // TensorProto.INT8
                .string(2, "small_integers")
                .message(11, valueInfo("x", FLOAT, "N", 1L))
                .message(12, valueInfo("unsigned", 2, "N", 1L))
                .message(12, valueInfo("signed", 3, "N", 1L));
        return model(graph);
    }

    /** What {@link #mixedTypes()} computes as {@code score}: amount + 2·count + 3·code + 4·flag + 5·city_id. */
    public static double mixedScore(double amount, long count, int code, boolean flag, String city) {
        return amount + 2.0 * count + 3.0 * code + (flag ? 4 : 0) + 5.0 * CITIES.indexOf(city);
    }

    /** A model proto around {@code graph}, importing the default opset 13 and ai.onnx.ml 3. */
    private static byte[] model(Proto graph) {
        return new Proto().int64(1, 8).string(2, "launchpad-tests").message(7, graph)
                .message(8, new Proto().string(1, "").int64(2, 13))
                .message(8, new Proto().string(1, ML).int64(2, 3))
                .bytes();
    }

    private static Proto node(String op, String domain, String[] inputs, String[] outputs) {
        var node = new Proto();
        for (var input : inputs) {
            node.string(1, input);
        }
        for (var output : outputs) {
            node.string(2, output);
        }
        node.string(3, op + "_" + outputs[0]).string(4, op);
        return domain.isEmpty() ? node : node.string(7, domain);
    }

    private static Proto cast(String input, String output, int to) {
        return node("Cast", "", new String[] {input}, new String[] {output})
                .message(5, new Proto().string(1, "to").int64(3, to).int64(20, ATTR_INT));
    }

    private static Proto stringAttribute(String name, String value) {
        return new Proto().string(1, name).string(4, value).int64(20, ATTR_STRING);
    }

    private static Proto doubleScalar(String name, double value) {
        var raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(value);
        return new Proto().int64(1, 1).int64(2, DOUBLE).string(8, name).rawBytes(9, raw.array());
    }

    /** A tensor type of {@code elemType} whose dimensions are symbolic (a String) or fixed (a Long). */
    private static Proto tensorType(int elemType, Object... dims) {
        var shape = new Proto();
        for (var d : dims) {
            shape.message(1, d instanceof String symbol ? new Proto().string(2, symbol)
                    : new Proto().int64(1, (Long) d));
        }
        return new Proto().message(1, new Proto().int64(1, elemType).message(2, shape));
    }

    private static Proto valueInfo(String name, int elemType, Object... dims) {
        return new Proto().string(1, name).message(2, tensorType(elemType, dims));
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
