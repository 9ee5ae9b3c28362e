package dev.launchpad.platform.tracking.search;

import dev.launchpad.core.error.LaunchpadException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SearchFilterParserTest {

    @Test
    void parsesEveryComparatorAndEntity() {
        var clauses = SearchFilterParser.parse("metrics.acc >= 0.9 and params.model = 'xgb' AND tags.\"my tag\" LIKE"
                + " '%x%' AND attributes.run_id IN ('a', \"b\") AND attr.status NOT IN ('FAILED') AND"
                + " tags.`other key` ILIKE 'A%' AND metric.loss != -1.5e-3 AND run_name = 'r' AND"
                + " params.p IS NOT NULL AND tags.t IS NULL AND datasets.digest = 'd1'");
        assertThat(clauses).containsExactly(
                new Clause(EntityType.METRIC, "acc", Comparator.GE, 0.9),
                new Clause(EntityType.PARAM, "model", Comparator.EQ, "xgb"),
                new Clause(EntityType.TAG, "my tag", Comparator.LIKE, "%x%"),
                new Clause(EntityType.ATTRIBUTE, "run_id", Comparator.IN, List.of("a", "b")),
                new Clause(EntityType.ATTRIBUTE, "status", Comparator.NOT_IN, List.of("FAILED")),
                new Clause(EntityType.TAG, "other key", Comparator.ILIKE, "A%"),
                new Clause(EntityType.METRIC, "loss", Comparator.NE, -1.5e-3),
                new Clause(EntityType.ATTRIBUTE, "run_name", Comparator.EQ, "r"),
                new Clause(EntityType.PARAM, "p", Comparator.IS_NOT_NULL, null),
                new Clause(EntityType.TAG, "t", Comparator.IS_NULL, null),
                new Clause(EntityType.DATASET, "digest", Comparator.EQ, "d1"));
    }

    @Test
    void keysMayContainDotsSlashesAndDashes() {
        assertThat(SearchFilterParser.parse("metrics.val/loss-1.x<3"))
                .containsExactly(new Clause(EntityType.METRIC, "val/loss-1.x", Comparator.LT, 3.0));
    }

    @Test
    void quotesCanBeEscaped() {
        assertThat(SearchFilterParser.parse("tags.t = 'it''s' AND tags.u = 'a\\'b'"))
                .extracting(Clause::value).containsExactly("it's", "a'b");
    }

    @Test
    void blankFilterHasNoClauses() {
        assertThat(SearchFilterParser.parse(null)).isEmpty();
        assertThat(SearchFilterParser.parse("   ")).isEmpty();
    }

    @Test
    void rejectsMalformedFilters() {
        for (var bad : List.of("metrics.acc", "metrics.acc >", "metrics.acc > 1 OR metrics.b < 2", "foo.bar = 'x'",
                "params.p = 'unterminated", "attributes.run_id IN 'a'", "metrics. > 1", "= 1", "metrics.a > 1 AND",
                "tags.t NOT LIKE 'x'", "metrics.a > 1abc")) {
            assertThatThrownBy(() -> SearchFilterParser.parse(bad)).as(bad)
                    .isInstanceOf(LaunchpadException.class);
        }
    }

    @Test
    void parsesOrderBy() {
        assertThat(SearchFilterParser.parseOrderBy("metrics.acc DESC"))
                .isEqualTo(new OrderBy(EntityType.METRIC, "acc", false));
        assertThat(SearchFilterParser.parseOrderBy("start_time"))
                .isEqualTo(new OrderBy(EntityType.ATTRIBUTE, "start_time", true));
        assertThat(SearchFilterParser.parseOrderBy("params.`a b` asc"))
                .isEqualTo(new OrderBy(EntityType.PARAM, "a b", true));
        assertThatThrownBy(() -> SearchFilterParser.parseOrderBy("metrics.acc sideways"))
                .isInstanceOf(LaunchpadException.class);
    }
}
