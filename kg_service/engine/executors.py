"""Carrying out an approved action: a signed webhook, or a manual task for a person."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from kg_service.graph.definitions import Action, IntegrationType

SIGNATURE_HEADER = "X-MarketingIQ-Signature-256"


@dataclass(frozen=True)
class ExecutionOutcome:
    succeeded: bool
    detail: str


class ActionExecutor(Protocol):
    async def execute(self, tenant: str, action: Action, payload: dict[str, Any]) -> ExecutionOutcome: ...


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookExecutor:
    """POSTs the action as JSON to a configured URL, signed with HMAC-SHA256 of the body."""

    def __init__(self, url: str, secret: str, client: httpx.AsyncClient, timeout_s: float = 10.0) -> None:
        self.url = url
        self.secret = secret
        self.client = client
        self.timeout_s = timeout_s

    async def execute(self, tenant: str, action: Action, payload: dict[str, Any]) -> ExecutionOutcome:
        body = json.dumps(
            {"tenant": tenant, "action": action.id, **payload}, sort_keys=True, default=str
        ).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret, body)}
        try:
            response = await self.client.post(self.url, content=body, headers=headers, timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            return ExecutionOutcome(False, f"webhook unreachable: {type(exc).__name__}: {exc}")
        if response.is_success:
            return ExecutionOutcome(True, f"webhook answered {response.status_code}")
        return ExecutionOutcome(False, f"webhook answered {response.status_code}: {response.text[:200]}")


class ManualExecutor:
    """Records a task for a person; the action counts as executed once the task is recorded."""

    async def execute(self, tenant: str, action: Action, payload: dict[str, Any]) -> ExecutionOutcome:
        return ExecutionOutcome(True, f"manual task recorded: {action.name}")


@dataclass(frozen=True)
class Executors:
    """Which executor carries out which integration type (None: not configured here)."""

    webhook: ActionExecutor | None
    manual: ActionExecutor

    def for_action(self, action: Action) -> ActionExecutor | None:
        if action.integration_type is IntegrationType.MANUAL:
            return self.manual
        return self.webhook
