package dev.launchpad.core.schema;

/** Element types of a tensor signature, named as numpy dtypes (as MLflow writes them). */
public enum TensorType {
    FLOAT16("float16"), FLOAT32("float32"), FLOAT64("float64"),
    INT8("int8"), INT16("int16"), INT32("int32"), INT64("int64"),
    UINT8("uint8"), UINT16("uint16"), UINT32("uint32"), UINT64("uint64"),
    BOOL("bool"), STRING("str");

    private final String numpyName;

    TensorType(String numpyName) {
        this.numpyName = numpyName;
    }

    public String numpyName() {
        return numpyName;
    }

    public static TensorType parse(String name) {
        var normalised = switch (name) {
            case "float" -> "float32";
            case "double" -> "float64";
            case "object", "string", "<U0", "str_" -> "str";
            case "bool_" -> "bool";
            default -> name;
        };
        for (var type : values()) {
            if (type.numpyName.equals(normalised)) {
                return type;
            }
        }
        throw new IllegalArgumentException("Unknown tensor dtype '" + name + "'");
    }
}
