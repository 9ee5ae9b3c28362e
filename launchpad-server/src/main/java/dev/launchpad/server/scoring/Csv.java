package dev.launchpad.server.scoring;

import dev.launchpad.core.csv.CsvReader;
import dev.launchpad.core.error.LaunchpadException;

import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/** A CSV scoring body as rows (RFC 4180, read by {@link CsvReader}); malformed CSV is a BAD_REQUEST. */
final class Csv {
    private Csv() {
    }

    static List<List<String>> parse(Reader in) {
        var csv = new CsvReader(in);
        var rows = new ArrayList<List<String>>();
        try {
            for (var row = csv.next(); row != null; row = csv.next()) {
                rows.add(row);
            }
        } catch (LaunchpadException e) {
            throw ScoringInput.bad("The CSV body is malformed: " + e.getMessage());
        }
        return rows;
    }
}
