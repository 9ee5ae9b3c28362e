package dev.launchpad.platform.monitor;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.stats.profile.ColumnProfile;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reference data read from CSV: column kinds, missing cells, quoting, and malformed files as typed errors. */
class BaselinesTest {
    private static Baselines.Reference csv(String text) {
        return Baselines.fromCsv(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void columnsAreNumericUntilACellIsNotANumber() {
        var ref = csv("amount,city,code\r\n1.5,\"Oslo, NO\",7\n\n2.5,Bergen,x\nNA,,9\n").profile();
        assertThat(ref.rowCount()).isEqualTo(3);
        var amount = ref.column("amount");
        assertThat(amount.kind()).isEqualTo(ColumnProfile.Kind.NUMERIC);
        assertThat(amount.validCount()).isEqualTo(2);
        assertThat(amount.mean()).isEqualTo(2.0);
        var city = ref.column("city");
        assertThat(city.kind()).isEqualTo(ColumnProfile.Kind.CATEGORICAL);
        assertThat(city.nullCount()).isEqualTo(1);
        assertThat(city.frequentItems()).extracting(i -> i.value()).containsExactlyInAnyOrder("Oslo, NO", "Bergen");
        // numbers read before the first text cell keep their numeric spelling
        var code = ref.column("code");
        assertThat(code.kind()).isEqualTo(ColumnProfile.Kind.CATEGORICAL);
        assertThat(code.frequentItems()).extracting(i -> i.value()).containsExactlyInAnyOrder("7", "x", "9");
    }

    @Test
    void malformedFilesAreTypedErrors() {
        for (var bad : new String[] {"", "a,b\n", "a,a\n1,2\n", "a,b\nx,y\nz\n", "a,b\n1,2\n3,4,5\n", "a\n\"open\n"}) {
            assertThatThrownBy(() -> csv(bad)).as(bad).isInstanceOf(LaunchpadException.class);
        }
    }
}
