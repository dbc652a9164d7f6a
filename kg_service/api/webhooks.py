"""Warehouse webhooks: Fivetran `sync_end` and dbt Cloud "job run completed" enter the pipeline.

Order of checks: body size (413, by the app's body limit) → signature header present (401) →
JSON and required fields (400, naming the field) → known connector or job (404) → signature (401)
→ event worth a run (else 200 "ignored") → delivery seen before (200 "duplicate", remembered for
`dedupe_hours`) → queued (202). Redis unreachable: 503, and the delivery is not remembered, so
the sender's retry is processed. Nothing is queued for any refused delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError

from kg_service.config import DbtRoute, FivetranRoute, PipelineSettings
from kg_service.observability import WEBHOOKS
from kg_service.services import Services
from kg_service.workers.queue import enqueue_pipeline

log = logging.getLogger(__name__)
router = APIRouter(prefix="/webhooks")
FIVETRAN_SIGNATURE = "x-fivetran-signature-256"
DBT_SIGNATURE = "authorization"


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _answer(source: str, status: int, body: dict[str, Any]) -> JSONResponse:
    WEBHOOKS.labels(source, str(status)).inc()
    return JSONResponse(body, status_code=status)


def signature_matches(secret: str, body: bytes, given: str) -> bool:
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


def _parse(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise Refused(400, f"body: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise Refused(400, "body: expected a JSON object")
    return data


def _field(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict) or value.get(part) in (None, ""):
            raise Refused(400, f"{path}: missing")
        value = value[part]
    return value


def _fivetran_route(settings: PipelineSettings, data: dict[str, Any]) -> FivetranRoute:
    connector = str(_field(data, "connector_id"))
    group = data.get("destination_group_id") or data.get("group_id")
    for route in settings.fivetran_routes:
        if connector in route.connector_ids or (group is not None and str(group) in route.group_ids):
            return route
    raise Refused(404, f"connector_id: no tenant is configured for connector {connector!r}")


async def _queue(services: Services, source: str, tenant: str, delivery: str, trigger: str) -> JSONResponse:
    """Remembers the delivery and queues the run, or answers 503 leaving nothing half done."""
    if services.redis is None:
        return _answer(source, 503, {"error": "the pipeline queue (Redis) is not configured"})
    key = f"webhook:{source}:{tenant}:{delivery}"
    ttl = services.settings.pipeline.dedupe_hours * 3600
    try:
        queue = await services.queue()
        assert queue is not None
        if not await services.redis.set(key, "1", nx=True, ex=ttl):
            return _answer(source, 200, {"status": "duplicate"})
        try:
            job_id, queued = await enqueue_pipeline(
                queue, tenant, trigger, debounce_s=services.settings.pipeline.debounce_s
            )
        except BaseException:
            await services.redis.delete(key)
            raise
    except (RedisError, OSError) as exc:
        log.warning("webhook %s for %s not queued: %s", source, tenant, exc)
        return _answer(source, 503, {"error": "the pipeline queue is unavailable; retry later"})
    return _answer(source, 202, {"status": "queued" if queued else "coalesced", "job_id": job_id})


@router.post("/fivetran")
async def fivetran(request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    settings = services.settings.pipeline
    body = await request.body()
    try:
        signature = request.headers.get(FIVETRAN_SIGNATURE)
        if not signature:
            raise Refused(401, f"{FIVETRAN_SIGNATURE}: missing")
        data = _parse(body)
        for name in ("event", "sync_id"):
            _field(data, name)
        route = _fivetran_route(settings, data)
        if not signature_matches(route.secret.get_secret_value(), body, signature):
            raise Refused(401, f"{FIVETRAN_SIGNATURE}: does not match the body")
    except Refused as refused:
        return _answer("fivetran", refused.status, {"error": str(refused)})
    status = (data.get("data") or {}).get("status") if isinstance(data.get("data"), dict) else None
    if data["event"] != "sync_end" or status != "SUCCESSFUL":
        return _answer("fivetran", 200, {"status": "ignored", "reason": f"{data['event']} / {status}"})
    return await _queue(
        services, "fivetran", route.tenant, str(data["sync_id"]), f"fivetran:{data['connector_id']}"
    )


def _dbt_route(settings: PipelineSettings, data: dict[str, Any]) -> DbtRoute:
    job = str(_field(data, "data.jobId"))
    for route in settings.dbt_routes:
        if job in route.job_ids:
            return route
    raise Refused(404, f"data.jobId: no tenant is configured for dbt job {job!r}")


@router.post("/dbt")
async def dbt(request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    body = await request.body()
    try:
        signature = request.headers.get(DBT_SIGNATURE)
        if not signature:
            raise Refused(401, f"{DBT_SIGNATURE}: missing")
        data = _parse(body)
        for name in ("eventId", "eventType", "data.runId", "data.runStatus"):
            _field(data, name)
        route = _dbt_route(services.settings.pipeline, data)
        if not signature_matches(route.secret.get_secret_value(), body, signature):
            raise Refused(401, f"{DBT_SIGNATURE}: does not match the body")
    except Refused as refused:
        return _answer("dbt", refused.status, {"error": str(refused)})
    run = data["data"]
    if data["eventType"] != "job.run.completed" or run["runStatus"] != "Success":
        return _answer(
            "dbt", 200, {"status": "ignored", "reason": f"{data['eventType']} / {run['runStatus']}"}
        )
    return await _queue(services, "dbt", route.tenant, str(run["runId"]), f"dbt:{run['runId']}")
