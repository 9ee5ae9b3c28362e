package dev.launchpad.core.schema;

import java.util.List;

/** One input or output of a model signature: a named column or a named tensor. */
public sealed interface Spec permits Spec.Column, Spec.Tensor {
    String name();

    /** A tabular column; optional columns may be missing from a request. */
    record Column(String name, ColumnType type, boolean required) implements Spec {
    }

    /** A tensor with a dtype and a shape; -1 marks a variable dimension (usually the batch). */
    record Tensor(String name, TensorType type, List<Long> shape) implements Spec {
        public Tensor {
            shape = List.copyOf(shape);
        }
    }
}
