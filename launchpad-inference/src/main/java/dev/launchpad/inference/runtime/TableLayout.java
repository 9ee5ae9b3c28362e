package dev.launchpad.inference.runtime;

import dev.launchpad.core.schema.ColumnType;
import dev.launchpad.core.schema.Signature;
import dev.launchpad.core.schema.Spec;
import dev.launchpad.core.schema.TensorType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a table of named columns becomes a model's input tensors: either one [rows, columns] matrix
 * input with the signature's columns in order ({@link Matrix}), or one input per column named like it
 * ({@link PerColumn}). Chosen once per model from its signature and graph.
 */
sealed interface TableLayout {

    /** The tensors for {@code columns} ({@code rows} values each); errors name the column. */
    List<Tensor> layout(Map<String, Object> columns, int rows);

    /** The layout for a model, or null when its inputs cannot take a table. */
    static TableLayout of(Signature signature, List<Spec.Tensor> inputs) {
        var columns = new ArrayList<Spec.Column>();
        for (var spec : signature.inputs()) {
            if (spec instanceof Spec.Column c) {
                columns.add(c);
            }
        }
        if (inputs.size() == 1 && inputs.getFirst().shape().size() == 2 && numeric(inputs.getFirst().type())) {
            var input = inputs.getFirst();
            long width = input.shape().get(1);
            if (columns.isEmpty() || width < 0 || width == columns.size()) {
                return new Matrix(input, columns.isEmpty() ? null : List.copyOf(columns), width);
            }
        }
        if (!columns.isEmpty()) {
            var byName = new java.util.HashMap<String, Spec.Tensor>();
            inputs.forEach(i -> byName.put(i.name(), i));
            boolean all = columns.size() == inputs.size();
            for (var c : columns) {
                var input = byName.get(c.name());
                all &= input != null && (input.shape().size() == 1
                        || input.shape().size() == 2 && input.shape().get(1) == 1);
            }
            if (all) {
                return new PerColumn(List.copyOf(columns), byName);
            }
        }
        return null;
    }

    private static boolean numeric(TensorType t) {
        return t != TensorType.STRING && t != TensorType.BOOL;
    }

    /** All columns in one [rows, k] matrix, in the signature's column order (or the request's, without one). */
    record Matrix(Spec.Tensor input, List<Spec.Column> columns, long width) implements TableLayout {
        @Override
        public List<Tensor> layout(Map<String, Object> given, int rows) {
            List<String> names;
            if (columns != null) {
                for (var name : given.keySet()) {
                    if (columns.stream().noneMatch(c -> c.name().equals(name))) {
                        throw unknown(name, columns);
                    }
                }
                names = columns.stream().map(Spec.Column::name).toList();
                for (var column : columns) {
                    checkColumn(column, given.get(column.name()), rows);
                }
            } else {
                names = List.copyOf(given.keySet());
                if (width >= 0 && names.size() != width) {
                    throw new InvalidInputException(input.name(), "The model takes " + width
                            + " columns; the request has " + names.size() + ".");
                }
            }
            int k = names.size();
            var type = input.type();
            Object data = switch (type) {
                case FLOAT32, FLOAT16 -> new float[Math.multiplyExact(rows, k)];
                case FLOAT64 -> new double[Math.multiplyExact(rows, k)];
                case INT64, UINT32, UINT64 -> new long[Math.multiplyExact(rows, k)];
                default -> new int[Math.multiplyExact(rows, k)];
            };
            for (int c = 0; c < k; c++) {
                var values = given.get(names.get(c));
                if (values == null) {
                    throw new InvalidInputException(names.get(c), "Column '" + names.get(c) + "' has no values.");
                }
                checkLength(names.get(c), values, rows);
                for (int r = 0; r < rows; r++) {
                    double v = numberAt(names.get(c), values, r);
                    int i = r * k + c;
                    switch (data) {
                        case float[] a -> a[i] = (float) v;
                        case double[] a -> a[i] = v;
                        case long[] a -> a[i] = integral(names.get(c), v, r);
                        case int[] a -> a[i] = toInt(names.get(c), integral(names.get(c), v, r), type, r);
                        default -> throw new IllegalStateException();
                    }
                }
            }
            return List.of(new Tensor(input.name(), type, new long[] {rows, k}, data));
        }
    }

    /** One input per column (shape [rows] or [rows, 1]). */
    record PerColumn(List<Spec.Column> columns, Map<String, Spec.Tensor> inputs) implements TableLayout {
        @Override
        public List<Tensor> layout(Map<String, Object> given, int rows) {
            for (var name : given.keySet()) {
                if (!inputs.containsKey(name)) {
                    throw unknown(name, columns);
                }
            }
            var out = new ArrayList<Tensor>();
            for (var column : columns) {
                var values = given.get(column.name());
                checkColumn(column, values, rows);
                var input = inputs.get(column.name());
                long[] shape = input.shape().size() == 1 ? new long[] {rows} : new long[] {rows, 1};
                out.add(new Tensor(input.name(), input.type(), shape, convert(column, input.type(), values, rows)));
            }
            return out;
        }

        private static Object convert(Spec.Column column, TensorType type, Object values, int rows) {
            String name = column.name();
            switch (type) {
                case STRING -> {
                    if (values instanceof String[] s) {
                        return s;
                    }
                    throw new InvalidInputException(name, "Column '" + name + "' must hold strings (the model's input is "
                            + "a string tensor).");
                }
                case BOOL -> {
                    if (values instanceof boolean[] b) {
                        return b;
                    }
                    throw new InvalidInputException(name, "Column '" + name + "' must hold booleans (the model's input is "
                            + "a bool tensor).");
                }
                case FLOAT32, FLOAT16 -> {
                    var a = new float[rows];
                    for (int r = 0; r < rows; r++) {
                        a[r] = (float) numberAt(name, values, r);
                    }
                    return a;
                }
                case FLOAT64 -> {
                    var a = new double[rows];
                    for (int r = 0; r < rows; r++) {
                        a[r] = numberAt(name, values, r);
                    }
                    return a;
                }
                case INT64, UINT32, UINT64 -> {
                    var a = new long[rows];
                    for (int r = 0; r < rows; r++) {
                        a[r] = integral(name, numberAt(name, values, r), r);
                    }
                    return a;
                }
                default -> {
                    var a = new int[rows];
                    for (int r = 0; r < rows; r++) {
                        a[r] = toInt(name, integral(name, numberAt(name, values, r), r), type, r);
                    }
                    return a;
                }
            }
        }
    }

    private static InvalidInputException unknown(String name, List<Spec.Column> columns) {
        return new InvalidInputException(name, "Unknown column '" + name + "'; the model's columns are "
                + String.join(", ", columns.stream().map(Spec.Column::name).toList()) + ".");
    }

    /**
     * Checks a column's values against its signature type: present, {@code rows} long, and of a kind the
     * type admits — booleans for BOOLEAN, strings for STRING/BINARY/DATETIME, numbers for FLOAT/DOUBLE, whole
     * numbers (in int32 range for INTEGER) for INTEGER/LONG.
     */
    private static void checkColumn(Spec.Column column, Object values, int rows) {
        String name = column.name();
        if (values == null) {
            throw new InvalidInputException(name, "Missing column '" + name + "' (" + column.type().mlflowName() + ").");
        }
        checkLength(name, values, rows);
        switch (column.type()) {
            case BOOLEAN -> {
                if (!(values instanceof boolean[])) {
                    throw mistyped(column, values);
                }
            }
            case STRING, BINARY, DATETIME -> {
                if (!(values instanceof String[])) {
                    throw mistyped(column, values);
                }
            }
            case FLOAT, DOUBLE -> {
                if (!(values instanceof double[] || values instanceof float[] || values instanceof long[]
                        || values instanceof int[])) {
                    throw mistyped(column, values);
                }
            }
            case INTEGER, LONG -> {
                switch (values) {
                    case long[] a -> {
                        if (column.type() == ColumnType.INTEGER) {
                            for (int r = 0; r < a.length; r++) {
                                if (a[r] != (int) a[r]) {
                                    throw new InvalidInputException(name, "Column '" + name + "' is declared integer "
                                            + "(int32) but row " + r + " has " + a[r] + ", out of range.");
                                }
                            }
                        }
                    }
                    case int[] ignored -> {
                        // always whole and in range
                    }
                    case double[] a -> {
                        for (int r = 0; r < a.length; r++) {
                            wholeNumber(column, a[r], r);
                        }
                    }
                    case float[] a -> {
                        for (int r = 0; r < a.length; r++) {
                            wholeNumber(column, a[r], r);
                        }
                    }
                    default -> throw mistyped(column, values);
                }
            }
        }
    }

    private static void wholeNumber(Spec.Column column, double v, int row) {
        boolean int32 = column.type() == ColumnType.INTEGER;
        double min = int32 ? Integer.MIN_VALUE : -0x1p63;
        boolean inRange = v >= min && (int32 ? v <= Integer.MAX_VALUE : v < 0x1p63);
        if (v != Math.rint(v) || !inRange) {
            throw new InvalidInputException(column.name(), "Column '" + column.name() + "' is declared "
                    + column.type().mlflowName() + " but row " + row + " has " + v + ", not a whole number in range.");
        }
    }

    private static InvalidInputException mistyped(Spec.Column column, Object values) {
        String kind = switch (values) {
            case boolean[] ignored -> "booleans";
            case String[] ignored -> "strings";
            case double[] ignored -> "numbers";
            case float[] ignored -> "numbers";
            case long[] ignored -> "integers";
            case int[] ignored -> "integers";
            default -> values.getClass().getSimpleName();
        };
        return new InvalidInputException(column.name(), "Column '" + column.name() + "' is declared "
                + column.type().mlflowName() + " but holds " + kind + ".");
    }

    private static void checkLength(String name, Object values, int rows) {
        if (!values.getClass().isArray()) {
            throw new InvalidInputException(name, "Column '" + name + "' must be an array of values, got "
                    + values.getClass().getSimpleName() + ".");
        }
        int n = java.lang.reflect.Array.getLength(values);
        if (n != rows) {
            throw new InvalidInputException(name, "Column '" + name + "' has " + n + " values for " + rows + " rows.");
        }
    }

    private static double numberAt(String column, Object values, int row) {
        return switch (values) {
            case double[] a -> a[row];
            case float[] a -> a[row];
            case long[] a -> a[row];
            case int[] a -> a[row];
            case boolean[] a -> a[row] ? 1 : 0;
            case String[] a -> throw new InvalidInputException(column, "Column '" + column + "' must be numeric, got the string '"
                    + abbreviate(a[row]) + "' in row " + row + ".");
            default -> throw new InvalidInputException(column, "Column '" + column + "' has values of an unsupported type.");
        };
    }

    private static long integral(String column, double v, int row) {
        if (v != Math.rint(v) || Double.isInfinite(v)) {
            throw new InvalidInputException(column, "Column '" + column + "' must hold integers; row " + row + " has " + v + ".");
        }
        return (long) v;
    }

    /** A value for an int-carried input type, range-checked for that type. */
    private static int toInt(String column, long v, TensorType type, int row) {
        long min = switch (type) {
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case UINT8, UINT16 -> 0;
            default -> Integer.MIN_VALUE;
        };
        long max = switch (type) {
            case INT8 -> Byte.MAX_VALUE;
            case UINT8 -> 255;
            case INT16 -> Short.MAX_VALUE;
            case UINT16 -> 65_535;
            default -> Integer.MAX_VALUE;
        };
        if (v < min || v > max) {
            throw new InvalidInputException(column, "Column '" + column + "', row " + row + ": " + v + " is out of range for "
                    + type + ".");
        }
        return (int) v;
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

}
