package dev.launchpad.stats.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.launchpad.stats.Column;
import dev.launchpad.stats.Dataset;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** merge is associative and commutative: exactly for counts/min/max/HLL, to rounding for moments, within ε for quantiles. */
class ProfileMergePropertiesTest {

    static Dataset part(Random rnd, int n, double shift) {
        double[] x = new double[n];
        String[] c = new String[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextDouble() < 0.05 ? Double.NaN : shift + rnd.nextGaussian() * 10;
            c[i] = rnd.nextDouble() < 0.05 ? null : "v" + rnd.nextInt(40);
        }
        return Dataset.of(Column.numeric("x", x), Column.categorical("c", c));
    }

    @Property(tries = 40)
    void mergeIsAssociativeAndCommutative(@ForAll long seed, @ForAll @IntRange(min = 0, max = 20_000) int na,
                                          @ForAll @IntRange(min = 0, max = 20_000) int nb,
                                          @ForAll @IntRange(min = 1, max = 20_000) int nc) {
        var rnd = new Random(seed);
        Dataset a = part(rnd, na, 0);
        Dataset b = part(rnd, nb, 5);
        Dataset c = part(rnd, nc, -3);
        DatasetProfile pa = DatasetProfile.of(a);
        DatasetProfile pb = DatasetProfile.of(b);
        DatasetProfile pc = DatasetProfile.of(c);

        DatasetProfile left = pa.merge(pb).merge(pc);
        DatasetProfile right = pa.merge(pb.merge(pc));
        DatasetProfile swapped = pc.merge(pa).merge(pb);
        DatasetProfile whole = DatasetProfile.of(concat(a, b, c));

        for (DatasetProfile p : new DatasetProfile[] {right, swapped, whole}) {
            assertThat(p.rowCount()).isEqualTo(left.rowCount());
            for (String name : new String[] {"x", "c"}) {
                ColumnProfile l = left.column(name);
                ColumnProfile o = p.column(name);
                assertThat(o.count()).isEqualTo(l.count());
                assertThat(o.nanCount()).isEqualTo(l.nanCount());
                assertThat(o.nullCount()).isEqualTo(l.nullCount());
                assertThat(o.validCount()).isEqualTo(l.validCount());
                assertThat(o.distinctEstimate()).isEqualTo(l.distinctEstimate()); // HLL merge is exact
            }
            ColumnProfile l = left.column("x");
            ColumnProfile o = p.column("x");
            assertThat(o.min()).isEqualTo(l.min());
            assertThat(o.max()).isEqualTo(l.max());
            if (l.validCount() > 0) {
                assertThat(o.mean()).isCloseTo(l.mean(), within(1e-9 * (1 + Math.abs(l.mean()))));
            }
            if (l.validCount() > 1) {
                assertThat(o.variance()).isCloseTo(l.variance(), within(1e-9 * l.variance()));
            }
            // quantiles: each side within its rank error of the truth, so within the sum of each other
            double eps = l.rankError() + o.rankError();
            for (double q = 0.05; q < 1; q += 0.1) {
                if (l.validCount() > 0) {
                    double v = o.quantile(q);
                    assertThat(l.rank(v)).isCloseTo(o.rank(v), within(eps + 1e-12));
                }
            }
            // fewer categories than counters: frequent items are exact, hence equal
            assertThat(p.column("c").frequentItems()).isEqualTo(left.column("c").frequentItems());
        }
    }

    static Dataset concat(Dataset... parts) {
        int n = Arrays.stream(parts).mapToInt(Dataset::rowCount).sum();
        double[] x = new double[n];
        String[] c = new String[n];
        int off = 0;
        for (Dataset d : parts) {
            double[] px = ((Column.Numeric) d.column("x")).values();
            String[] pc = ((Column.Categorical) d.column("c")).values();
            System.arraycopy(px, 0, x, off, px.length);
            System.arraycopy(pc, 0, c, off, pc.length);
            off += px.length;
        }
        return Dataset.of(Column.numeric("x", x), Column.categorical("c", c));
    }
}
