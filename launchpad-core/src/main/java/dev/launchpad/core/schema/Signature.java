package dev.launchpad.core.schema;

import java.util.List;

/**
 * What a model takes and returns: a list of columns (tabular) or of tensors. Serving validates
 * requests against it and monitoring uses it to know the features.
 */
public record Signature(List<Spec> inputs, List<Spec> outputs) {
    public Signature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** Whether the inputs are named columns (as opposed to tensors). */
    public boolean isTabular() {
        return !inputs.isEmpty() && inputs.getFirst() instanceof Spec.Column;
    }
}
