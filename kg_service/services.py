"""The composition root: every long-lived client, built once per process (API lifespan, worker
startup) and closed at shutdown. Nothing here does I/O until `start`."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from arq import create_pool
from arq.connections import ArqRedis
from arq.connections import RedisSettings as ArqRedisSettings
from redis.asyncio import Redis

from kg_service.ai.agent.chat import Agent, ConversationStore
from kg_service.ai.agent.claude_agent import ClaudeAgent
from kg_service.ai.agent.offline import OfflineAgent
from kg_service.ai.agent.resolve import resolve_metrics
from kg_service.ai.claude import ClaudeAnalyst, make_client
from kg_service.ai.offline_analyst import OfflineAnalyst
from kg_service.api.answers import AnswerCache
from kg_service.config import Settings
from kg_service.engine.analysis import Analyst
from kg_service.engine.executors import Executors, ManualExecutor, WebhookExecutor
from kg_service.events import EventBus, event_bus
from kg_service.graph.db import Graph
from kg_service.redis_client import connect_redis
from kg_service.warehouse.cache import CachedSource
from kg_service.warehouse.factory import metric_source


@dataclass
class Services:
    settings: Settings
    graph: Graph
    redis: Redis | None
    values: CachedSource
    bus: EventBus
    http: httpx.AsyncClient
    executors: Executors
    analyst: Analyst
    fallback: Analyst
    agent: Agent
    conversations: ConversationStore
    answers: AnswerCache | None
    """Whole query answers (None when `KG_API_ANSWER_CACHE` is off)."""
    _queue: ArqRedis | None = None

    async def queue(self) -> ArqRedis | None:
        """The ARQ queue (a pool on the same Redis), made on first use; None without Redis."""
        if self.settings.redis.url is None:
            return None
        if self._queue is None:
            self._queue = await create_pool(ArqRedisSettings.from_dsn(self.settings.redis.url))
        return self._queue

    @classmethod
    def build(cls, settings: Settings) -> Services:
        redis = connect_redis(settings.redis)
        http = httpx.AsyncClient(timeout=10.0, follow_redirects=False)
        webhook_url = settings.engine.action_webhook_url
        webhook = (
            WebhookExecutor(webhook_url, settings.engine.action_webhook_secret.get_secret_value(), http)
            if webhook_url
            else None
        )
        offline = OfflineAnalyst()
        graph = Graph.connect(settings.neo4j)
        values = metric_source(settings, redis)
        # Every committed graph write outdates the tenant's cached answers, in every process.
        graph.on_write = values.cache.graph_changed
        analyst: Analyst = offline
        agent: Agent = OfflineAgent(lambda tenant, question: resolve_metrics(graph, tenant, question))
        if settings.anthropic.api_key is not None:
            client = make_client(settings.anthropic)
            analyst = ClaudeAnalyst(client, settings.anthropic, graph, redis)
            agent = ClaudeAgent(client, settings.anthropic)
        return cls(
            settings=settings,
            graph=graph,
            redis=redis,
            values=values,
            bus=event_bus(redis),
            http=http,
            executors=Executors(webhook=webhook, manual=ManualExecutor()),
            analyst=analyst,
            fallback=offline,
            agent=agent,
            conversations=ConversationStore(redis),
            answers=(
                AnswerCache(values.cache, settings.api.answer_cache_mb) if settings.api.answer_cache else None
            ),
        )

    async def close(self) -> None:
        if self._queue is not None:
            await self._queue.aclose()
        await self.http.aclose()
        await self.graph.close()
        if self.redis is not None:
            await self.redis.aclose()
        await self.values.close()
