package dev.launchpad.platform.tracking.search;

import java.util.Locale;

/** What the identifier of a filter clause or order_by term refers to. */
public enum EntityType {
    METRIC, PARAM, TAG, ATTRIBUTE, DATASET;

    /** The entity named by an identifier prefix ({@code metrics.}, {@code params.}, ...), or null if none is. */
    static EntityType ofPrefix(String prefix) {
        return switch (prefix.toLowerCase(Locale.ROOT)) {
            case "metric", "metrics" -> METRIC;
            case "param", "params", "parameter", "parameters" -> PARAM;
            case "tag", "tags" -> TAG;
            case "attribute", "attributes", "attr", "run" -> ATTRIBUTE;
            case "dataset", "datasets" -> DATASET;
            default -> null;
        };
    }
}
