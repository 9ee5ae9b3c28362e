package dev.launchpad.platform.govern.audit;

/**
 * The outcome of walking the audit log's hash chain: {@link Intact} with the number of rows and the
 * head of the chain, or {@link Broken} naming the first row that fails and why.
 */
public sealed interface AuditVerification {
    /** Whether every row checked out. */
    default boolean ok() {
        return this instanceof Intact;
    }

    /**
     * Every row is in place and unchanged. {@code headSeq} and {@code headHash} identify the last row
     * ({@code 0} and the genesis hash for an empty log); keep them elsewhere to detect later truncation.
     */
    record Intact(long rows, long headSeq, String headHash) implements AuditVerification {
    }

    /** Row {@code seq} is the first one that fails, for {@code problem}; {@code rowsVerified} rows before it were fine. */
    record Broken(long seq, Problem problem, String message, long rowsVerified) implements AuditVerification {
    }

    /** Why a row fails verification. */
    enum Problem {
        /** The row's content no longer matches its hash: it was edited. */
        CONTENT_EDITED,
        /** The row is missing (a gap in the sequence, or rows missing at the start or end). */
        ROW_DELETED,
        /** The row's prev_hash is not the previous row's hash: this row's link or the previous row was rewritten. */
        CHAIN_BROKEN,
        /** The chain does not reach an expected head recorded earlier: rows were rewritten or cut off. */
        HEAD_MISMATCH
    }
}
