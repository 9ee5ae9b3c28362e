package dev.launchpad.stats.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.launchpad.stats.Column;
import dev.launchpad.stats.Dataset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidationTest {
    static final double N = Double.NaN;

    static Dataset data() {
        return Dataset.of(
                Column.numeric("age", 25, 31, N, 47, 130, 19, 52, 38, 44, 29),
                Column.categorical("country", "DE", "FR", "DE", null, "XX", "FR", "DE", "IT", "FR", "DE"),
                Column.categorical("email", "a@x.io", "b@y.io", "bad", "c@z.io", null, "d@x.io", "e@x.io", "f@x.io",
                        "g@x.io", "h@x.io"),
                Column.numeric("id", 1, 2, 3, 4, 5, 6, 7, 8, 9, 9));
    }

    @Test
    void columnMapExpectationsReportUnexpectedValues() {
        var suite = ExpectationSuite.of("people",
                new Expectation.Between("age", 0.0, 120.0),
                new Expectation.Between("age", 0.0, 120.0, null, null, 0.85),
                new Expectation.InSet("country", List.of("DE", "FR", "IT"), null),
                new Expectation.MatchesRegex("email", "^[^@]+@[^@]+\\.[a-z]+$", null),
                new Expectation.NotNull("age", null),
                new Expectation.NotNull("age", 0.9),
                new Expectation.Unique("id"),
                new Expectation.InSet("id", List.of("1", "2", "3", "4", "5", "6", "7", "8", "9"), null));
        ValidationResult r = suite.validate(data());
        assertThat(r.success()).isFalse();
        assertThat(r.evaluated()).isEqualTo(8);

        ExpectationResult between = r.results().get(0);
        assertThat(between.success()).isFalse();
        assertThat(between.unexpectedCount()).isEqualTo(1);
        assertThat(between.missingCount()).isEqualTo(1);
        assertThat(between.unexpectedPercent()).isCloseTo(100.0 / 9, within(1e-9));
        assertThat(between.unexpectedExamples()).containsExactly(130.0);
        assertThat(r.results().get(1).success()).isTrue(); // 8/9 ≥ 0.85

        assertThat(r.results().get(2).success()).isFalse();
        assertThat(r.results().get(2).unexpectedExamples()).containsExactly("XX");
        assertThat(r.results().get(3).unexpectedExamples()).containsExactly("bad");
        assertThat(r.results().get(4).success()).isFalse();
        assertThat(r.results().get(4).observedValue()).isEqualTo(0.9);
        assertThat(r.results().get(5).success()).isTrue();
        assertThat(r.results().get(6).success()).isFalse();
        assertThat(r.results().get(6).unexpectedExamples()).containsExactly(9.0, 9.0);
        assertThat(r.results().get(7).success()).isTrue();
        assertThat(r.successful()).isEqualTo(3);
        assertThat(r.failures()).hasSize(5);
    }

    @Test
    void aggregateExpectations() {
        var d = data();
        var suite = ExpectationSuite.of("agg",
                new Expectation.MeanBetween("age", 40.0, 50.0),
                new Expectation.StdevBetween("age", 0.0, 10.0),
                new Expectation.QuantileBetween("age", 0.5, 38.0, 38.0),
                new Expectation.RowCountBetween(5L, 20L),
                new Expectation.RowCountBetween(11L, null),
                new Expectation.ColumnExists("country"),
                new Expectation.ColumnExists("nope"),
                new Expectation.OfType("age", "numeric"),
                new Expectation.OfType("country", "numeric"),
                new Expectation.MeanBetween("country", 0.0, 1.0),
                new Expectation.NotNull("missing_column", null));
        var r = suite.validate(d);
        // ages present: 25 31 47 130 19 52 38 44 29 -> mean 415/9, median 38, sample sd 33.2507 (numpy std ddof=1)
        assertThat((double) r.results().get(0).observedValue()).isCloseTo(415.0 / 9, within(1e-12));
        assertThat(r.results().get(0).success()).isTrue();
        assertThat((double) r.results().get(1).observedValue()).isCloseTo(33.250730986, within(1e-8));
        assertThat(r.results().get(1).success()).isFalse();
        assertThat(r.results().get(2).observedValue()).isEqualTo(38.0);
        assertThat(r.results().get(2).success()).isTrue();
        assertThat(r.results().get(3).success()).isTrue();
        assertThat(r.results().get(4).success()).isFalse();
        assertThat(r.results().get(5).success()).isTrue();
        assertThat(r.results().get(6).success()).isFalse();
        assertThat(r.results().get(7).success()).isTrue();
        assertThat(r.results().get(8).success()).isFalse();
        assertThat(r.results().get(8).observedValue()).isEqualTo("categorical");
        assertThat(r.results().get(9).error()).contains("'country'").contains("numeric");
        assertThat(r.results().get(10).error()).contains("'missing_column'");
    }

    @Test
    void suitesRoundTripThroughJson() {
        var suite = ExpectationSuite.of("round-trip",
                new Expectation.Between("age", 0.0, 120.0, true, null, 0.99),
                new Expectation.InSet("country", List.of("DE", "FR"), null),
                new Expectation.MatchesRegex("email", "@", 0.5),
                new Expectation.QuantileBetween("age", 0.9, null, 100.0),
                new Expectation.RowCountBetween(1L, null),
                new Expectation.OfType("age", "numeric"));
        String json = suite.toJson();
        assertThat(json).contains("\"expectation_type\" : \"expect_column_values_to_be_between\"")
                .contains("\"min_value\" : 0.0").contains("\"mostly\" : 0.99");
        assertThat(ExpectationSuite.fromJson(json)).isEqualTo(suite);

        var parsed = ExpectationSuite.fromJson("""
                {"expectation_suite_name": "hand-written", "expectations": [
                  {"expectation_type": "expect_column_values_to_not_be_null", "column": "age", "mostly": 0.95},
                  {"expectation_type": "expect_table_row_count_to_be_between", "min_value": 1}
                ]}""");
        assertThat(parsed.expectations()).containsExactly(new Expectation.NotNull("age", 0.95),
                new Expectation.RowCountBetween(1L, null));
        assertThat(parsed.expectations().get(0).type()).isEqualTo("expect_column_values_to_not_be_null");
    }

    @Test
    void invalidSuitesAreRejectedWithClearMessages() {
        assertThatThrownBy(() -> new Expectation.Between("age", 5.0, 1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'age'");
        assertThatThrownBy(() -> new Expectation.NotNull("age", 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mostly");
        assertThatThrownBy(() -> new Expectation.MatchesRegex("email", "([", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("regex");
        assertThatThrownBy(() -> ExpectationSuite.fromJson("""
                {"expectation_suite_name": "x", "expectations": [
                  {"expectation_type": "expect_column_values_to_be_between", "column": "a", "min_value": 3, "max_value": 1}]}"""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
        assertThatThrownBy(() -> ExpectationSuite.fromJson("""
                {"expectation_suite_name": "x", "expectations": [{"expectation_type": "expect_magic"}]}"""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expect_magic");
        assertThatThrownBy(() -> ExpectationSuite.fromJson("not json")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExpectationSuite.of(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void inferredSchemaBecomesASuiteThatPassesOnItsReference() {
        var reference = data();
        var schema = SchemaInference.infer(reference);
        var age = schema.columns().get(0);
        assertThat(age.type()).isEqualTo("numeric");
        assertThat(age.completeness()).isEqualTo(0.9);
        assertThat(age.min()).isEqualTo(19.0);
        assertThat(age.max()).isEqualTo(130.0);
        var country = schema.columns().get(1);
        assertThat(country.domain()).containsExactly("DE", "FR", "IT", "XX");
        assertThat(country.completeness()).isEqualTo(0.9);

        ExpectationSuite suite = schema.toSuite("inferred");
        assertThat(suite.validate(reference).success()).isTrue();
        assertThat(ExpectationSuite.fromJson(suite.toJson())).isEqualTo(suite);

        var drifted = Dataset.of(
                Column.numeric("age", 25, 31, N, N, N, 19, 52, 38, 44, -1),
                Column.categorical("country", "DE", "FR", "DE", "ES", "XX", "FR", "DE", "IT", "FR", "DE"),
                Column.categorical("email", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"),
                Column.numeric("id", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        var result = suite.validate(drifted);
        assertThat(result.success()).isFalse();
        assertThat(result.failures()).extracting(f -> f.expectation().type() + ":" + f.expectation().column())
                .containsExactlyInAnyOrder("expect_column_values_to_not_be_null:age",
                        "expect_column_values_to_be_between:age",
                        "expect_column_values_to_be_in_set:country",
                        // 9 distinct emails ≤ 20 became a domain; id 10 is above the observed range 1..9
                        "expect_column_values_to_be_in_set:email",
                        "expect_column_values_to_be_between:id");
        var narrow = SchemaInference.infer(reference, new SchemaInference.Options(3, 0.1));
        assertThat(narrow.columns().get(1).domain()).isNull();
        assertThat(narrow.columns().get(0).min()).isCloseTo(19 - 11.1, within(1e-9));
    }
}
