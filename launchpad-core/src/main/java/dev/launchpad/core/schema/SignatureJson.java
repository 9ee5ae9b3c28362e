package dev.launchpad.core.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.json.Json;

import java.util.ArrayList;
import java.util.List;

/**
 * MLflow's JSON encoding of a schema, as found in an {@code MLmodel} file's {@code signature.inputs}
 * and {@code signature.outputs}: {@code [{"type": "double", "name": "x", "required": true}]} or
 * {@code [{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 30]}, "name": "input"}]}.
 */
public final class SignatureJson {
    private SignatureJson() {
    }

    public static String write(List<Spec> specs) {
        var array = Json.mapper().createArrayNode();
        for (var spec : specs) {
            var node = array.addObject();
            switch (spec) {
                case Spec.Column c -> {
                    node.put("type", c.type().mlflowName());
                    node.put("name", c.name());
                    node.put("required", c.required());
                }
                case Spec.Tensor t -> {
                    node.put("type", "tensor");
                    var tensor = node.putObject("tensor-spec");
                    tensor.put("dtype", t.type().numpyName());
                    var shape = tensor.putArray("shape");
                    t.shape().forEach(shape::add);
                    node.put("name", t.name());
                }
            }
        }
        return array.toString();
    }

    /** Parses a schema; a malformed one is an IllegalArgumentException saying what is wrong. */
    public static List<Spec> read(String json) {
        JsonNode array;
        try {
            array = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Signature schema is not valid JSON: " + e.getOriginalMessage());
        }
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("Signature schema must be a JSON list");
        }
        var specs = new ArrayList<Spec>();
        int i = 0;
        for (var node : array) {
            var type = node.path("type").asText("");
            var name = node.hasNonNull("name") ? node.get("name").asText() : (type.equals("tensor") ? null : "col" + i);
            if (type.equals("tensor")) {
                var tensor = node.path("tensor-spec");
                var shape = new ArrayList<Long>();
                tensor.path("shape").forEach(d -> shape.add(d.asLong()));
                specs.add(new Spec.Tensor(name == null ? "input_" + i : name,
                        TensorType.parse(tensor.path("dtype").asText("")), shape));
            } else {
                specs.add(new Spec.Column(name, ColumnType.parse(type), node.path("required").asBoolean(true)));
            }
            i++;
        }
        return specs;
    }
}
