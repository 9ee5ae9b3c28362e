package dev.launchpad.platform.govern.identity;

/** A newly issued token: its record and the secret, which is shown this once and never again. */
public record IssuedToken(ApiToken token, String secret) {
    @Override
    public String toString() {
        return "IssuedToken[" + token + ", secret=<hidden>]";
    }
}
