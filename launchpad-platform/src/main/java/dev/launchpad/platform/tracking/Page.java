package dev.launchpad.platform.tracking;

import java.util.List;

/** One page of results and the token for the next page (null on the last page). */
public record Page<T>(List<T> items, String nextPageToken) {
}
