package dev.launchpad.inference.model;

import dev.launchpad.core.schema.ColumnType;
import dev.launchpad.core.schema.Signature;
import dev.launchpad.core.schema.Spec;
import dev.launchpad.core.schema.TensorType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelPackageTest {

    private static String resource(String name) throws IOException {
        try (var in = ModelPackageTest.class.getResourceAsStream("/mlmodel/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsAnOnnxPackageInMlflowsLayout() throws IOException {
        var pkg = ModelPackage.read(resource("onnx-tensor.MLmodel"));
        assertThat(pkg.onnxModelFile()).contains("model.onnx");
        assertThat(pkg.runId()).contains("3f1c6a4bb0b74bd5a7e6b1d0f5e2c9aa");
        var signature = pkg.signature().orElseThrow();
        assertThat(signature.inputs()).containsExactly(new Spec.Tensor("float_input", TensorType.FLOAT32,
                List.of(-1L, 30L)));
        assertThat(signature.outputs()).hasSize(2);
    }

    @Test
    void readsATabularSignatureInMlflowsLayout() throws IOException {
        var pkg = ModelPackage.read(resource("sklearn-tabular.MLmodel"));
        assertThat(pkg.hasFlavor("sklearn")).isTrue();
        assertThat(pkg.onnxModelFile()).isEmpty();
        var signature = pkg.signature().orElseThrow();
        assertThat(signature.isTabular()).isTrue();
        assertThat(signature.inputs()).containsExactly(
                new Spec.Column("amount", ColumnType.DOUBLE, true),
                new Spec.Column("merchant", ColumnType.STRING, true),
                new Spec.Column("hour", ColumnType.LONG, false));
    }

    @Test
    void writesWhatItReads() {
        var signature = new Signature(List.of(new Spec.Tensor("x", TensorType.FLOAT32, List.of(-1L, 3L))),
                List.of(new Spec.Tensor("y", TensorType.FLOAT32, List.of(-1L, 1L))));
        var written = ModelPackage.forOnnx("model.onnx", signature, "abc", "0.1.0");
        var yaml = written.toYaml();
        assertThat(yaml).contains("flavors:", "onnx:", "data: model.onnx", "loader_module: mlflow.onnx");
        var read = ModelPackage.read(yaml);
        assertThat(read.signature()).contains(signature);
        assertThat(read.onnxModelFile()).contains("model.onnx");
        assertThat(read.runId()).contains("abc");
    }

    @Test
    void rejectsBrokenDescriptors() {
        assertThatThrownBy(() -> ModelPackage.read("flavors: {}")).hasMessageContaining("no flavors");
        assertThatThrownBy(() -> ModelPackage.read(": : :\n  - [")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ModelPackage.read("flavors:\n  onnx:\n    data: m.onnx\nsignature:\n  inputs: 'nope'"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
