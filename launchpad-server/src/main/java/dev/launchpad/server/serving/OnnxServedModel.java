package dev.launchpad.server.serving;

import dev.launchpad.core.schema.Signature;
import dev.launchpad.inference.batching.BatchingConfig;
import dev.launchpad.inference.batching.DynamicBatcher;
import dev.launchpad.inference.runtime.OnnxModel;
import dev.launchpad.inference.runtime.Tensor;
import dev.launchpad.platform.deploy.BatchingSettings;
import dev.launchpad.platform.registry.ModelVersion;
import dev.launchpad.server.oip.OipTensor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/** A model version served by ONNX Runtime behind a dynamic batcher (the launchpad-inference engine). */
public final class OnnxServedModel implements ServedModel {
    private final OnnxModel model;
    private final DynamicBatcher batcher;
    private final List<TensorInfo> inputs;
    private final List<TensorInfo> outputs;

    private OnnxServedModel(OnnxModel model, DynamicBatcher batcher) {
        this.model = model;
        this.batcher = batcher;
        this.inputs = model.inputs().stream().map(OnnxServedModel::info).toList();
        this.outputs = model.outputs().stream().map(OnnxServedModel::info).toList();
    }

    /** Loads the package in {@code directory} and starts its batcher; a {@link ServingRuntime.Loader}. */
    public static ServedModel load(ModelVersion version, Path directory, BatchingSettings batching,
                                   IntConsumer batchListener) {
        var model = OnnxModel.load(directory, OnnxModel.Options.DEFAULTS);
        try {
            var config = new BatchingConfig(batching.maxBatchSize(), Duration.ofNanos(batching.maxQueueDelayMicros() * 1000),
                    batching.maxQueueSize());
            var batcher = new DynamicBatcher(version.name() + "-v" + version.version(), config, model::run, batchListener);
            return new OnnxServedModel(model, batcher);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static TensorInfo info(dev.launchpad.core.schema.Spec.Tensor spec) {
        return new TensorInfo(spec.name(), OipTensor.datatypeOf(spec.type()),
                spec.shape().stream().mapToLong(Long::longValue).toArray());
    }

    @Override
    public Signature signature() {
        return model.signature();
    }

    @Override
    public List<TensorInfo> inputs() {
        return inputs;
    }

    @Override
    public List<TensorInfo> outputs() {
        return outputs;
    }

    @Override
    public CompletableFuture<List<OipTensor>> infer(List<OipTensor> given) {
        var tensors = new ArrayList<Tensor>(given.size());
        for (var t : given) {
            tensors.add(new Tensor(t.name(), OipTensor.typeOf(t.name(), t.datatype()), t.shape(), t.data()));
        }
        return CancellableFutures.map(batcher.submit(model.validate(tensors)), OnnxServedModel::toOip);
    }

    @Override
    public CompletableFuture<List<OipTensor>> inferTable(Map<String, Object> columns, int rows) {
        return CancellableFutures.map(batcher.submit(model.tableToTensors(columns, rows)), OnnxServedModel::toOip);
    }

    private static List<OipTensor> toOip(List<Tensor> tensors) {
        var out = new ArrayList<OipTensor>(tensors.size());
        for (var t : tensors) {
            out.add(new OipTensor(t.name(), OipTensor.datatypeOf(t.type()), t.shape(), t.data()));
        }
        return out;
    }

    @Override
    public int queueDepth() {
        return batcher.queueDepth();
    }

    @Override
    public void close() {
        try {
            batcher.close();
        } finally {
            model.close();
        }
    }
}
