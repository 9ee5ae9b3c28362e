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
    void aWideModelsReportDrawsTheDriftedFeaturesFirstAndAHundredAtMostAndNamesWhatItLeftOut() {
        int n = 150;
        var features = new java.util.ArrayList<dev.launchpad.platform.monitor.FeatureBatch.Feature>();
        for (int f = 0; f < n; f++) {
            features.add(dev.launchpad.platform.monitor.FeatureBatch.Feature.numeric("f" + f, new double[] {f, f + 1}));
        }
        var batch = new dev.launchpad.platform.monitor.FeatureBatch(2, features);
        var reference = dev.launchpad.platform.monitor.WindowData.empty(10, 1);
        reference.add("ok", 1, batch, dev.launchpad.platform.monitor.FeatureBatch.empty(2));
        var current = dev.launchpad.platform.monitor.WindowData.empty(10, 2);
        current.add("ok", 1, batch, dev.launchpad.platform.monitor.FeatureBatch.empty(2));
        var baseline = new dev.launchpad.platform.monitor.Baselines.Baseline("m", 1, "csv", 2, reference.inputs(), null, 0);
        var report = dev.launchpad.core.json.Json.mapper().createObjectNode().put("deployment", "d").put("model", "m");
        var rows = report.putArray("features");
        for (int f = 0; f < n; f++) {
            rows.addObject().put("feature", "f" + f).put("drift", f >= n - 3); // the drifted ones come last
        }
        rows.addObject().put("feature", "ghost").put("drift", false); // in the table, with no profile to draw
        report.putArray("predictions");
        report.putArray("not_compared").addObject().put("feature", "<all-infinite>").put("reason", "no finite value");
        report.putArray("not_in_baseline").add("extra");

        var html = DriftReport.html(report, baseline, current);
        assertThat(html.split("<svg", -1)).hasSize(DriftReport.MAX_PLOTS + 1);
        // (a plot's card is titled "<name></div>", a table cell "<name></td>")
        assertThat(html.indexOf(">f149 (drift)</div>")).isLessThan(html.indexOf(">f0</div>")); // drifted ones first
        assertThat(html).contains(">f96</div>").doesNotContain(">f97</div>") // 3 drifted + 97 others
                .contains("50 more features not drawn")
                .contains("<h2>Not compared</h2>", "&lt;all-infinite&gt;", "no finite value")
                .contains("<h2>Not in the baseline</h2>", "extra");
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

    @Test
    void labelsArePlottedAsTheShareOfEachInBothSamples() {
        var svg = DriftReport.svgOfLabels(new String[] {"0", "0", "1", null, "2"}, new String[] {"1", "1", "1", "0"});
        assertThat(bars(svg)).isEqualTo(6); // labels 0, 1 and 2, two bars each
        assertThat(svg).contains("<title>reference 0.500</title>", "<title>current 0.250</title>", // label 0
                "<title>reference 0.250</title>", "<title>current 0.750</title>", ">2</text>");
        assertThat(DriftReport.svgOfLabels(new String[] {null}, new String[] {"1"})).contains("no values");
        // class numbers in their order, whatever their frequencies
        var ordered = DriftReport.svgOfLabels(new String[] {"30", "30", "30", "10", "20", "20"}, new String[] {"20"});
        assertThat(ordered.indexOf(">10<")).isLessThan(ordered.indexOf(">20<"));
        assertThat(ordered.indexOf(">20<")).isLessThan(ordered.indexOf(">30<"));
    }

    @Test
    void longLabelsAreShortenedToTheirSlotAndShownWholeOnHover() {
        var labels = new String[16];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = "category-" + (char) ('a' + i) + "-\uD83D\uDE00"; // ends in an emoji: a surrogate pair
        }
        var svg = DriftReport.svgOfLabels(labels, labels);
        // the twelve most frequent, 30 px a slot: 4 characters, the last of them …
        assertThat(svg.split("</title>cat…</text>", -1)).hasSize(13);
        assertThat(svg).containsPattern("<title>category-[a-p]-\uD83D\uDE00</title>cat…</text>");
        assertThat(DriftReport.shortened("ab\uD83D\uDE00", 3)).isEqualTo("ab\uD83D\uDE00");
        assertThat(DriftReport.shortened("a\uD83D\uDE00bc", 3)).isEqualTo("a\uD83D\uDE00…");
        assertThat(DriftReport.shortened("abc", 1)).isEqualTo("…");
    }
}
