package dev.launchpad.inference.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.launchpad.core.schema.Signature;
import dev.launchpad.core.schema.Spec;
import dev.launchpad.core.schema.TensorType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads a tensor signature off an ONNX graph with ONNX Runtime: every tensor input and output with
 * its element type and shape (symbolic dimensions become -1). Non-tensor outputs (the sequence of
 * maps that ONNX-ML classifiers return) are left out: they are not tensors a client can ask for.
 */
public final class OnnxSignatures {
    private OnnxSignatures() {
    }

    /** The model's signature; IllegalArgumentException when the file is not a model ONNX Runtime can load. */
    public static Signature infer(Path onnxFile) {
        var env = OrtEnvironment.getEnvironment();
        try (var options = new OrtSession.SessionOptions();
             var session = env.createSession(onnxFile.toString(), options)) {
            return new Signature(specs(session.getInputInfo()), specs(session.getOutputInfo()));
        } catch (OrtException e) {
            throw new IllegalArgumentException("'" + onnxFile + "' is not an ONNX model ONNX Runtime can load: "
                    + e.getMessage());
        }
    }

    private static List<Spec> specs(Map<String, NodeInfo> nodes) {
        var specs = new ArrayList<Spec>();
        for (var node : nodes.values()) {
            if (node.getInfo() instanceof TensorInfo tensor) {
                var shape = Arrays.stream(tensor.getShape()).map(d -> d < 0 ? -1 : d).boxed().toList();
                specs.add(new Spec.Tensor(node.getName(), type(tensor.type), shape));
            }
        }
        return specs;
    }

    private static TensorType type(OnnxJavaType type) {
        try {
            return dev.launchpad.inference.runtime.OnnxModel.typeOf(type);
        } catch (dev.launchpad.core.error.LaunchpadException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }
}
