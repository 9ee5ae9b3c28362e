package dev.launchpad.server.serving;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.SplittableRandom;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class RequestIdsTest {

    @Test
    void idsAreVersion7UuidsThatSortByTimeAndDoNotRepeat() {
        var random = new SplittableRandom(1);
        var earlier = RequestIds.of(1_700_000_000_000L, random);
        var later = RequestIds.of(1_700_000_000_001L, random);
        var uuid = UUID.fromString(earlier);
        assertThat(uuid.version()).isEqualTo(7);
        assertThat(uuid.variant()).isEqualTo(2); // RFC 9562
        assertThat(uuid.getMostSignificantBits() >>> 16).isEqualTo(1_700_000_000_000L);
        assertThat(earlier).isLessThan(later);
        var seen = new HashSet<String>();
        for (int i = 0; i < 100_000; i++) {
            assertThat(seen.add(RequestIds.next())).isTrue();
        }
    }
}
