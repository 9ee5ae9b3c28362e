package dev.launchpad.server.monitor;

import dev.launchpad.platform.monitor.PredictionIngestor;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Prediction logging settings read from system properties. */
class MonitoringTest {

    @Test
    void propertiesSetTheFlushIntervalAndThePredictionsKeptPerMinute() {
        var defaults = Monitoring.ingestorConfig(Map.<String, String>of()::get);
        assertThat(defaults.flushInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(defaults.maxPredictionsPerWindow()).isEqualTo(PredictionIngestor.Config.DEFAULT_PREDICTIONS_PER_MINUTE)
                .isEqualTo(20_000);
        var set = Monitoring.ingestorConfig(Map.of(Monitoring.FLUSH_SECONDS_PROPERTY, "5",
                Monitoring.PREDICTIONS_PER_MINUTE_PROPERTY, " 250000 ")::get);
        assertThat(set.flushInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(set.maxPredictionsPerWindow()).isEqualTo(250_000);
        assertThat(Monitoring.ingestorConfig(Map.of(Monitoring.PREDICTIONS_PER_MINUTE_PROPERTY, "0")::get)
                .maxPredictionsPerWindow()).isZero();
    }

    @Test
    void valuesOutOfRangeAreRefusedWithTheRule() {
        for (var bad : new String[] {"-1", "lots", "1e6", "10000001"}) {
            assertThatThrownBy(() -> Monitoring.ingestorConfig(Map.of(Monitoring.PREDICTIONS_PER_MINUTE_PROPERTY, bad)::get))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("-Dlaunchpad.monitor.predictions-per-minute must be a whole number of rows from 0 to"
                            + " 10000000, got '" + bad + "'.");
        }
        assertThatThrownBy(() -> Monitoring.ingestorConfig(Map.of(Monitoring.FLUSH_SECONDS_PROPERTY, "61")::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from 1 to 60, got '61'");
    }
}
