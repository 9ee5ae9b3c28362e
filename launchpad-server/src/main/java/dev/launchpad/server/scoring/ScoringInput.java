package dev.launchpad.server.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.core.schema.ColumnType;
import dev.launchpad.core.schema.Signature;
import dev.launchpad.core.schema.Spec;
import dev.launchpad.server.oip.OipTensor;
import dev.launchpad.server.serving.ServedModel;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request to MLflow's scoring endpoint ({@code /invocations}), parsed: either a table (from
 * {@code dataframe_split}, {@code dataframe_records}, CSV, or {@code instances}/{@code inputs} holding
 * named columns for a tabular model) or tensors (from {@code instances}/{@code inputs}).
 */
public sealed interface ScoringInput {

    /** Named columns, each a {@code double[]}, {@code long[]}, {@code boolean[]} or {@code String[]} of {@code rows} values. */
    record Table(Map<String, Object> columns, int rows) implements ScoringInput {
    }

    /** Tensors in the model's input order. */
    record Tensors(List<OipTensor> tensors) implements ScoringInput {
    }

    /** Content types the endpoint accepts. */
    String JSON = "application/json";
    String CSV = "text/csv";

    /**
     * Parses a body by content type. 415 for other content types, 400 (BAD_REQUEST) for anything malformed,
     * with a message naming the field.
     */
    static ScoringInput parse(String contentType, byte[] body, ServedModel model, int maxRows) {
        var type = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
        return switch (type) {
            case JSON -> parseJson(body, model, maxRows);
            case CSV -> parseCsv(new String(body, StandardCharsets.UTF_8), model.signature(), maxRows);
            default -> throw new LaunchpadException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "This predictor only supports the following content types: Types: ['text/csv'], Formats:"
                            + " ['application/json'] (got '" + (contentType == null ? "" : contentType) + "').");
        };
    }

    private static ScoringInput parseJson(byte[] body, ServedModel model, int maxRows) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (IOException e) {
            throw bad("Failed to parse input from JSON. Ensure that input is a valid JSON formatted string. "
                    + firstLine(e));
        }
        if (root == null || !root.isObject()) {
            throw bad("The request must be a JSON object with one of dataframe_split, dataframe_records,"
                    + " instances or inputs.");
        }
        var formats = new ArrayList<String>();
        for (var key : List.of("dataframe_split", "dataframe_records", "instances", "inputs")) {
            if (root.has(key)) {
                formats.add(key);
            }
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            var field = it.next();
            if (!List.of("dataframe_split", "dataframe_records", "instances", "inputs", "params").contains(field)) {
                throw bad("Unknown field '" + field + "'. The request needs exactly one of dataframe_split,"
                        + " dataframe_records, instances or inputs (and optionally params).");
            }
        }
        if (formats.size() != 1) {
            throw bad("The request needs exactly one of dataframe_split, dataframe_records, instances or inputs;"
                    + " got " + (formats.isEmpty() ? "none" : String.join(", ", formats)) + ".");
        }
        var signature = model.signature();
        var node = root.get(formats.getFirst());
        return switch (formats.getFirst()) {
            case "dataframe_split" -> split(node, signature, maxRows);
            case "dataframe_records" -> records(node, signature, maxRows);
            default -> tensorsOrTable(formats.getFirst(), node, model, maxRows);
        };
    }

    private static Table split(JsonNode node, Signature signature, int maxRows) {
        if (!node.isObject()) {
            throw bad("dataframe_split must be an object with 'columns' and 'data'.");
        }
        var columns = node.get("columns");
        var data = node.get("data");
        if (data == null || !data.isArray()) {
            throw bad("dataframe_split needs a 'data' array of rows.");
        }
        var names = new ArrayList<String>();
        if (columns == null) {
            // like pandas without column names: positional, matched to the signature's columns
            signature.inputs().forEach(s -> names.add(s.name()));
        } else {
            if (!columns.isArray()) {
                throw bad("dataframe_split 'columns' must be an array of names.");
            }
            for (var c : columns) {
                if (!c.isTextual()) {
                    throw bad("dataframe_split 'columns' must be strings.");
                }
                names.add(c.asText());
            }
        }
        checkRows(data.size(), maxRows);
        var cells = new LinkedHashMap<String, List<JsonNode>>();
        names.forEach(n -> cells.put(n, new ArrayList<>()));
        int r = 0;
        for (var row : data) {
            if (!row.isArray() || row.size() != names.size()) {
                throw bad("Row " + r + " of dataframe_split has " + (row.isArray() ? row.size() + " values" : "no array")
                        + " but there are " + names.size() + " columns.");
            }
            for (int c = 0; c < names.size(); c++) {
                cells.get(names.get(c)).add(row.get(c));
            }
            r++;
        }
        return table(cells, data.size(), signature);
    }

    private static Table records(JsonNode node, Signature signature, int maxRows) {
        if (!node.isArray()) {
            throw bad("dataframe_records must be an array of objects, one per row.");
        }
        checkRows(node.size(), maxRows);
        return recordsTable(node, signature, "dataframe_records");
    }

    private static Table recordsTable(JsonNode node, Signature signature, String format) {
        var cells = new LinkedHashMap<String, List<JsonNode>>();
        int r = 0;
        for (var row : node) {
            if (!row.isObject()) {
                throw bad("Row " + r + " of " + format + " is not an object.");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
                var e = it.next();
                var column = cells.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
                while (column.size() < r) {
                    column.add(null); // missing in earlier rows
                }
                column.add(e.getValue());
            }
            r++;
        }
        int rows = r;
        cells.values().forEach(c -> {
            while (c.size() < rows) {
                c.add(null);
            }
        });
        return table(cells, rows, signature);
    }

    private static ScoringInput tensorsOrTable(String format, JsonNode node, ServedModel model, int maxRows) {
        var signature = model.signature();
        if (signature != null && signature.isTabular()) {
            if (node.isArray()) {
                checkRows(node.size(), maxRows);
                return recordsTable(node, signature, format);
            }
            if (node.isObject()) {
                var cells = new LinkedHashMap<String, List<JsonNode>>();
                int rows = -1;
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    var e = it.next();
                    if (!e.getValue().isArray()) {
                        throw bad("Column '" + e.getKey() + "' in " + format + " must be an array of values.");
                    }
                    var values = new ArrayList<JsonNode>();
                    e.getValue().forEach(values::add);
                    if (rows >= 0 && values.size() != rows) {
                        throw bad("The columns in " + format + " have different lengths.");
                    }
                    rows = values.size();
                    cells.put(e.getKey(), values);
                }
                checkRows(Math.max(rows, 0), maxRows);
                return table(cells, Math.max(rows, 0), signature);
            }
            throw bad(format + " must be an array of rows or an object of columns.");
        }
        var inputs = model.inputs();
        var tensors = new ArrayList<OipTensor>();
        if (node.isObject()) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                var name = it.next();
                if (inputs.stream().noneMatch(i -> i.name().equals(name))) {
                    throw bad("Unknown input '" + name + "' in " + format + "; the model's inputs are "
                            + String.join(", ", inputs.stream().map(ServedModel.TensorInfo::name).toList()) + ".");
                }
            }
            for (var info : inputs) {
                var value = node.get(info.name());
                if (value == null) {
                    throw bad("Missing input '" + info.name() + "' in " + format + ".");
                }
                tensors.add(TensorJson.fromJson(info, value, maxRows));
            }
        } else if (node.isArray()) {
            if (inputs.size() != 1) {
                if (format.equals("instances") && node.size() > 0 && node.get(0).isObject()) {
                    // a list of rows, each naming its inputs: stack them
                    for (var info : inputs) {
                        var stacked = Json.mapper().createArrayNode();
                        for (var row : node) {
                            var v = row.get(info.name());
                            if (v == null) {
                                throw bad("Missing input '" + info.name() + "' in a row of instances.");
                            }
                            stacked.add(v);
                        }
                        tensors.add(TensorJson.fromJson(info, stacked, maxRows));
                    }
                    return new Tensors(tensors);
                }
                throw bad("The model has " + inputs.size() + " inputs; give " + format + " as an object naming each.");
            }
            tensors.add(TensorJson.fromJson(inputs.getFirst(), node, maxRows));
        } else {
            throw bad(format + " must be an array or an object of named inputs.");
        }
        return new Tensors(tensors);
    }

    private static Table table(Map<String, List<JsonNode>> cells, int rows, Signature signature) {
        var types = new LinkedHashMap<String, ColumnType>();
        if (signature != null) {
            for (var spec : signature.inputs()) {
                if (spec instanceof Spec.Column c) {
                    types.put(c.name(), c.type());
                }
            }
        }
        var columns = new LinkedHashMap<String, Object>();
        for (var e : cells.entrySet()) {
            columns.put(e.getKey(), Columns.convert(e.getKey(), types.get(e.getKey()), e.getValue()));
        }
        return new Table(columns, rows);
    }

    private static Table parseCsv(String text, Signature signature, int maxRows) {
        var rows = Csv.parse(new StringReader(text));
        if (rows.isEmpty()) {
            throw bad("The CSV body is empty; it needs a header row naming the columns.");
        }
        var header = rows.getFirst();
        checkRows(rows.size() - 1, maxRows);
        var cells = new LinkedHashMap<String, List<JsonNode>>();
        header.forEach(h -> cells.put(h, new ArrayList<>()));
        if (cells.size() != header.size()) {
            throw bad("The CSV header names a column twice.");
        }
        for (int r = 1; r < rows.size(); r++) {
            var row = rows.get(r);
            if (row.size() != header.size()) {
                throw bad("CSV row " + r + " has " + row.size() + " values but the header has " + header.size() + ".");
            }
            for (int c = 0; c < header.size(); c++) {
                var value = row.get(c);
                cells.get(header.get(c)).add(value.isEmpty() ? null : Json.mapper().getNodeFactory().textNode(value));
            }
        }
        return table(cells, rows.size() - 1, signature);
    }

    private static void checkRows(int rows, int maxRows) {
        if (rows > maxRows) {
            throw bad("The request has " + rows + " rows; the limit per request is " + maxRows + ".");
        }
    }

    static LaunchpadException bad(String message) {
        return new LaunchpadException(ErrorCode.BAD_REQUEST, message);
    }

    private static String firstLine(Exception e) {
        var message = String.valueOf(e.getMessage());
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
