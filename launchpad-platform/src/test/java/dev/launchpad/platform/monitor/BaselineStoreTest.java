package dev.launchpad.platform.monitor;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.platform.tracking.ExperimentService;
import dev.launchpad.platform.tracking.RunService;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Stored baselines follow their model version: renamed with it, deleted with it, never inherited by a namesake. */
class BaselineStoreTest {
    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void aBaselineIsRenamedAndDeletedWithItsVersion(TestDatabases.Backend backend) {
        var clock = new MutableClock(Instant.parse("2026-03-02T10:00:00Z"));
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var registry = new RegistryService(db, clock, new RunService(db, clock, new ExperimentService(db, clock)));
            var baselines = new Baselines(db, clock);
            registry.createRegisteredModel("fraud", null, List.of());
            registry.createModelVersion("fraud", "file:///tmp/a", null, List.of(), null, null, null);
            registry.createModelVersion("fraud", "file:///tmp/b", null, List.of(), null, null, null);
            var reference = Baselines.fromCsv("x\n1\n2\n3\n".getBytes(StandardCharsets.UTF_8));
            baselines.put("fraud", 1, "csv", reference.profile(), reference.sample());
            // a second upload replaces the first
            var larger = Baselines.fromCsv("x\n1\n2\n3\n4\n".getBytes(StandardCharsets.UTF_8));
            baselines.put("fraud", 1, "csv", larger.profile(), larger.sample());
            baselines.put("fraud", 2, "csv", reference.profile(), reference.sample());
            assertThat(baselines.get("fraud", 1)).get().extracting(Baselines.Baseline::rows).isEqualTo(4L);

            registry.renameRegisteredModel("fraud", "fraud-v2");
            assertThat(baselines.get("fraud", 1)).isEmpty();
            assertThat(baselines.get("fraud-v2", 1)).isPresent();

            registry.deleteModelVersion("fraud-v2", "2");
            assertThat(baselines.get("fraud-v2", 2)).isEmpty();
            assertThatThrownBy(() -> baselines.put("fraud-v2", 2, "csv", reference.profile(), reference.sample()))
                    .isInstanceOf(LaunchpadException.class).hasMessageContaining("does not exist");

            // a model deleted and created again under its name starts without the old one's baselines
            registry.deleteRegisteredModel("fraud-v2");
            registry.createRegisteredModel("fraud-v2", null, List.of());
            registry.createModelVersion("fraud-v2", "file:///tmp/c", null, List.of(), null, null, null);
            assertThat(baselines.get("fraud-v2", 1)).isEmpty();
        }
    }
}
