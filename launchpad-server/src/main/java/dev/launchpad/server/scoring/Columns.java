package dev.launchpad.server.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.schema.ColumnType;
import dev.launchpad.core.text.Decimals;

import java.util.List;

/** JSON or CSV cells of one column to a typed array, by the signature's column type. */
final class Columns {
    private Columns() {
    }

    /**
     * {@code double[]} for float/double columns (missing → NaN), {@code long[]} for integer/long,
     * {@code boolean[]} for boolean, {@code String[]} for string (missing → null). A column the signature
     * does not know is typed by its values (numbers → double, booleans → boolean, otherwise string).
     */
    static Object convert(String column, ColumnType type, List<JsonNode> cells) {
        var effective = type != null ? type : guess(cells);
        int n = cells.size();
        switch (effective) {
            case FLOAT, DOUBLE -> {
                var out = new double[n];
                for (int i = 0; i < n; i++) {
                    out[i] = number(column, i, cells.get(i));
                }
                return out;
            }
            case INTEGER, LONG -> {
                var out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = integer(column, i, cells.get(i));
                }
                return out;
            }
            case BOOLEAN -> {
                var out = new boolean[n];
                for (int i = 0; i < n; i++) {
                    out[i] = bool(column, i, cells.get(i));
                }
                return out;
            }
            default -> {
                var out = new String[n];
                for (int i = 0; i < n; i++) {
                    var cell = cells.get(i);
                    if (cell != null && !cell.isNull() && !cell.isValueNode()) {
                        throw ScoringInput.bad("Column '" + column + "', row " + i + ": expected a string, got " + cell);
                    }
                    if (cell == null || cell.isNull()) {
                        throw ScoringInput.bad("Column '" + column + "', row " + i + ": a string column cannot have a"
                                + " missing value.");
                    }
                    out[i] = cell.asText();
                }
                return out;
            }
        }
    }

    private static ColumnType guess(List<JsonNode> cells) {
        boolean numbers = true;
        boolean booleans = true;
        for (var cell : cells) {
            if (cell == null || cell.isNull()) {
                continue;
            }
            numbers &= cell.isNumber() || cell.isTextual() && isNumeric(cell.asText());
            booleans &= cell.isBoolean();
        }
        return numbers ? ColumnType.DOUBLE : booleans ? ColumnType.BOOLEAN : ColumnType.STRING;
    }

    /**
     * Text that makes a column numeric, read as a reference CSV is ({@code Decimals.parseNumber}: decimal text or an
     * infinity; {@code 7d} and {@code 0x10} are text), or NaN.
     */
    private static boolean isNumeric(String s) {
        var text = s.trim();
        return isNaN(text) || Decimals.parseNumber(text) != null;
    }

    private static boolean isNaN(String text) {
        return text.equals("NaN") || text.equals("nan");
    }

    private static double number(String column, int row, JsonNode cell) {
        if (cell == null || cell.isNull()) {
            return Double.NaN;
        }
        if (cell.isNumber()) {
            return cell.asDouble();
        }
        if (cell.isTextual()) {
            var text = cell.asText().trim();
            if (text.isEmpty() || isNaN(text)) {
                return Double.NaN;
            }
            var value = Decimals.parseNumber(text);
            if (value != null) {
                return value;
            }
        }
        throw ScoringInput.bad("Column '" + column + "', row " + row + ": expected a number, got " + abbreviate(cell));
    }

    private static long integer(String column, int row, JsonNode cell) {
        if (cell == null || cell.isNull()) {
            throw ScoringInput.bad("Column '" + column + "', row " + row + ": an integer column cannot have a missing value.");
        }
        if (cell.isIntegralNumber() && cell.canConvertToLong()) {
            return cell.asLong();
        }
        if (cell.isNumber() && cell.asDouble() == Math.rint(cell.asDouble()) && Math.abs(cell.asDouble()) < 9e15) {
            return (long) cell.asDouble();
        }
        if (cell.isTextual()) {
            try {
                return Long.parseLong(cell.asText().trim());
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        throw ScoringInput.bad("Column '" + column + "', row " + row + ": expected an integer, got " + abbreviate(cell));
    }

    private static boolean bool(String column, int row, JsonNode cell) {
        if (cell != null && cell.isBoolean()) {
            return cell.asBoolean();
        }
        if (cell != null && cell.isTextual()) {
            switch (cell.asText().trim().toLowerCase(java.util.Locale.ROOT)) {
                case "true", "1": return true;
                case "false", "0": return false;
                default: break;
            }
        }
        throw ScoringInput.bad("Column '" + column + "', row " + row + ": expected true or false, got " + abbreviate(cell));
    }

    private static String abbreviate(JsonNode cell) {
        var text = String.valueOf(cell);
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
