package dev.launchpad.platform.govern.approval;

import java.util.List;

/**
 * A model version's approval: its status, who registered it (who therefore cannot approve it), every
 * decision so far, the evidence attached, and what the gates of its model's policy still miss.
 */
public record Approval(String name, int version, ApprovalStatus status, String registeredBy,
                       List<Decision> decisions, List<Evidence> evidence, ApprovalPolicy policy,
                       List<String> unmetGates) {
}
