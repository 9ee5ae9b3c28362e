package dev.launchpad.platform.store;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads that stream their rows hold no writer up. */
class DatabaseTest {
    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aWriteCompletesWhileAStreamingReadIsInTheMiddleOfItsRows(TestDatabases.Backend backend) throws Exception {
        try (var db = Database.open(backend.newDatabaseUrl())) {
            db.writeVoid(h -> {
                for (int i = 0; i < 100; i++) {
                    h.execute("INSERT INTO monitor_feedback (deployment, request_id, row_index, label, received_at)"
                            + " VALUES ('d', ?, 0, '1', 0)", "r" + i);
                }
            });
            int[] read = {0};
            db.readStreaming(h -> {
                h.createQuery("SELECT request_id FROM monitor_feedback WHERE deployment = 'd'").setFetchSize(10)
                        .mapTo(String.class).forEach(id -> {
                            if (read[0]++ == 20) {
                                // another thread writes while this read is open
                                var write = CompletableFuture.runAsync(() -> db.writeVoid(w -> w.execute(
                                        "INSERT INTO monitor_feedback (deployment, request_id, row_index, label,"
                                                + " received_at) VALUES ('e', 'x', 0, '0', 0)")));
                                try {
                                    write.get(5, TimeUnit.SECONDS);
                                } catch (Exception e) {
                                    throw new AssertionError("the write waited for the read: " + e, e);
                                }
                            }
                        });
                return null;
            });
            assertThat(read[0]).isEqualTo(100);
            int written = db.read(h -> h.createQuery("SELECT COUNT(*) FROM monitor_feedback WHERE deployment = 'e'")
                    .mapTo(Integer.class).one());
            assertThat(written).isEqualTo(1);
        }
    }
}
