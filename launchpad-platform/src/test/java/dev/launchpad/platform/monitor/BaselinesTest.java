package dev.launchpad.platform.monitor;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.stats.profile.ColumnProfile;
import blue.strategic.parquet.ParquetWriter;
import blue.strategic.parquet.ValueWriter;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reference data read from CSV: column kinds, missing cells, quoting, and malformed files as typed errors. */
class BaselinesTest {
    private static Baselines.Reference csv(String text) {
        return Baselines.fromCsv(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void columnsAreNumericUntilACellIsNotANumber() {
        var ref = csv("amount,city,code\r\n1.5,\"Oslo, NO\",007\n\n2.5,Bergen,x\nNA,,9.0\n").profile();
        assertThat(ref.rowCount()).isEqualTo(3);
        var amount = ref.column("amount");
        assertThat(amount.kind()).isEqualTo(ColumnProfile.Kind.NUMERIC);
        assertThat(amount.validCount()).isEqualTo(2);
        assertThat(amount.mean()).isEqualTo(2.0);
        // a reference keeps its numeric distinct counts (traffic windows do not): drift from profiles bins by them
        assertThat(amount.distinctEstimate()).isCloseTo(2.0, org.assertj.core.api.Assertions.within(0.1));
        var city = ref.column("city");
        assertThat(city.kind()).isEqualTo(ColumnProfile.Kind.CATEGORICAL);
        assertThat(city.nullCount()).isEqualTo(1);
        assertThat(city.frequentItems()).extracting(i -> i.value()).containsExactlyInAnyOrder("Oslo, NO", "Bergen");
        // a categorical column keeps its cells as written, numbers included
        var code = ref.column("code");
        assertThat(code.kind()).isEqualTo(ColumnProfile.Kind.CATEGORICAL);
        assertThat(code.frequentItems()).extracting(i -> i.value()).containsExactlyInAnyOrder("007", "x", "9.0");
    }

    @Test
    void pandasToCsvWithItsIndexAndNumberLikeTextReadsAsPandasReadsIt() {
        // df.to_csv("train.csv") writes the index first, under an empty name; "7d" is text to pandas
        var ref = csv(",window,amount\n0,7d,1.5\n1,30d,2e1\n2,90D,0x10\n").profile();
        assertThat(ref.columns()).containsOnlyKeys("Unnamed: 0", "window", "amount");
        assertThat(ref.column("Unnamed: 0").kind()).isEqualTo(ColumnProfile.Kind.NUMERIC);
        assertThat(ref.column("window").kind()).isEqualTo(ColumnProfile.Kind.CATEGORICAL);
        assertThat(ref.column("window").frequentItems()).extracting(i -> i.value()).containsExactlyInAnyOrder("7d", "30d", "90D");
        assertThat(ref.column("amount").kind()).isEqualTo(ColumnProfile.Kind.CATEGORICAL); // 0x10 is text
        assertThat(csv("a,b\n1,2e1\n").profile().column("b").mean()).isEqualTo(20.0);
        assertThatThrownBy(() -> csv("a,,a\n1,2,3\n")).isInstanceOf(LaunchpadException.class)
                .hasMessageContaining("repeated column name 'a'");
        assertThatThrownBy(() -> csv("x".repeat(1_001) + "\n1\n")).isInstanceOf(LaunchpadException.class)
                .hasMessageContaining("at most 1000 characters");
    }

    @Test
    void csvFromSpreadsheetsAndPandasReadAsServedTrafficDoes() {
        // a byte-order mark (Excel's "CSV UTF-8"), pandas' missing markers and its True/False
        var ref = Baselines.fromCsv(("\uFEFFamount,flag,city\n1,True,Oslo\nNULL,False,None\nNone,,N/A\n3,TRUE,<NA>\n"
                + "n/a,false,Bergen\n").getBytes(StandardCharsets.UTF_8)).profile();
        assertThat(ref.columns()).containsOnlyKeys("amount", "flag", "city");
        var amount = ref.column("amount");
        assertThat(amount.kind()).isEqualTo(ColumnProfile.Kind.NUMERIC);
        assertThat(amount.validCount()).isEqualTo(2);
        assertThat(amount.mean()).isEqualTo(2.0);
        var flag = ref.column("flag");
        assertThat(flag.kind()).isEqualTo(ColumnProfile.Kind.CATEGORICAL);
        assertThat(flag.nullCount()).isEqualTo(1);
        assertThat(flag.frequentItems()).extracting(i -> i.value()).containsExactlyInAnyOrder("true", "false");
        var city = ref.column("city");
        assertThat(city.nullCount()).isEqualTo(3);
        assertThat(city.frequentItems()).extracting(i -> i.value()).containsExactlyInAnyOrder("Oslo", "Bergen");
        // a column with other words than true and false keeps its cells as written
        assertThat(csv("answer\nTrue\nmaybe\n").profile().column("answer").frequentItems())
                .extracting(i -> i.value()).containsExactlyInAnyOrder("True", "maybe");
    }

    @Test
    void csvThatIsNotUtf8IsRefusedNotMangled() {
        // Excel's "CSV" in Latin-1: 'Café' would become 'Caf\uFFFD', an unseen category for every 'Café' served
        assertThatThrownBy(() -> Baselines.fromCsv("city,n\nOslo,1\nCaf\u00e9,2\n".getBytes(StandardCharsets.ISO_8859_1)))
                .isInstanceOf(LaunchpadException.class).hasMessageContaining("not UTF-8 text");
        assertThatThrownBy(() -> Baselines.fromCsv("city,n\nOslo,1\n".getBytes(StandardCharsets.UTF_16)))
                .isInstanceOf(LaunchpadException.class).hasMessageContaining("UTF-16");
        assertThatThrownBy(() -> Baselines.fromCsv("city,n\nOslo,1\n".getBytes(StandardCharsets.UTF_16LE)))
                .isInstanceOf(LaunchpadException.class).hasMessageContaining("UTF-16"); // no mark: NULs in the header
        assertThat(csv("city,n\nCaf\u00e9,2\n").profile().column("city").frequentItems())
                .extracting(i -> i.value()).containsExactly("Caf\u00e9");
    }

    @Test
    void parquetCompressedWithACodecTheReaderLacksIsRefusedByName(@TempDir Path dir) throws Exception {
        // 100 rows of (x double, s string) written with GZIP (pandas' to_parquet(compression="gzip"))
        var file = dir.resolve("gzip.parquet");
        try (var in = BaselinesTest.class.getResourceAsStream("/parquet/gzip.parquet")) {
            Files.copy(in, file);
        }
        assertThat(Baselines.isParquet(file)).isTrue();
        assertThatThrownBy(() -> Baselines.fromParquet(file)).isInstanceOf(LaunchpadException.class)
                .hasMessageContaining("compressed with GZIP").hasMessageContaining("snappy");
    }

    @Test
    void parquetWithMoreColumnsThanAWindowKeepsIsRefusedAsCsvIs(@TempDir Path dir) throws Exception {
        var fields = new StringBuilder("message wide {");
        for (int c = 0; c <= Baselines.MAX_COLUMNS; c++) {
            fields.append(" optional int32 c").append(c).append(';');
        }
        var schema = MessageTypeParser.parseMessageType(fields.append(" }").toString());
        var file = dir.resolve("wide.parquet");
        try (var writer = ParquetWriter.writeFile(schema, file.toFile(), (Object[] row, ValueWriter out) ->
                out.write("c0", row[0]))) {
            writer.write(new Object[] {1});
        }
        assertThatThrownBy(() -> Baselines.fromParquet(file)).isInstanceOf(LaunchpadException.class)
                .hasMessageContaining("10001 columns");
    }

    @Test
    void parquetColumnsKeepTheirTypes(@TempDir Path dir) throws Exception {
        var schema = MessageTypeParser.parseMessageType("message train { required double amount; optional int64 count;"
                + " optional binary city (UTF8); required boolean fraud; }");
        var file = dir.resolve("train.parquet").toFile();
        try (var writer = ParquetWriter.writeFile(schema, file, (Object[] row, ValueWriter out) -> {
            out.write("amount", row[0]);
            if (row[1] != null) {
                out.write("count", row[1]);
            }
            if (row[2] != null) {
                out.write("city", row[2]);
            }
            out.write("fraud", row[3]);
        })) {
            for (int i = 0; i < 1000; i++) {
                writer.write(new Object[] {i / 10.0, i % 3 == 0 ? null : (long) i, i % 5 == 0 ? null : (i % 2 == 0 ? "Oslo" : "Bergen"),
                        i % 4 == 0});
            }
        }
        assertThat(Baselines.isParquet(Files.readAllBytes(file.toPath()))).isTrue();
        assertThat(Baselines.isParquet(file.toPath())).isTrue(); // as an upload is recognised, from its file
        assertThat(Baselines.isParquet(Files.writeString(dir.resolve("short"), "PAR1PAR"))).isFalse();
        assertThat(Baselines.isParquet(Files.writeString(dir.resolve("csv"), "a,b\n1,2\n"))).isFalse();
        var ref = Baselines.fromParquet(file.toPath());
        assertThat(ref.profile().rowCount()).isEqualTo(1000);
        var amount = ref.profile().column("amount");
        assertThat(amount.kind()).isEqualTo(ColumnProfile.Kind.NUMERIC);
        assertThat(amount.mean()).isCloseTo(49.95, org.assertj.core.api.Assertions.within(1e-9));
        var count = ref.profile().column("count");
        assertThat(count.kind()).isEqualTo(ColumnProfile.Kind.NUMERIC);
        assertThat(count.nanCount() + count.nullCount()).isEqualTo(334);
        var city = ref.profile().column("city");
        assertThat(city.kind()).isEqualTo(ColumnProfile.Kind.CATEGORICAL);
        assertThat(city.nullCount()).isEqualTo(200);
        assertThat(city.frequentItems()).extracting(i -> i.value()).containsExactlyInAnyOrder("Oslo", "Bergen");
        assertThat(ref.profile().column("fraud").frequentItems()).extracting(i -> i.value())
                .containsExactlyInAnyOrder("true", "false");
        assertThat(ref.sample().size()).isEqualTo(1000);

        var notParquet = Files.writeString(dir.resolve("x.parquet"), "PAR1 not really PAR1");
        assertThatThrownBy(() -> Baselines.fromParquet(notParquet)).isInstanceOf(LaunchpadException.class)
                .hasMessageContaining("not readable Parquet");
    }

    @Test
    void aFileOfSeveralChunksIsProfiledAsAWhole(@TempDir Path dir) throws Exception {
        // 150 000 rows: three chunks of 65 536 rows and the rest; text cells that repeat across the chunks
        var file = dir.resolve("big.csv");
        try (var out = Files.newBufferedWriter(file)) {
            out.write("n,city,flag\n");
            for (int i = 0; i < 150_000; i++) {
                out.write(i + "," + (i % 3 == 0 ? "Oslo" : i % 3 == 1 ? "Bergen" : "") + "," + (i % 2 == 0 ? "True" : "False")
                        + "\n");
            }
        }
        var ref = Baselines.fromCsv(file);
        assertThat(ref.profile().rowCount()).isEqualTo(150_000);
        var n = ref.profile().column("n");
        assertThat(n.validCount()).isEqualTo(150_000);
        assertThat(n.mean()).isCloseTo(74_999.5, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(n.max()).isEqualTo(149_999);
        var city = ref.profile().column("city");
        assertThat(city.nullCount()).isEqualTo(50_000);
        assertThat(city.frequentItems()).extracting(i -> i.value() + "=" + i.lowerBound())
                .containsExactlyInAnyOrder("Oslo=50000", "Bergen=50000");
        assertThat(ref.profile().column("flag").frequentItems()).extracting(i -> i.value() + "=" + i.lowerBound())
                .containsExactlyInAnyOrder("true=75000", "false=75000");
        assertThat(ref.sample().size()).isEqualTo(5_000);
        // long text: chunks end at a text budget too (16 million characters), and the profile is still whole
        var wide = dir.resolve("text.csv");
        var cell = "x".repeat(50_000);
        try (var out = Files.newBufferedWriter(wide)) {
            out.write("id,note\n");
            for (int i = 0; i < 400; i++) { // 20 million characters: two chunks
                out.write(i + "," + cell + (i % 2) + "\n");
            }
        }
        var text = Baselines.fromCsv(wide).profile();
        assertThat(text.rowCount()).isEqualTo(400);
        assertThat(text.column("note").frequentItems()).extracting(i -> i.lowerBound()).containsExactly(200L, 200L);
        // infinities as pandas writes them keep a column numeric
        var inf = csv("x\n1\ninf\n-inf\n3\n").profile().column("x");
        assertThat(inf.kind()).isEqualTo(ColumnProfile.Kind.NUMERIC);
        assertThat(inf.infiniteCount()).isEqualTo(2);
    }

    @Test
    void malformedFilesAreTypedErrors() {
        for (var bad : new String[] {"", "a,b\n", "a,a\n1,2\n", "a,b\nx,y\nz\n", "a,b\n1,2\n3,4,5\n", "a\n\"open\n"}) {
            assertThatThrownBy(() -> csv(bad)).as(bad).isInstanceOf(LaunchpadException.class);
        }
    }

    @Test
    void parquetDecimalsAreNumbersHoweverTheyAreStored(@TempDir Path dir) throws Exception {
        // pyarrow's decimal128 is a fixed-length byte array; smaller decimals may be INT32 or INT64 (unscaled)
        var schema = MessageTypeParser.parseMessageType("message train { required fixed_len_byte_array(16) price"
                + " (DECIMAL(38,2)); optional int32 rate (DECIMAL(9,3)); required int64 fee (DECIMAL(18,1)); }");
        var file = dir.resolve("decimals.parquet");
        try (var writer = org.apache.parquet.hadoop.example.ExampleParquetWriter
                .builder(new org.apache.parquet.io.LocalOutputFile(file)).withType(schema).build()) {
            var groups = new org.apache.parquet.example.data.simple.SimpleGroupFactory(schema);
            for (int i = 0; i < 4; i++) {
                var unscaled = java.math.BigInteger.valueOf(12_345L * (i + 1) * (i % 2 == 0 ? 1 : -1)).toByteArray();
                var fixed = new byte[16]; // big-endian two's complement, sign-extended
                java.util.Arrays.fill(fixed, 0, 16 - unscaled.length, unscaled[0] < 0 ? (byte) -1 : 0);
                System.arraycopy(unscaled, 0, fixed, 16 - unscaled.length, unscaled.length);
                var row = groups.newGroup().append("price",
                        org.apache.parquet.io.api.Binary.fromConstantByteArray(fixed));
                if (i != 3) {
                    row.append("rate", 1_500 + i);
                }
                writer.write(row.append("fee", 25L));
            }
        }
        var ref = Baselines.fromParquet(file);
        var price = ref.profile().column("price");
        assertThat(price.kind()).isEqualTo(ColumnProfile.Kind.NUMERIC);
        assertThat(price.min()).isEqualTo(-493.8); // -123.45 × 4
        assertThat(price.max()).isEqualTo(370.35);
        var rate = ref.profile().column("rate");
        assertThat(rate.kind()).isEqualTo(ColumnProfile.Kind.NUMERIC);
        assertThat(rate.validCount()).isEqualTo(3);
        assertThat(rate.min()).isEqualTo(1.5);
        assertThat(rate.max()).isEqualTo(1.502);
        assertThat(ref.profile().column("fee").mean()).isEqualTo(2.5);
    }
}
