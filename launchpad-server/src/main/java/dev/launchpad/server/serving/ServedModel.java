package dev.launchpad.server.serving;

import dev.launchpad.core.schema.Signature;
import dev.launchpad.server.oip.OipTensor;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A model version loaded for serving, behind its dynamic batcher: what the protocol layers (OIP REST,
 * OIP gRPC, MLflow scoring) call. Closing it releases the runtime's native resources.
 */
public interface ServedModel extends AutoCloseable {

    /** The model's signature (from its MLmodel, or inferred from the model file). */
    Signature signature();

    /** The model's input tensors as the runtime sees them (OIP datatype and shape, -1 for variable dimensions). */
    List<TensorInfo> inputs();

    /** The model's output tensors. */
    List<TensorInfo> outputs();

    /** Runs tensors through the model (batched with concurrent requests); fails with a typed error on bad input. */
    CompletableFuture<List<OipTensor>> infer(List<OipTensor> inputs);

    /**
     * Runs a table through the model: column name → values ({@code double[]}, {@code long[]},
     * {@code boolean[]} or {@code String[]}, one element per row). Outputs come back as tensors whose first
     * dimension is the row.
     */
    CompletableFuture<List<OipTensor>> inferTable(Map<String, Object> columns, int rows);

    /** Requests waiting in the batcher now. */
    int queueDepth();

    @Override
    void close();

    /** A tensor's name, OIP datatype and shape. */
    record TensorInfo(String name, String datatype, long[] shape) {
    }
}
