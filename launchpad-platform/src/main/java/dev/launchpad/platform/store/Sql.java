package dev.launchpad.platform.store;

import org.jdbi.v3.core.statement.SqlStatement;

import java.util.LinkedHashMap;
import java.util.Map;

/** A SQL text built piece by piece, with its values bound by generated names (never concatenated). */
public final class Sql {
    private final StringBuilder text = new StringBuilder();
    private final Map<String, Object> args = new LinkedHashMap<>();

    public Sql append(String sql) {
        text.append(sql);
        return this;
    }

    /** Appends a placeholder for {@code value} and remembers the value. */
    public Sql value(Object value) {
        var name = "p" + args.size();
        args.put(name, value);
        text.append(':').append(name);
        return this;
    }

    /** Appends {@code (:a, :b, ...)} for the values. */
    public Sql values(Iterable<?> values) {
        text.append('(');
        var first = true;
        for (var value : values) {
            if (!first) {
                text.append(", ");
            }
            value(value);
            first = false;
        }
        return append(")");
    }

    public String text() {
        return text.toString();
    }

    /** Binds every remembered value to the statement. */
    public <S extends SqlStatement<S>> S bindTo(S statement) {
        args.forEach(statement::bind);
        return statement;
    }

    @Override
    public String toString() {
        return text + " " + args;
    }
}
