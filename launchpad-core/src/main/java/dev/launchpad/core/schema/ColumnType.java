package dev.launchpad.core.schema;

import java.util.Locale;

/** The column types of a tabular signature, named as MLflow's {@code DataType}. */
public enum ColumnType {
    BOOLEAN, INTEGER, LONG, FLOAT, DOUBLE, STRING, BINARY, DATETIME;

    /** MLflow's lowercase name ({@code double}, {@code long}, ...). */
    public String mlflowName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ColumnType parse(String name) {
        for (var type : values()) {
            if (type.mlflowName().equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("Unknown column type '" + name
                + "'; expected one of boolean, integer, long, float, double, string, binary, datetime");
    }
}
