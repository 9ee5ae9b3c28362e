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
 * lines skipped), so that callers keep columns, not rows of strings. An unterminated quote, and a field or row
 * past the reader's limits, is INVALID_PARAMETER_VALUE: memory stays bounded whatever the input.
 */
public final class CsvReader {
    private final BufferedReader in;
    private final StringBuilder field = new StringBuilder();
    private final int maxFieldChars;
    private final int maxFields;
    private final long maxRowChars;
    private long rowChars; // characters of the row being read

    /** A reader without limits of its own (for input already bounded in size). */
    public CsvReader(Reader reader) {
        this(reader, Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * A reader that refuses a field longer than {@code maxFieldChars}, a row of more than {@code maxFields} and a row
     * longer than {@code maxRowChars} characters.
     */
    public CsvReader(Reader reader, int maxFieldChars, int maxFields, long maxRowChars) {
        this.in = new BufferedReader(reader, 1 << 16);
        this.maxFieldChars = maxFieldChars;
        this.maxFields = maxFields;
        this.maxRowChars = maxRowChars;
    }

    private void append(int c) {
        if (field.length() >= maxFieldChars) {
            throw LaunchpadException.invalid("A CSV field is longer than " + maxFieldChars + " characters"
                    + " (is a quote left open?).");
        }
        if (++rowChars > maxRowChars) {
            throw LaunchpadException.invalid("A CSV row is longer than " + maxRowChars + " characters.");
        }
        field.append((char) c);
    }

    private void endField(List<String> row) {
        if (row.size() >= maxFields) {
            throw LaunchpadException.invalid("A CSV row has more than " + maxFields + " fields.");
        }
        row.add(field.toString());
        field.setLength(0);
    }

    /** The next row, or null at the end (blank lines are skipped). */
    public List<String> next() {
        try {
            var row = new ArrayList<String>();
            field.setLength(0);
            rowChars = 0;
            boolean quoted = false;
            boolean fieldStarted = false;
            int c;
            while ((c = in.read()) != -1) {
                if (quoted) {
                    if (c == '"') {
                        in.mark(1);
                        int next = in.read();
                        if (next == '"') {
                            append('"');
                        } else {
                            quoted = false;
                            if (next != -1) {
                                in.reset();
                            }
                        }
                    } else {
                        append(c);
                    }
                    continue;
                }
                switch (c) {
                    case '"' -> {
                        if (field.isEmpty()) {
                            quoted = true;
                            fieldStarted = true;
                        } else {
                            append('"');
                        }
                    }
                    case ',' -> {
                        endField(row);
                        fieldStarted = true;
                    }
                    case '\r' -> {
                    }
                    case '\n' -> {
                        if (fieldStarted || !field.isEmpty() || !row.isEmpty()) {
                            endField(row);
                            return row;
                        }
                    }
                    default -> {
                        append(c);
                        fieldStarted = true;
                    }
                }
            }
            if (quoted) {
                throw LaunchpadException.invalid("The CSV ends inside a quoted field.");
            }
            if (fieldStarted || !field.isEmpty() || !row.isEmpty()) {
                endField(row);
                return row;
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
