package dev.launchpad.server.scoring;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** A small RFC 4180 CSV reader: comma-separated fields, double-quoted fields with "" escapes, CRLF or LF. */
final class Csv {
    private Csv() {
    }

    static List<List<String>> parse(Reader in) {
        try {
            var rows = new ArrayList<List<String>>();
            var row = new ArrayList<String>();
            var field = new StringBuilder();
            boolean quoted = false;
            boolean any = false;
            int c;
            while ((c = in.read()) != -1) {
                any = true;
                if (quoted) {
                    if (c == '"') {
                        in.mark(1);
                        int next = in.read();
                        if (next == '"') {
                            field.append('"');
                        } else {
                            quoted = false;
                            if (next == -1) {
                                break;
                            }
                            c = next;
                        }
                    } else {
                        field.append((char) c);
                        continue;
                    }
                    if (quoted) {
                        continue;
                    }
                }
                if (c == '"' && field.isEmpty()) {
                    quoted = true;
                } else if (c == ',') {
                    row.add(field.toString());
                    field.setLength(0);
                } else if (c == '\n') {
                    row.add(field.toString());
                    field.setLength(0);
                    addRow(rows, row);
                    row = new ArrayList<>();
                } else if (c != '\r') {
                    field.append((char) c);
                }
            }
            if (quoted) {
                throw ScoringInput.bad("The CSV body ends inside a quoted field.");
            }
            if (any && (!field.isEmpty() || !row.isEmpty())) {
                row.add(field.toString());
                addRow(rows, row);
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void addRow(List<List<String>> rows, List<String> row) {
        if (!(row.size() == 1 && row.getFirst().isEmpty())) { // skip blank lines
            rows.add(row);
        }
    }
}
