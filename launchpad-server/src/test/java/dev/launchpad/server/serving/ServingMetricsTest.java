package dev.launchpad.server.serving;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Serving series live as long as some scope of their deployment and version is open. */
class ServingMetricsTest {
    private static final String DEPTH = "launchpad_inference_queue_depth{deployment=\"fraud\",model=\"m\",version=\"1\"}";
    private static final String OK = "launchpad_inference_requests_total{deployment=\"fraud\",model=\"m\",outcome=\"ok\","
            + "protocol=\"oip\",version=\"1\"}";

    @Test
    void aReloadedVersionKeepsItsSeriesAndTheLastScopeClosedRemovesThem() {
        var metrics = new ServingMetrics();
        var before = metrics.scope("fraud", "m", 1, () -> 3);
        before.request("oip", "ok", 1_000_000);
        // new batching settings: the version is loaded again, and the old scope is closed once its requests are done
        var after = metrics.scope("fraud", "m", 1, () -> 7);
        before.close();
        after.request("oip", "ok", 1_000_000);
        System.gc(); // a gauge's weakly held state would be gone: it would read NaN
        var text = metrics.scrape();
        assertThat(text).contains(DEPTH + " 7.0", OK + " 2.0", "launchpad_inference_request_duration_seconds_count");
        after.close();
        after.close(); // twice is once
        assertThat(metrics.scrape()).doesNotContain("deployment=\"fraud\"");

        // created again: new series from zero
        var again = metrics.scope("fraud", "m", 1, () -> 1);
        again.request("oip", "ok", 1_000_000);
        assertThat(metrics.scrape()).contains(OK + " 1.0", DEPTH + " 1.0");
    }
}
