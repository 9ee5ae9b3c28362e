package dev.launchpad.server.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.server.oip.OipJson;
import dev.launchpad.server.oip.OipTensor;
import dev.launchpad.server.serving.ServedModel;

import java.util.ArrayList;
import java.util.List;

/** Nested JSON arrays (as in {@code instances} and {@code inputs}) to tensors of a model input's datatype. */
final class TensorJson {
    private TensorJson() {
    }

    static OipTensor fromJson(ServedModel.TensorInfo info, JsonNode value, int maxRows) {
        var shape = new ArrayList<Long>();
        var node = value;
        while (node.isArray()) {
            shape.add((long) node.size());
            if (node.isEmpty()) {
                break;
            }
            node = node.get(0);
        }
        if (shape.isEmpty()) {
            throw ScoringInput.bad("Input '" + info.name() + "' must be an array.");
        }
        if (shape.getFirst() > maxRows) {
            throw ScoringInput.bad("Input '" + info.name() + "' has " + shape.getFirst() + " rows; the limit per request is "
                    + maxRows + ".");
        }
        var flat = new ArrayList<JsonNode>();
        collect(info.name(), value, 0, shape, flat);
        long[] dims = shape.stream().mapToLong(Long::longValue).toArray();
        var type = OipTensor.typeOf(info.name(), info.datatype());
        return new OipTensor(info.name(), info.datatype(), dims, OipJson.fromJson(info.name(), type, flat));
    }

    private static void collect(String name, JsonNode node, int depth, List<Long> shape, List<JsonNode> into) {
        if (depth == shape.size()) {
            if (node.isArray() || node.isObject()) {
                throw ScoringInput.bad("Input '" + name + "' is ragged: its nested arrays differ in depth.");
            }
            into.add(node);
            return;
        }
        if (!node.isArray() || node.size() != shape.get(depth)) {
            throw ScoringInput.bad("Input '" + name + "' is ragged: the arrays at depth " + depth
                    + " differ in length.");
        }
        for (var child : node) {
            collect(name, child, depth + 1, shape, into);
        }
    }
}
