package dev.launchpad.platform.registry;

import dev.launchpad.core.error.LaunchpadException;

import java.util.Locale;

/** MLflow's (legacy) model version stages, kept for old clients; aliases are the modern way. */
public enum Stage {
    NONE("None"), STAGING("Staging"), PRODUCTION("Production"), ARCHIVED("Archived");

    private final String label;

    Stage(String label) {
        this.label = label;
    }

    /** The name MLflow uses on the wire and in the database: None, Staging, Production, Archived. */
    public String label() {
        return label;
    }

    public static Stage parse(String value) {
        if (value != null) {
            for (var stage : values()) {
                if (stage.label.toLowerCase(Locale.ROOT).equals(value.toLowerCase(Locale.ROOT))) {
                    return stage;
                }
            }
        }
        throw LaunchpadException.invalid("Invalid Model Version stage: " + value
                + ". Value must be one of None, Staging, Production, Archived.");
    }
}
