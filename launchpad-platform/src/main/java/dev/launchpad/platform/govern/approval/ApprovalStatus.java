package dev.launchpad.platform.govern.approval;

/**
 * Where a model version stands on its way to production, with SageMaker Model Registry's semantics:
 * every version starts {@code PENDING} (PendingManualApproval); an approver other than its creator
 * moves it to {@code APPROVED} or {@code REJECTED}, and may later change that decision.
 */
public enum ApprovalStatus {
    PENDING, APPROVED, REJECTED
}
