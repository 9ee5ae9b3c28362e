package dev.launchpad.platform.tracking.search;

import dev.launchpad.core.error.LaunchpadException;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses MLflow's search filter grammar: comparisons joined by AND, e.g.
 * {@code metrics.acc > 0.9 AND params.model = 'xgb' AND tags."my tag" LIKE '%x%'
 * AND attributes.run_id IN ('a', 'b')}. Keys may be quoted with double quotes or backticks;
 * strings with single or double quotes. Syntax errors are INVALID_PARAMETER_VALUE naming the spot.
 */
public final class SearchFilterParser {
    private final String text;
    private int pos;

    private SearchFilterParser(String text) {
        this.text = text;
    }

    /** The clauses of a filter string; an empty list for null or blank input. */
    public static List<Clause> parse(String filter) {
        var clauses = new ArrayList<Clause>();
        if (filter == null || filter.isBlank()) {
            return clauses;
        }
        var parser = new SearchFilterParser(filter);
        while (true) {
            clauses.add(parser.clause());
            parser.skipSpace();
            if (parser.atEnd()) {
                return clauses;
            }
            if (!parser.keyword("AND")) {
                throw parser.error("expected AND");
            }
        }
    }

    /** Parses one order_by term: an identifier optionally followed by ASC or DESC. */
    public static OrderBy parseOrderBy(String term) {
        if (term == null || term.isBlank()) {
            throw LaunchpadException.invalid("Invalid order_by clause ''.");
        }
        var parser = new SearchFilterParser(term);
        var identifier = parser.identifier();
        parser.skipSpace();
        boolean ascending = true;
        if (parser.keyword("DESC")) {
            ascending = false;
        } else if (!parser.atEnd() && !parser.keyword("ASC")) {
            throw LaunchpadException.invalid("Invalid order_by clause '" + term
                    + "'. Expected an identifier optionally followed by ASC or DESC.");
        }
        parser.skipSpace();
        if (!parser.atEnd()) {
            throw LaunchpadException.invalid("Invalid order_by clause '" + term + "'.");
        }
        return new OrderBy(identifier.type(), identifier.key(), ascending);
    }

    private record Identifier(EntityType type, String key) {
    }

    private Clause clause() {
        var identifier = identifier();
        skipSpace();
        var comparator = comparator();
        skipSpace();
        Object value = switch (comparator) {
            case IS_NULL, IS_NOT_NULL -> null;
            case IN, NOT_IN -> stringList();
            default -> literal();
        };
        return new Clause(identifier.type(), identifier.key(), comparator, value);
    }

    private Identifier identifier() {
        skipSpace();
        if (atEnd()) {
            throw error("expected an identifier such as metrics.<key>, params.<key>, tags.<key> or attributes.<name>");
        }
        if (peek() == '"' || peek() == '`') {
            return new Identifier(EntityType.ATTRIBUTE, quoted(peek()));
        }
        int start = pos;
        while (!atEnd() && (Character.isLetterOrDigit(peek()) || peek() == '_')) {
            pos++;
        }
        if (pos == start) {
            throw error("expected an identifier");
        }
        var word = text.substring(start, pos);
        if (atEnd() || peek() != '.') {
            return new Identifier(EntityType.ATTRIBUTE, word);
        }
        var type = EntityType.ofPrefix(word);
        if (type == null) {
            throw LaunchpadException.invalid("Invalid entity type '" + word + "' in search expression '" + text
                    + "'. Valid values are ['metrics', 'params', 'tags', 'attributes', 'datasets']");
        }
        pos++; // the dot
        if (!atEnd() && (peek() == '"' || peek() == '`')) {
            return new Identifier(type, quoted(peek()));
        }
        int keyStart = pos;
        while (!atEnd() && !Character.isWhitespace(peek()) && "=!<>(),'\"".indexOf(peek()) < 0) {
            pos++;
        }
        if (pos == keyStart) {
            throw error("expected a key after '" + word + ".'");
        }
        return new Identifier(type, text.substring(keyStart, pos));
    }

    private Comparator comparator() {
        if (atEnd()) {
            throw error("expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL)");
        }
        for (var symbol : List.of("!=", "<>", "<=", ">=", "=", "<", ">")) {
            if (text.startsWith(symbol, pos)) {
                pos += symbol.length();
                return switch (symbol) {
                    case "!=", "<>" -> Comparator.NE;
                    case "<=" -> Comparator.LE;
                    case ">=" -> Comparator.GE;
                    case "=" -> Comparator.EQ;
                    case "<" -> Comparator.LT;
                    default -> Comparator.GT;
                };
            }
        }
        if (keyword("LIKE")) {
            return Comparator.LIKE;
        }
        if (keyword("ILIKE")) {
            return Comparator.ILIKE;
        }
        if (keyword("IN")) {
            return Comparator.IN;
        }
        if (keyword("NOT")) {
            skipSpace();
            if (keyword("IN")) {
                return Comparator.NOT_IN;
            }
            throw error("expected IN after NOT");
        }
        if (keyword("IS")) {
            skipSpace();
            boolean not = keyword("NOT");
            skipSpace();
            if (keyword("NULL")) {
                return not ? Comparator.IS_NOT_NULL : Comparator.IS_NULL;
            }
            throw error("expected NULL");
        }
        throw error("expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL)");
    }

    private Object literal() {
        if (atEnd()) {
            throw error("expected a value");
        }
        char c = peek();
        if (c == '\'' || c == '"') {
            return quoted(c);
        }
        int start = pos;
        if (c == '-' || c == '+') {
            pos++;
        }
        while (!atEnd() && (Character.isDigit(peek()) || peek() == '.' || peek() == 'e' || peek() == 'E'
                || ((peek() == '-' || peek() == '+') && (text.charAt(pos - 1) == 'e' || text.charAt(pos - 1) == 'E')))) {
            pos++;
        }
        var number = text.substring(start, pos);
        try {
            if (number.isEmpty()) {
                throw new NumberFormatException();
            }
            return Double.parseDouble(number);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("expected a number or a quoted string");
        }
    }

    private List<String> stringList() {
        if (atEnd() || peek() != '(') {
            throw error("expected '(' starting a list of quoted strings");
        }
        pos++;
        var values = new ArrayList<String>();
        while (true) {
            skipSpace();
            if (atEnd() || (peek() != '\'' && peek() != '"')) {
                throw error("expected a quoted string in the list");
            }
            values.add(quoted(peek()));
            skipSpace();
            if (!atEnd() && peek() == ',') {
                pos++;
                continue;
            }
            if (!atEnd() && peek() == ')') {
                pos++;
                return values;
            }
            throw error("expected ',' or ')' in the list");
        }
    }

    /** Reads a string quoted by {@code quote}; the quote doubled or backslash-escaped stands for itself. */
    private String quoted(char quote) {
        int start = pos;
        pos++;
        var out = new StringBuilder();
        while (!atEnd()) {
            char c = text.charAt(pos++);
            if (c == '\\' && !atEnd()) {
                out.append(text.charAt(pos++));
            } else if (c == quote) {
                if (!atEnd() && peek() == quote) {
                    out.append(quote);
                    pos++;
                } else {
                    return out.toString();
                }
            } else {
                out.append(c);
            }
        }
        pos = start;
        throw error("unterminated quoted string");
    }

    private boolean keyword(String word) {
        if (text.regionMatches(true, pos, word, 0, word.length())) {
            int end = pos + word.length();
            if (end == text.length() || !(Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
                pos = end;
                return true;
            }
        }
        return false;
    }

    private void skipSpace() {
        while (!atEnd() && Character.isWhitespace(peek())) {
            pos++;
        }
    }

    private boolean atEnd() {
        return pos >= text.length();
    }

    private char peek() {
        return text.charAt(pos);
    }

    private LaunchpadException error(String what) {
        return LaunchpadException.invalid("Invalid filter string '" + text + "' at position " + pos + ": " + what
                + ".");
    }
}

