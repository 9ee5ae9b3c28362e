package dev.launchpad.server.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.schema.ColumnType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Served columns read as the reference CSV is: numbers are decimal text, "7d" is text. */
class ColumnsTest {
    private static List<JsonNode> text(String... cells) {
        return java.util.Arrays.stream(cells).map(c -> (JsonNode) TextNode.valueOf(c)).toList();
    }

    @Test
    void textIsANumberOnlyWhenItIsDecimalText() {
        assertThat(Columns.convert("window", null, text("7d", "30d"))).isInstanceOf(String[].class);
        assertThat(Columns.convert("hex", null, text("0x10"))).isInstanceOf(String[].class);
        assertThat((double[]) Columns.convert("amount", null, text(" 1.5", "NaN", "-Infinity", "2e1", "inf")))
                .containsExactly(1.5, Double.NaN, Double.NEGATIVE_INFINITY, 20.0, Double.POSITIVE_INFINITY);
        assertThatThrownBy(() -> Columns.convert("amount", ColumnType.DOUBLE, text("1f")))
                .isInstanceOf(LaunchpadException.class).hasMessageContaining("expected a number");
    }
}
