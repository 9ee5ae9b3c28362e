package dev.launchpad.inference.batching;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Batching settings are checked when made. */
class BatchingConfigTest {

    @Test
    void validSettingsAreKeptAndMicrosecondsConvert() {
        assertThat(new BatchingConfig(1, Duration.ZERO, 1).maxQueueSize()).isEqualTo(1);
        assertThat(BatchingConfig.ofMicros(64, 2_500, 100))
                .isEqualTo(new BatchingConfig(64, Duration.ofNanos(2_500_000), 100));
        assertThat(BatchingConfig.DEFAULTS.maxQueueDelay()).isZero();
    }

    @Test
    void invalidSettingsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new BatchingConfig(0, Duration.ZERO, 1)).hasMessageContaining("maxBatchSize");
        assertThatThrownBy(() -> new BatchingConfig(1, null, 1)).hasMessageContaining("maxQueueDelay");
        assertThatThrownBy(() -> new BatchingConfig(1, Duration.ofMillis(-1), 1)).hasMessageContaining("maxQueueDelay");
        assertThatThrownBy(() -> new BatchingConfig(1, Duration.ofHours(2), 1)).hasMessageContaining("maxQueueDelay");
        assertThatThrownBy(() -> new BatchingConfig(1, Duration.ZERO, 0)).hasMessageContaining("maxQueueSize");
        assertThatThrownBy(() -> new BatchingConfig(1, Duration.ZERO, Integer.MAX_VALUE)).hasMessageContaining("maxQueueSize");
        assertThatThrownBy(() -> BatchingConfig.ofMicros(1, -5, 1)).hasMessageContaining("maxQueueDelayMicros");
    }
}
