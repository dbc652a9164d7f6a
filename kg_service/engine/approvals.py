"""The approval matrix (§6.4 layer 4): what an action needs before it may run."""

from __future__ import annotations

from enum import StrEnum

from kg_service.graph.definitions import ImpactLevel
from kg_service.identity import Principal, Role

CONFIDENT = 0.7


class Approval(StrEnum):
    NONE = "none"
    USER_CONFIRMATION = "user_confirmation"
    ADMIN_APPROVAL = "admin_approval"


def approval_required(impact: ImpactLevel, confidence: float) -> Approval:
    """low: none; medium above 0.7 confidence: none; medium at or below it, and high: a user's
    confirmation; critical: an ADMIN's approval."""
    if impact is ImpactLevel.CRITICAL:
        return Approval.ADMIN_APPROVAL
    if impact is ImpactLevel.HIGH:
        return Approval.USER_CONFIRMATION
    if impact is ImpactLevel.MEDIUM and confidence <= CONFIDENT:
        return Approval.USER_CONFIRMATION
    return Approval.NONE


def can_request(principal: Principal) -> bool:
    return principal.has_any(Role.ANALYST, Role.ADMIN)


def can_approve(principal: Principal, approval: Approval) -> bool:
    if approval is Approval.ADMIN_APPROVAL:
        return principal.has(Role.ADMIN)
    return principal.has_any(Role.ANALYST, Role.ADMIN)


def can_execute(principal: Principal) -> bool:
    return principal.has_any(Role.ANALYST, Role.ADMIN)
