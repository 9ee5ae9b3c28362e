package dev.launchpad.core.csv;

import dev.launchpad.core.error.LaunchpadException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV read a row at a time (comma separated, double-quoted fields with "" escapes, CRLF or LF; blank
 * lines skipped), so that callers keep columns, not rows of strings. An unterminated quote is
 * INVALID_PARAMETER_VALUE.
 */
public final class CsvReader {
    private final BufferedReader in;
    private final StringBuilder field = new StringBuilder();

    public CsvReader(Reader reader) {
        this.in = new BufferedReader(reader, 1 << 16);
    }

    /** The next row, or null at the end (blank lines are skipped). */
    public List<String> next() {
        try {
            var row = new ArrayList<String>();
            field.setLength(0);
            boolean quoted = false;
            boolean fieldStarted = false;
            int c;
            while ((c = in.read()) != -1) {
                if (quoted) {
                    if (c == '"') {
                        in.mark(1);
                        int next = in.read();
                        if (next == '"') {
                            field.append('"');
                        } else {
                            quoted = false;
                            if (next != -1) {
                                in.reset();
                            }
                        }
                    } else {
                        field.append((char) c);
                    }
                    continue;
                }
                switch (c) {
                    case '"' -> {
                        if (field.isEmpty()) {
                            quoted = true;
                            fieldStarted = true;
                        } else {
                            field.append('"');
                        }
                    }
                    case ',' -> {
                        row.add(field.toString());
                        field.setLength(0);
                        fieldStarted = true;
                    }
                    case '\r' -> {
                    }
                    case '\n' -> {
                        if (fieldStarted || !field.isEmpty() || !row.isEmpty()) {
                            row.add(field.toString());
                            return row;
                        }
                    }
                    default -> {
                        field.append((char) c);
                        fieldStarted = true;
                    }
                }
            }
            if (quoted) {
                throw LaunchpadException.invalid("The CSV ends inside a quoted field.");
            }
            if (fieldStarted || !field.isEmpty() || !row.isEmpty()) {
                row.add(field.toString());
                return row;
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
