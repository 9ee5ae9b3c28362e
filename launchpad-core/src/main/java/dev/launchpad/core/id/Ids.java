package dev.launchpad.core.id;

import java.util.UUID;

/** Identifier generation: MLflow-style 32-character lowercase hex ids. */
public final class Ids {
    private Ids() {
    }

    /** A new random 32-hex-character id, as MLflow uses for run ids. */
    public static String newHexId() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
