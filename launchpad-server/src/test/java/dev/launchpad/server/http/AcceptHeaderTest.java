package dev.launchpad.server.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Another media type than JSON only when the client rates it above JSON. */
class AcceptHeaderTest {
    @Test
    void htmlIsChosenOnlyWhenTheClientPrefersItToJson() {
        assertThat(AcceptHeader.prefers("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"))
                .isTrue();
        assertThat(AcceptHeader.prefers("application/json, text/html;q=0.1", "text/html")).isFalse();
        assertThat(AcceptHeader.prefers("text/html;q=0.5, */*", "text/html")).isFalse();
        assertThat(AcceptHeader.prefers("application/json", "text/html")).isFalse();
        assertThat(AcceptHeader.prefers("*/*", "text/html")).isFalse();
        assertThat(AcceptHeader.prefers(null, "text/html")).isFalse();
        assertThat(AcceptHeader.prefers("text/html;q=zero", "text/html")).isFalse();
    }
}
