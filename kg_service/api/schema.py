"""The GraphQL schema: the domain slices merged, with the request limits as extensions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types

from kg_service.api.answers import CachedAnswers
from kg_service.api.assistant import AssistantMutations, AssistantQueries, AssistantSubscriptions
from kg_service.api.errors import ErrorCodes
from kg_service.api.guards import AuditRefusals, WebsocketGuards
from kg_service.api.metrics.queries import MetricQueries
from kg_service.api.pipeline import PipelineMutations
from kg_service.api.subscriptions import LiveSubscriptions
from kg_service.api.thoughts.mutations import ThoughtMutations
from kg_service.api.thoughts.queries import ThoughtQueries
from kg_service.api.viewer import ViewerQueries
from kg_service.config import ApiSettings

log = logging.getLogger(__name__)


class ReportedParserCache(ParserCache):
    """ParserCache whose syntax errors (the token limit's too) get an error code like any other.

    ParserCache parses inside its hook, where an error escapes the operation before ErrorCodes sees
    it; on an error this leaves the parse to strawberry, which reports it within the operation.
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        yield


class KgSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Expected errors (bad input, refusals, validation) are the caller's: logged at debug level,
        without a traceback. Unexpected ones are logged with theirs where they are masked
        (`ErrorCodes`), so each error is logged once."""
        for error in errors:
            log.debug("GraphQL error at %s: %s", error.path, error.message)


Query = merge_types("Query", (ViewerQueries, MetricQueries, ThoughtQueries, AssistantQueries))
Mutation = merge_types("Mutation", (ThoughtMutations, PipelineMutations, AssistantMutations))
Subscription = merge_types("Subscription", (LiveSubscriptions, AssistantSubscriptions))


def build_schema(settings: ApiSettings, *, introspection: bool) -> strawberry.Schema:
    # The limits' validation rules are made once: ValidationCache keys on the rule classes, and a
    # limiter made per request brings a class of its own each time, so nothing would ever hit.
    limits = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    # Factories, not instances: an extension instance must not be shared between requests.
    extensions: list[Callable[[], Any] | type[Any]] = [
        lambda: AddValidationRules(limits),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ReportedParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        ErrorCodes,
        WebsocketGuards,
        AuditRefusals,
        CachedAnswers,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return KgSchema(query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions)


def sdl() -> str:
    """The schema as SDL, what `schema.graphql` holds."""
    return build_schema(ApiSettings(), introspection=True).as_str() + "\n"
