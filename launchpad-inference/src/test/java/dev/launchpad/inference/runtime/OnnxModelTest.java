package dev.launchpad.inference.runtime;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.schema.ColumnType;
import dev.launchpad.core.schema.Signature;
import dev.launchpad.core.schema.Spec;
import dev.launchpad.core.schema.TensorType;
import dev.launchpad.inference.model.ModelPackage;
import dev.launchpad.inference.model.OnnxTestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Loading ONNX models, predictions checked against Java computations of the same models, and input checks. */
class OnnxModelTest {

    private static float[] randomRows(int rows, int width, long seed) {
        var random = new Random(seed);
        var data = new float[rows * width];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return data;
    }

    @Test
    void anMlpWithThirtyInputsPredictsWhatTheJavaComputationDoes(@TempDir Path dir) {
        var mlp = OnnxTestModels.mlp(30, 16, 7);
        try (var model = OnnxModel.loadFile(mlp.write(dir.resolve("mlp.onnx")), null, OnnxModel.Options.DEFAULTS)) {
            assertThat(model.inputs()).containsExactly(new Spec.Tensor("x", TensorType.FLOAT32, List.of(-1L, 30L)));
            int rows = 50;
            var x = randomRows(rows, 30, 1);
            var y = model.predict(List.of(Tensor.of("x", x, rows, 30))).getFirst();
            assertThat(y.shape()).containsExactly(rows, 1);
            for (int r = 0; r < rows; r++) {
                var row = java.util.Arrays.copyOfRange(x, r * 30, r * 30 + 30);
                assertThat((double) y.floats()[r]).isCloseTo(mlp.predict(row), within(1e-5));
            }
        }
    }

    @Test
    void aTreeEnsemblePredictsWhatTheJavaTreesDo(@TempDir Path dir) {
        var forest = OnnxTestModels.forest(8, 12, 3, 11);
        try (var model = OnnxModel.loadFile(forest.write(dir.resolve("forest.onnx")), null, OnnxModel.Options.DEFAULTS)) {
            int rows = 200;
            var x = randomRows(rows, 8, 2);
            var y = model.predict(List.of(Tensor.of("X", x, rows, 8))).getFirst();
            assertThat(y.shape()).containsExactly(rows, 1);
            for (int r = 0; r < rows; r++) {
                var row = java.util.Arrays.copyOfRange(x, r * 8, r * 8 + 8);
                assertThat((double) y.floats()[r]).isCloseTo(forest.predict(row), within(1e-4));
            }
        }
    }

    @Test
    void aPackageWithAColumnSignatureTakesATable(@TempDir Path dir) throws Exception {
        OnnxTestModels.writeLinearRegression(dir.resolve("model.onnx"), new float[] {0.5f, -1f, 2f}, 0.25f);
        var signature = new Signature(List.of(new Spec.Column("a", ColumnType.DOUBLE, true),
                new Spec.Column("b", ColumnType.DOUBLE, true), new Spec.Column("c", ColumnType.LONG, true)),
                List.of(new Spec.Tensor("y", TensorType.FLOAT32, List.of(-1L, 1L))));
        Files.writeString(dir.resolve("MLmodel"), ModelPackage.forOnnx("model.onnx", signature, null, "test").toYaml());
        try (var model = OnnxModel.load(dir, OnnxModel.Options.DEFAULTS)) {
            assertThat(model.signature()).isEqualTo(signature);
            var columns = new LinkedHashMap<String, Object>();
            columns.put("c", new long[] {1, 2});          // order of the request does not matter
            columns.put("a", new double[] {2, 4});
            columns.put("b", new double[] {1, 0});
            var y = model.run(model.tableToTensors(columns, 2)).getFirst();
            assertThat(y.floats()[0]).isCloseTo(0.5f * 2 - 1 + 2 * 1 + 0.25f, within(1e-6f));
            assertThat(y.floats()[1]).isCloseTo(0.5f * 4 + 2 * 2 + 0.25f, within(1e-6f));

            columns.remove("b");
            assertThatThrownBy(() -> model.tableToTensors(columns, 2)).isInstanceOf(LaunchpadException.class)
                    .hasMessageContaining("Missing column 'b'");
            columns.put("b", new double[] {1, 0});
            columns.put("d", new double[] {1, 0});
            assertThatThrownBy(() -> model.tableToTensors(columns, 2)).hasMessageContaining("Unknown column 'd'");
            columns.remove("d");
            columns.put("b", new String[] {"x", "y"});
            assertThatThrownBy(() -> model.tableToTensors(columns, 2)).hasMessageContaining("Column 'b' is declared double but holds strings");
            columns.put("b", new double[] {1});
            assertThatThrownBy(() -> model.tableToTensors(columns, 2)).hasMessageContaining("Column 'b' has 1 values");
        }
    }

    @Test
    void badTensorsAreTypedErrorsNamingTheInput(@TempDir Path dir) {
        var model = OnnxModel.loadFile(OnnxTestModels.writeLinearRegression(dir.resolve("m.onnx"),
                new float[] {1, 2}, 0), null, OnnxModel.Options.DEFAULTS);
        try (model) {
            assertThatThrownBy(() -> model.predict(List.of())).isInstanceOfSatisfying(InvalidInputException.class, e -> {
                assertThat(e.field()).isEqualTo("x");
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
            }).hasMessageContaining("Missing input 'x'");
            assertThatThrownBy(() -> model.predict(List.of(Tensor.of("x", new float[2], 1, 2), Tensor.of("x", new float[2], 1, 2))))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("Input 'x' is given twice");
            assertThatThrownBy(() -> model.predict(List.of(Tensor.of("x", new float[2], 1, 2), Tensor.of("z", new float[1], 1))))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("z"))
                    .hasMessageContaining("Unknown input 'z'");
            assertThatThrownBy(() -> model.predict(List.of(Tensor.of("x", new double[2], 1, 2))))
                    .hasMessageContaining("Input 'x' has type FLOAT64 but the model expects FLOAT32");
            assertThatThrownBy(() -> model.predict(List.of(Tensor.of("x", new float[3], 1, 3))))
                    .hasMessageContaining("Input 'x' has shape [1, 3] but the model expects [-1, 2]");
            assertThatThrownBy(() -> model.predict(List.of(Tensor.of("x", new float[2], 2))))
                    .hasMessageContaining("Input 'x' has shape [2]");
            assertThatThrownBy(() -> model.predict(List.of(Tensor.of("x", new float[3], 2, 2))))
                    .hasMessageContaining("has 3 elements but its shape [2, 2] holds 4");
            assertThatThrownBy(() -> model.predict(List.of(Tensor.of("x", new float[2], Long.MAX_VALUE, 2))))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("too many elements");
            assertThatThrownBy(() -> model.tableToTensors(new LinkedHashMap<>(java.util.Map.of("a", new double[1])), 1))
                    .hasMessageContaining("The model takes 2 columns");
            assertThat(model.predict(List.of(Tensor.of("x", new float[] {1, 1}, 1, 2))).getFirst().floats()).containsExactly(3f);
        }
    }

    @Test
    void closingReleasesTheSessionAndLaterCallsFail(@TempDir Path dir) {
        var model = OnnxModel.loadFile(OnnxTestModels.writeLinearRegression(dir.resolve("m.onnx"),
                new float[] {1}, 0), null, OnnxModel.Options.DEFAULTS);
        model.close();
        assertThat(model.isClosed()).isTrue();
        assertThatThrownBy(() -> model.predict(List.of(Tensor.of("x", new float[] {1}, 1, 1))))
                .isInstanceOf(IllegalStateException.class);
        model.close(); // idempotent
    }

    @Test
    void aFileThatIsNotAModelIsAClearError(@TempDir Path dir) throws Exception {
        var junk = Files.writeString(dir.resolve("junk.onnx"), "not onnx");
        assertThatThrownBy(() -> OnnxModel.loadFile(junk, null, OnnxModel.Options.DEFAULTS))
                .isInstanceOf(LaunchpadException.class).hasMessageContaining("ONNX Runtime cannot load 'junk.onnx'");
        var empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> OnnxModel.load(empty, OnnxModel.Options.DEFAULTS))
                .hasMessageContaining("has no MLmodel and 0 .onnx files");
    }

    @Test
    void manyConcurrentCallsShareOneSession(@TempDir Path dir) throws Exception {
        var mlp = OnnxTestModels.mlp(30, 8, 3);
        try (var model = OnnxModel.loadFile(mlp.write(dir.resolve("mlp.onnx")), null, OnnxModel.Options.DEFAULTS);
             var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            var futures = new ArrayList<java.util.concurrent.Future<?>>();
            for (int i = 0; i < 200; i++) {
                var x = randomRows(1, 30, i);
                futures.add(pool.submit(() -> {
                    var y = model.predict(List.of(Tensor.of("x", x, 1, 30))).getFirst().floats()[0];
                    assertThat((double) y).isCloseTo(mlp.predict(x), within(1e-5));
                }));
            }
            for (var f : futures) {
                f.get();
            }
        }
    }

    @ParameterizedTest(name = "zipMap={0}")
    @ValueSource(booleans = {false, true})
    void aTreeClassifierReturnsLabelsAndProbabilitiesAsTheJavaTreesDo(boolean zipMap, @TempDir Path dir) {
        var classifier = OnnxTestModels.treeClassifier(6, 10, 3, 3, 21, zipMap);
        try (var model = OnnxModel.load(OnnxTestModels.writePackage(dir, classifier.onnx(), null), OnnxModel.Options.DEFAULTS)) {
            assertThat(model.outputs()).containsExactly(new Spec.Tensor("label", TensorType.INT64, List.of(-1L)),
                    new Spec.Tensor("probabilities", TensorType.FLOAT32, List.of(-1L, zipMap ? -1L : 3L)));
            int rows = 100;
            var x = randomRows(rows, 6, 4);
            var out = model.predict(List.of(Tensor.of("X", x, rows, 6)));
            var labels = Tensor.named(out, "label");
            var probabilities = Tensor.named(out, "probabilities");
            assertThat(labels.shape()).containsExactly(rows);
            assertThat(probabilities.shape()).containsExactly(rows, 3);
            var seen = new java.util.HashSet<Long>();
            for (int r = 0; r < rows; r++) {
                var row = java.util.Arrays.copyOfRange(x, r * 6, r * 6 + 6);
                var expected = classifier.probabilities(row);
                for (int c = 0; c < 3; c++) {
                    assertThat((double) probabilities.floats()[r * 3 + c]).isCloseTo(expected[c], within(1e-5));
                }
                assertThat(labels.longs()[r]).isEqualTo(classifier.label(row));
                seen.add(labels.longs()[r]);
            }
            assertThat(seen).hasSizeGreaterThan(1); // the trees really split the rows
        }
    }

    private static Signature mixedSignature() {
        return new Signature(List.of(new Spec.Column("amount", ColumnType.DOUBLE, true),
                new Spec.Column("count", ColumnType.LONG, true), new Spec.Column("code", ColumnType.INTEGER, true),
                new Spec.Column("flag", ColumnType.BOOLEAN, true), new Spec.Column("city", ColumnType.STRING, true)),
                List.of(new Spec.Tensor("score", TensorType.FLOAT64, List.of(-1L, 1L))));
    }

    private static LinkedHashMap<String, Object> mixedColumns() {
        var columns = new LinkedHashMap<String, Object>();
        columns.put("city", new String[] {"lagos", "berlin", "tokyo"});
        columns.put("amount", new double[] {1.5, -2, 0.25});
        columns.put("count", new long[] {3, 0, -7});
        columns.put("code", new long[] {2, -4, 1_000});
        columns.put("flag", new boolean[] {true, false, true});
        return columns;
    }

    @Test
    void aTableOfTypedColumnsFeedsOneInputPerColumn(@TempDir Path dir) {
        var pkg = OnnxTestModels.writePackage(dir, OnnxTestModels.mixedTypes(), mixedSignature());
        try (var model = OnnxModel.load(pkg, OnnxModel.Options.DEFAULTS)) {
            assertThat(model.acceptsTables()).isTrue();
            var tensors = model.tableToTensors(mixedColumns(), 3);
            assertThat(tensors).extracting(Tensor::name).containsExactly("amount", "count", "code", "flag", "city");
            assertThat(tensors).extracting(Tensor::type).containsExactly(TensorType.FLOAT64, TensorType.INT64,
                    TensorType.INT32, TensorType.BOOL, TensorType.STRING);
            var out = model.run(tensors);
            assertThat(Tensor.named(out, "score").doubles()).containsExactly(
                    OnnxTestModels.mixedScore(1.5, 3, 2, true, "lagos"),
                    OnnxTestModels.mixedScore(-2, 0, -4, false, "berlin"),
                    OnnxTestModels.mixedScore(0.25, -7, 1_000, true, "tokyo"));
            assertThat(Tensor.named(out, "city_id").longs()).containsExactly(1, 0, -1);
            assertThat(Tensor.named(out, "code_squared").ints()).containsExactly(4, 16, 1_000_000);
            assertThat(Tensor.named(out, "not_flag").booleans()).containsExactly(false, true, false);
            assertThat(Tensor.named(out, "city_echo").strings()).containsExactly("lagos", "berlin", "tokyo");
            assertThat(Tensor.named(out, "city_echo").shape()).containsExactly(3, 1);
        }
    }

    @Test
    void mistypedColumnsAreErrorsNamingTheColumn(@TempDir Path dir) {
        var pkg = OnnxTestModels.writePackage(dir, OnnxTestModels.mixedTypes(), mixedSignature());
        try (var model = OnnxModel.load(pkg, OnnxModel.Options.DEFAULTS)) {
            record Case(String column, Object values, String message) {
            }
            var cases = List.of(
                    new Case("flag", new double[] {1, 0, 1}, "Column 'flag' is declared boolean but holds numbers"),
                    new Case("city", new double[] {1, 0, 1}, "Column 'city' is declared string but holds numbers"),
                    new Case("amount", new String[] {"a", "b", "c"}, "Column 'amount' is declared double but holds strings"),
                    new Case("amount", new boolean[3], "Column 'amount' is declared double but holds booleans"),
                    new Case("count", new double[] {1, 1.5, 2}, "Column 'count' is declared long but row 1 has 1.5, not a whole number"),
                    new Case("count", new double[] {1, Double.NaN, 2}, "Column 'count' is declared long but row 1 has NaN"),
                    new Case("code", new long[] {1, 1L << 40, 2}, "Column 'code' is declared integer (int32) but row 1 has 1099511627776"),
                    new Case("code", new double[] {1, 3e9, 2}, "Column 'code' is declared integer but row 1 has 3.0E9"),
                    new Case("city", new String[] {"lima", null, "lima"}, "Input 'city' has a missing value at element 1"),
                    new Case("flag", new boolean[2], "Column 'flag' has 2 values for 3 rows"),
                    new Case("count", 7L, "Column 'count' must be an array of values"));
            for (var c : cases) {
                var columns = mixedColumns();
                columns.put(c.column(), c.values());
                assertThatThrownBy(() -> model.tableToTensors(columns, 3)).as(c.message())
                        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo(c.column()))
                        .hasMessageContaining(c.message());
            }
            var missing = mixedColumns();
            missing.remove("flag");
            assertThatThrownBy(() -> model.tableToTensors(missing, 3))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("flag"))
                    .hasMessageContaining("Missing column 'flag' (boolean)");
            var extra = mixedColumns();
            extra.put("country", new String[] {"a", "b", "c"});
            assertThatThrownBy(() -> model.tableToTensors(extra, 3))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("country"))
                    .hasMessageContaining("Unknown column 'country'; the model's columns are amount, count, code, flag, city");
            assertThatThrownBy(() -> model.tableToTensors(mixedColumns(), -1)).isInstanceOf(LaunchpadException.class);
            // integral doubles are fine for integer columns
            var integral = mixedColumns();
            integral.put("count", new double[] {3, 0, -7});
            assertThat(model.run(model.tableToTensors(integral, 3)).getFirst().doubles())
                    .containsExactly(model.run(model.tableToTensors(mixedColumns(), 3)).getFirst().doubles());
        }
    }

    @Test
    void tensorsOfEveryElementTypeAreCheckedAndRun(@TempDir Path dir) {
        try (var model = OnnxModel.load(OnnxTestModels.writePackage(dir, OnnxTestModels.mixedTypes(), null),
                OnnxModel.Options.DEFAULTS)) {
            assertThat(model.acceptsTables()).isFalse(); // a graph of several tensors and no column signature
            assertThat(model.signature().isTabular()).isFalse();
            assertThat(model.inputs()).extracting(Spec.Tensor::type).containsExactly(TensorType.FLOAT64,
                    TensorType.INT64, TensorType.INT32, TensorType.BOOL, TensorType.STRING);
            var good = new ArrayList<>(List.of(
                    Tensor.of("city", new String[] {"lima", "berlin"}, 2, 1),
                    Tensor.of("amount", new double[] {10, 20}, 2, 1),
                    Tensor.of("count", new long[] {1, 2}, 2, 1),
                    Tensor.of("code", new int[] {5, 6}, 2, 1),
                    Tensor.of("flag", new boolean[] {false, true}, 2, 1)));
            var out = model.predict(good);
            assertThat(Tensor.named(out, "score").doubles()).containsExactly(
                    OnnxTestModels.mixedScore(10, 1, 5, false, "lima"), OnnxTestModels.mixedScore(20, 2, 6, true, "berlin"));
            assertThat(Tensor.named(out, "code_squared").ints()).containsExactly(25, 36);

            var wrongType = new ArrayList<>(good);
            wrongType.set(3, Tensor.of("code", new long[] {5, 6}, 2, 1));
            assertThatThrownBy(() -> model.predict(wrongType))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("code"))
                    .hasMessageContaining("Input 'code' has type INT64 but the model expects INT32");
            var wrongShape = new ArrayList<>(good);
            wrongShape.set(4, Tensor.of("flag", new boolean[] {false, true, true, true}, 2, 2));
            assertThatThrownBy(() -> model.predict(wrongShape))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("flag"))
                    .hasMessageContaining("Input 'flag' has shape [2, 2] but the model expects [-1, 1]");
            assertThatThrownBy(() -> model.tableToTensors(Map.of("amount", new double[1]), 1))
                    .isInstanceOf(LaunchpadException.class).hasMessageContaining("not a table of columns");
        }
    }

    @Test
    void aPackageThatNamesAFileOutsideItsDirectoryIsRefused(@TempDir Path dir) throws Exception {
        var pkg = Files.createDirectory(dir.resolve("pkg"));
        OnnxTestModels.writeLinearRegression(dir.resolve("outside.onnx"), new float[] {1}, 0);
        Files.writeString(pkg.resolve("MLmodel"), ModelPackage.forOnnx("../outside.onnx", null, null, "test").toYaml());
        assertThatThrownBy(() -> OnnxModel.load(pkg, OnnxModel.Options.DEFAULTS))
                .isInstanceOf(LaunchpadException.class).hasMessageContaining("outside its directory");
    }

    @Test
    void closeWaitsForARunningCallThenReleasesTheSession(@TempDir Path dir) throws Exception {
        var slow = OnnxTestModels.forest(8, 200, 7, 5); // a call takes long enough to overlap close()
        var model = OnnxModel.loadFile(slow.write(dir.resolve("slow.onnx")), null, OnnxModel.Options.DEFAULTS);
        var x = randomRows(2000, 8, 9);
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var running = pool.submit(() -> model.predict(List.of(Tensor.of("X", x, 2000, 8))));
            Thread.sleep(5);
            model.close(); // must not free the session under the running call
            try {
                var y = running.get(30, java.util.concurrent.TimeUnit.SECONDS).getFirst();
                assertThat((double) y.floats()[0]).isCloseTo(slow.predict(java.util.Arrays.copyOfRange(x, 0, 8)), within(1e-3));
            } catch (java.util.concurrent.ExecutionException e) {
                // the call started after close(): refused, never a crash
                assertThat(e.getCause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
            }
        }
        assertThat(model.isClosed()).isTrue();
    }
}
