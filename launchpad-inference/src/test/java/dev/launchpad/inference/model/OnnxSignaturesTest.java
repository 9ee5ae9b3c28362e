package dev.launchpad.inference.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import dev.launchpad.core.schema.Spec;
import dev.launchpad.core.schema.TensorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OnnxSignaturesTest {

    @Test
    void readsTheSignatureOffTheGraph(@TempDir Path dir) {
        var model = OnnxTestModels.writeLinearRegression(dir.resolve("m.onnx"), new float[] {1, 2, 3}, 0.5f);
        var signature = OnnxSignatures.infer(model);
        assertThat(signature.inputs()).containsExactly(new Spec.Tensor("x", TensorType.FLOAT32, List.of(-1L, 3L)));
        assertThat(signature.outputs()).containsExactly(new Spec.Tensor("y", TensorType.FLOAT32, List.of(-1L, 1L)));
        assertThat(signature.isTabular()).isFalse();
    }

    @Test
    void theTestModelReallyComputes(@TempDir Path dir) throws Exception {
        var model = OnnxTestModels.writeLinearRegression(dir.resolve("m.onnx"), new float[] {1, 2, 3}, 0.5f);
        var env = OrtEnvironment.getEnvironment();
        try (var session = env.createSession(model.toString());
             var x = OnnxTensor.createTensor(env, new float[][] {{1, 1, 1}, {0, 0, 2}});
             var result = session.run(Map.of("x", x))) {
            var y = (float[][]) result.get(0).getValue();
            assertThat(y[0][0]).isEqualTo(6.5f);
            assertThat(y[1][0]).isEqualTo(6.5f);
        }
    }

    @Test
    void aFileThatIsNotAModelIsAClearError(@TempDir Path dir) throws Exception {
        var notAModel = Files.writeString(dir.resolve("x.onnx"), "definitely not protobuf");
        assertThatThrownBy(() -> OnnxSignatures.infer(notAModel))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not an ONNX model");
    }
}
