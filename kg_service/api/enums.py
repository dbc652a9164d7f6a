"""The domain's enums, exposed to GraphQL under the contract's names."""

from __future__ import annotations

import strawberry

from kg_service.engine.analysis import RootCause
from kg_service.graph.action_requests import ActionStatus
from kg_service.graph.definitions import Direction, ImpactLevel, Priority, Relationship, Severity
from kg_service.graph.instances import InstanceStatus
from kg_service.identity import Role

strawberry.enum(Direction, name="Direction")
strawberry.enum(Relationship, name="Relationship")
strawberry.enum(Severity, name="Severity")
strawberry.enum(Priority, name="Priority")
strawberry.enum(ImpactLevel, name="ImpactLevel")
strawberry.enum(InstanceStatus, name="ThoughtStatus")
strawberry.enum(ActionStatus, name="ActionStatus")
strawberry.enum(RootCause, name="RootCause")
strawberry.enum(Role, name="Role")

ThoughtStatus = InstanceStatus

__all__ = [
    "ActionStatus",
    "Direction",
    "ImpactLevel",
    "Priority",
    "Relationship",
    "Role",
    "RootCause",
    "Severity",
    "ThoughtStatus",
]
