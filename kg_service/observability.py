"""Process-wide Prometheus metrics and JSON logs carrying the request id."""

from __future__ import annotations

import json
import logging
import time
from contextvars import ContextVar

from prometheus_client import Counter, Histogram

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

HTTP_LATENCY = Histogram(
    "kg_http_request_seconds",
    "HTTP request latency by route and status.",
    ["route", "method", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
GRAPHQL_ERRORS = Counter("kg_graphql_errors_total", "GraphQL errors returned, by code.", ["code"])
GRAPH_QUERIES = Counter("kg_graph_queries_total", "Neo4j transactions run.", ["kind"])
WAREHOUSE_QUERIES = Counter("kg_warehouse_queries_total", "Warehouse statements run.", ["backend"])
CACHE_LOOKUPS = Counter("kg_cache_lookups_total", "Value cache lookups by result.", ["result"])
ANSWER_LOOKUPS = Counter(
    "kg_answer_cache_lookups_total", "Cached query answer lookups by result.", ["result"]
)
PIPELINE_STAGE_SECONDS = Histogram(
    "kg_pipeline_stage_seconds",
    "Duration of each pipeline stage.",
    ["stage", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
WEBHOOKS = Counter("kg_webhooks_total", "Webhook deliveries by source and answer.", ["source", "status"])


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and any `extra` fields."""

    _STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        entry.update(
            {k: v for k, v in record.__dict__.items() if k not in self._STANDARD and not k.startswith("_")}
        )
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
