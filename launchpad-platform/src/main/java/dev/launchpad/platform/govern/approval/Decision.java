package dev.launchpad.platform.govern.approval;

/** One approve or reject decision on a model version, with who made it, why and when. */
public record Decision(String id, ApprovalStatus decision, String decidedBy, String comment, long time) {
}
