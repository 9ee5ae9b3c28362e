package dev.launchpad.core.text;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DecimalsTest {
    @Test
    void readsDecimalTextAndNothingElse() {
        assertThat(Decimals.parse("3")).isEqualTo(3.0);
        assertThat(Decimals.parse("-0.5")).isEqualTo(-0.5);
        assertThat(Decimals.parse("+.5")).isEqualTo(0.5);
        assertThat(Decimals.parse("5.")).isEqualTo(5.0);
        assertThat(Decimals.parse("1E-3")).isEqualTo(0.001);
        assertThat(Decimals.parse("007")).isEqualTo(7.0);
        // what Double.parseDouble would also read as numbers
        for (var text : new String[] {"7d", "30D", "1f", "0x1p3", "Infinity", "NaN", " 1", "1\n", "", "-", ".", "e3",
                "1e", "1e+", "1.2.3", "--1"}) {
            assertThat(Decimals.parse(text)).as(text).isNull();
        }
        assertThat(Decimals.parse(null)).isNull();
        assertThat(Decimals.parseNumber("-Inf")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Decimals.parseNumber("Infinity")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Decimals.parseNumber("2.5")).isEqualTo(2.5);
        assertThat(Decimals.parseNumber("NaN")).isNull();
        assertThat(Decimals.parseNumber("7d")).isNull();
    }
}
