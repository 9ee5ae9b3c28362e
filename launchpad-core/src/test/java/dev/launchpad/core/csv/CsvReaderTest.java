package dev.launchpad.core.csv;

import dev.launchpad.core.error.LaunchpadException;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvReaderTest {
    private static List<List<String>> rows(String text) {
        var csv = new CsvReader(new StringReader(text));
        var out = new ArrayList<List<String>>();
        for (var row = csv.next(); row != null; row = csv.next()) {
            out.add(row);
        }
        return out;
    }

    @Test
    void quotesEscapesLineEndsAndBlankLines() {
        assertThat(rows("a,b\r\n\"x, \"\"y\"\"\",\n\n1,\"multi\nline\"")).containsExactly(
                List.of("a", "b"), List.of("x, \"y\"", ""), List.of("1", "multi\nline"));
        assertThat(rows("")).isEmpty();
        assertThat(rows("\"\"\n")).containsExactly(List.of(""));
    }

    @Test
    void anUnterminatedQuoteIsATypedError() {
        assertThatThrownBy(() -> rows("a\n\"open")).isInstanceOf(LaunchpadException.class)
                .hasMessageContaining("quoted field");
    }

    @Test
    void fieldsAndRowsPastTheLimitsAreTypedErrors() {
        var limited = new CsvReader(new StringReader("abcd,e\n\"open, and on and on"), 4, 2, 100);
        assertThat(limited.next()).containsExactly("abcd", "e");
        assertThatThrownBy(limited::next).isInstanceOf(LaunchpadException.class)
                .hasMessageContaining("longer than 4 characters");
        assertThatThrownBy(() -> new CsvReader(new StringReader("a,b,c\n"), 4, 2, 100).next())
                .isInstanceOf(LaunchpadException.class).hasMessageContaining("more than 2 fields");
        assertThatThrownBy(() -> new CsvReader(new StringReader("a,b,"), 4, 2, 100).next())
                .isInstanceOf(LaunchpadException.class).hasMessageContaining("more than 2 fields");
        var rows = new CsvReader(new StringReader("abc,de\nabc,def\n"), 4, 2, 5);
        assertThat(rows.next()).containsExactly("abc", "de"); // five characters: the limit is per row
        assertThatThrownBy(rows::next).isInstanceOf(LaunchpadException.class)
                .hasMessageContaining("row is longer than 5 characters");
    }
}
