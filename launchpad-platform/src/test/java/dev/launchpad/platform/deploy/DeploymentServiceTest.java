package dev.launchpad.platform.deploy;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.registry.RegistryService;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.TestDatabases;
import dev.launchpad.platform.tracking.ExperimentService;
import dev.launchpad.platform.tracking.RunService;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Deployments name registered models: they follow a rename, and what they serve cannot be deleted from under them. */
class DeploymentServiceTest {

    private static void refused(ThrowableAssert.ThrowingCallable deletion, String... words) {
        assertThatThrownBy(deletion).isInstanceOf(LaunchpadException.class)
                .satisfies(e -> assertThat(((LaunchpadException) e).code()).isEqualTo(ErrorCode.INVALID_STATE))
                .hasMessageContainingAll(words);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void deploymentsFollowARenamedModelAndHoldBackDeletions(TestDatabases.Backend backend) {
        var clock = Clock.systemUTC();
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var registry = new RegistryService(db, clock, new RunService(db, clock, new ExperimentService(db, clock)));
            var deployments = new DeploymentService(db, clock, registry);
            registry.createRegisteredModel("fraud", null, List.of());
            for (int i = 0; i < 3; i++) {
                registry.createModelVersion("fraud", "file:///tmp/fraud", null, List.of(), null, null, null);
            }
            registry.setAlias("fraud", "champion", "2");
            registry.setAlias("fraud", "challenger", "3");
            deployments.create("pinned", new DeploymentService.Spec("fraud", 1, null, BatchingSettings.DEFAULTS, null));
            deployments.create("live", new DeploymentService.Spec("fraud", null, "champion", BatchingSettings.DEFAULTS,
                    null));

            registry.renameRegisteredModel("fraud", "fraud-detector");
            assertThat(deployments.list()).extracting(Deployment::modelName).containsOnly("fraud-detector");
            assertThat(deployments.resolve(deployments.get("live")).version()).isEqualTo(2);
            assertThat(deployments.resolve(deployments.get("pinned")).name()).isEqualTo("fraud-detector");

            refused(() -> registry.deleteModelVersion("fraud-detector", "1"), "Version 1", "pinned");
            refused(() -> registry.deleteModelVersion("fraud-detector", "2"), "Version 2", "live"); // the champion
            refused(() -> registry.deleteAlias("fraud-detector", "champion"), "Alias 'champion'", "live");
            refused(() -> registry.deleteRegisteredModel("fraud-detector"), "deployments live, pinned");
            registry.deleteAlias("fraud-detector", "challenger"); // nothing follows it
            registry.deleteModelVersion("fraud-detector", "3");
            assertThat(registry.getModelVersion("fraud-detector", "2").version()).isEqualTo(2);

            // once the deployments have moved on or gone, the deletions go through
            deployments.update("live", new DeploymentService.Spec("fraud-detector", 1, null, BatchingSettings.DEFAULTS,
                    null));
            registry.deleteModelVersion("fraud-detector", "2");
            deployments.delete("live");
            deployments.delete("pinned");
            registry.deleteRegisteredModel("fraud-detector");
            assertThat(registry.searchRegisteredModels(null, null, List.of(), null).items()).isEmpty();
        }
    }
}
