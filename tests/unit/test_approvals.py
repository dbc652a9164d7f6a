"""The approval matrix of §6.4 layer 4, and who may do what with it."""

from __future__ import annotations

import pytest

from kg_service.engine.approvals import Approval, approval_required, can_approve, can_execute, can_request
from kg_service.graph.definitions import ImpactLevel
from kg_service.identity import Principal, Role


@pytest.mark.parametrize(
    ("impact", "confidence", "expected"),
    [
        (ImpactLevel.LOW, 0.1, Approval.NONE),
        (ImpactLevel.LOW, 0.99, Approval.NONE),
        (ImpactLevel.MEDIUM, 0.71, Approval.NONE),
        (ImpactLevel.MEDIUM, 0.95, Approval.NONE),
        (ImpactLevel.MEDIUM, 0.7, Approval.USER_CONFIRMATION),
        (ImpactLevel.MEDIUM, 0.2, Approval.USER_CONFIRMATION),
        (ImpactLevel.HIGH, 0.99, Approval.USER_CONFIRMATION),
        (ImpactLevel.HIGH, 0.1, Approval.USER_CONFIRMATION),
        (ImpactLevel.CRITICAL, 0.99, Approval.ADMIN_APPROVAL),
        (ImpactLevel.CRITICAL, 0.1, Approval.ADMIN_APPROVAL),
    ],
)
def test_the_matrix(impact: ImpactLevel, confidence: float, expected: Approval) -> None:
    assert approval_required(impact, confidence) is expected


def _who(*roles: Role) -> Principal:
    return Principal(sub="u", tenant_id="acme", roles=frozenset(roles))


@pytest.mark.parametrize(
    ("role", "request_", "confirm", "admin_approve", "execute"),
    [
        (Role.VIEWER, False, False, False, False),
        (Role.API_USER, False, False, False, False),
        (Role.ANALYST, True, True, False, True),
        (Role.ADMIN, True, True, True, True),
    ],
)
def test_roles(role: Role, request_: bool, confirm: bool, admin_approve: bool, execute: bool) -> None:
    who = _who(role)
    assert can_request(who) is request_
    assert can_approve(who, Approval.USER_CONFIRMATION) is confirm
    assert can_approve(who, Approval.NONE) is confirm
    assert can_approve(who, Approval.ADMIN_APPROVAL) is admin_approve
    assert can_execute(who) is execute
