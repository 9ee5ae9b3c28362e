package dev.launchpad.inference.runtime;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;

/**
 * A request that does not match the model's signature: a missing, unknown or duplicated input or column,
 * a wrong element type, a wrong shape, or values the declared type cannot hold. Always
 * INVALID_PARAMETER_VALUE (HTTP 400); {@link #field()} names the input or column at fault so that an API
 * can point at it, and the message names it too.
 */
public final class InvalidInputException extends LaunchpadException {
    private final String field;

    public InvalidInputException(String field, String message) {
        super(ErrorCode.INVALID_PARAMETER_VALUE, message);
        this.field = field;
    }

    /** The input tensor or table column the error is about. */
    public String field() {
        return field;
    }
}
