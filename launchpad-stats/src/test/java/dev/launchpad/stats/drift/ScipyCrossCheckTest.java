package dev.launchpad.stats.drift;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.json.Json;
import dev.launchpad.stats.Column;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cross-checks every drift test against values scipy computed on the same seeded samples
 * (fixture written by {@code src/test/resources/drift/scipy_reference.py}).
 */
class ScipyCrossCheckTest {
    private static final double REL = 1e-6;
    private static final double P_REL = 1e-4;
    private static JsonNode fixture;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = ScipyCrossCheckTest.class.getResourceAsStream("/drift/scipy_reference.json")) {
            fixture = Json.mapper().readTree(in);
        }
    }

    static Stream<Arguments> numericCases() throws IOException {
        load();
        List<Arguments> out = new ArrayList<>();
        fixture.get("numeric").forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
        return out.stream();
    }

    static Stream<Arguments> categoricalCases() throws IOException {
        load();
        List<Arguments> out = new ArrayList<>();
        fixture.get("categorical").forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
        return out.stream();
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    private static String[] strings(JsonNode array) {
        String[] out = new String[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asText();
        }
        return out;
    }

    private static void close(String what, double actual, double expected, double rel) {
        if (Double.isInfinite(expected)) {
            assertThat(actual).as(what).isEqualTo(expected);
            return;
        }
        double tol = Math.max(rel * Math.abs(expected), 1e-12);
        assertThat(actual).as(what + " (scipy " + expected + ")").isCloseTo(expected,
                org.assertj.core.data.Offset.offset(tol));
    }

    private static ColumnDrift numeric(JsonNode c, DriftMethod m) {
        return DriftDetector.column(Column.numeric("x", doubles(c.get("reference"))),
                Column.numeric("x", doubles(c.get("current"))), DriftOptions.defaults().withMethod(m));
    }

    private static ColumnDrift categorical(JsonNode c, DriftMethod m) {
        return DriftDetector.column(Column.categorical("x", strings(c.get("reference"))),
                Column.categorical("x", strings(c.get("current"))), DriftOptions.defaults().withMethod(m));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("numericCases")
    void numericTestsAgreeWithScipy(String name, JsonNode c) {
        double[] ref = doubles(c.get("reference"));
        double[] cur = doubles(c.get("current"));

        ColumnDrift ks = numeric(c, DriftMethod.KS);
        close("ks D", ks.statistic(), c.get("ks_statistic").asDouble(), REL);
        close("ks p", ks.pValue(), c.get("ks_pvalue").asDouble(), P_REL);

        close("wasserstein", DriftTests.wassersteinDistance(ref, cur), c.get("wasserstein").asDouble(), REL);
        close("wasserstein normed", numeric(c, DriftMethod.WASSERSTEIN).distance(),
                c.get("wasserstein_normed").asDouble(), REL);
        close("energy", numeric(c, DriftMethod.ENERGY_DISTANCE).distance(), c.get("energy").asDouble(), REL);

        ColumnDrift ad = numeric(c, DriftMethod.ANDERSON);
        close("anderson A2", ad.statistic(), c.get("anderson_statistic").asDouble(), REL);
        close("anderson p", ad.pValue(), c.get("anderson_pvalue").asDouble(), P_REL);

        ColumnDrift cvm = numeric(c, DriftMethod.CRAMER_VON_MISES);
        close("cvm T", cvm.statistic(), c.get("cvm_statistic").asDouble(), REL);
        close("cvm p", cvm.pValue(), c.get("cvm_pvalue").asDouble(), P_REL);

        close("jensenshannon", numeric(c, DriftMethod.JENSEN_SHANNON).distance(),
                c.get("jensenshannon").asDouble(), REL);
        close("psi", numeric(c, DriftMethod.PSI).distance(), c.get("psi").asDouble(), REL);
        close("kl_div", numeric(c, DriftMethod.KL_DIV).distance(), c.get("kl_div").asDouble(), REL);
        close("linf", numeric(c, DriftMethod.L_INFINITY).distance(), c.get("linf").asDouble(), REL);
        close("hellinger", numeric(c, DriftMethod.HELLINGER).distance(), c.get("hellinger").asDouble(), REL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("categoricalCases")
    void categoricalTestsAgreeWithScipy(String name, JsonNode c) {
        ColumnDrift chi = categorical(c, DriftMethod.CHI_SQUARE);
        close("chi2", chi.statistic(), c.get("chisquare_statistic").asDouble(), REL);
        close("chi2 p", chi.pValue(), c.get("chisquare_pvalue").asDouble(), P_REL);
        close("jensenshannon", categorical(c, DriftMethod.JENSEN_SHANNON).distance(),
                c.get("jensenshannon").asDouble(), REL);
        close("psi", categorical(c, DriftMethod.PSI).distance(), c.get("psi").asDouble(), REL);
        close("kl_div", categorical(c, DriftMethod.KL_DIV).distance(), c.get("kl_div").asDouble(), REL);
        close("linf", categorical(c, DriftMethod.L_INFINITY).distance(), c.get("linf").asDouble(), REL);
        close("hellinger", categorical(c, DriftMethod.HELLINGER).distance(), c.get("hellinger").asDouble(), REL);
        if (c.has("z_statistic")) {
            ColumnDrift z = categorical(c, DriftMethod.Z);
            close("z", Math.abs(z.statistic()), Math.abs(c.get("z_statistic").asDouble()), REL);
            close("z p", z.pValue(), c.get("z_pvalue").asDouble(), P_REL);
        }
    }
}
