package dev.launchpad.server.monitor;

import dev.launchpad.stats.profile.ColumnProfile;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The report's distribution plots draw any finite range, however wide or narrow. */
class DriftReportTest {
    private static ColumnProfile numeric(double... values) {
        var p = ColumnProfile.numeric("x");
        p.update(values);
        return p;
    }

    private static int bars(String svg) {
        return svg.split("<rect ", -1).length - 1;
    }

    @Test
    void plotsRangesWhoseWidthOverflowsOrIsAFewDoublesWide() {
        // hi - lo overflows to infinity: 20 bins, two bars each
        var wide = DriftReport.svg(numeric(-Double.MAX_VALUE, 0, Double.MAX_VALUE), numeric(-1e308, 1e308));
        assertThat(wide).startsWith("<svg");
        assertThat(bars(wide)).isEqualTo(40);
        // two neighbouring doubles: no split point fits between them, so one bin holds everything
        var narrow = DriftReport.svg(numeric(1.0, Math.nextUp(1.0)), numeric(1.0));
        assertThat(narrow).startsWith("<svg");
        assertThat(bars(narrow)).isEqualTo(2);
        // an ordinary range keeps its 20 bins
        assertThat(bars(DriftReport.svg(numeric(0, 1, 2, 3), numeric(1, 2, 3, 4)))).isEqualTo(40);
    }
}
