package dev.launchpad.inference.runtime;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.schema.ColumnType;
import dev.launchpad.core.schema.Signature;
import dev.launchpad.core.schema.Spec;
import dev.launchpad.core.schema.TensorType;
import dev.launchpad.inference.model.ModelPackage;
import dev.launchpad.inference.model.OnnxTestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
            assertThatThrownBy(() -> model.tableToTensors(columns, 2)).hasMessageContaining("Column 'b' must be numeric");
            columns.put("b", new double[] {1});
            assertThatThrownBy(() -> model.tableToTensors(columns, 2)).hasMessageContaining("Column 'b' has 1 values");
        }
    }

    @Test
    void badTensorsAreTypedErrorsNamingTheInput(@TempDir Path dir) {
        var model = OnnxModel.loadFile(OnnxTestModels.writeLinearRegression(dir.resolve("m.onnx"),
                new float[] {1, 2}, 0), null, OnnxModel.Options.DEFAULTS);
        try (model) {
            assertThatThrownBy(() -> model.predict(List.of())).isInstanceOf(LaunchpadException.class)
                    .hasMessageContaining("Missing input 'x'");
            assertThatThrownBy(() -> model.predict(List.of(Tensor.of("x", new float[2], 1, 2), Tensor.of("z", new float[1], 1))))
                    .hasMessageContaining("Unknown input 'z'");
            assertThatThrownBy(() -> model.predict(List.of(Tensor.of("x", new double[2], 1, 2))))
                    .hasMessageContaining("Input 'x' has type FLOAT64 but the model expects FLOAT32");
            assertThatThrownBy(() -> model.predict(List.of(Tensor.of("x", new float[3], 1, 3))))
                    .hasMessageContaining("Input 'x' has shape [1, 3] but the model expects [-1, 2]");
            assertThatThrownBy(() -> model.predict(List.of(Tensor.of("x", new float[2], 2))))
                    .hasMessageContaining("Input 'x' has shape [2]");
            assertThatThrownBy(() -> model.predict(List.of(Tensor.of("x", new float[3], 2, 2))))
                    .hasMessageContaining("has 3 elements but its shape [2, 2] holds 4");
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
}
