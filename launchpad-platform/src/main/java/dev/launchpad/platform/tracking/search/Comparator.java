package dev.launchpad.platform.tracking.search;

/** The comparison operators of MLflow's search filter grammar. */
public enum Comparator {
    EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">="),
    LIKE("LIKE"), ILIKE("ILIKE"), IN("IN"), NOT_IN("NOT IN"), IS_NULL("IS NULL"), IS_NOT_NULL("IS NOT NULL");

    private final String text;

    Comparator(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public boolean isNumeric() {
        return this == EQ || this == NE || this == LT || this == LE || this == GT || this == GE;
    }

    public boolean isString() {
        return this == EQ || this == NE || this == LIKE || this == ILIKE || this == IN || this == NOT_IN
                || this == IS_NULL || this == IS_NOT_NULL;
    }
}
