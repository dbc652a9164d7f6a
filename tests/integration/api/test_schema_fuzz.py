"""Schemathesis drives every query and mutation of `schema.graphql` against the running server with
an ANALYST token: whatever it sends, the answer is never a 5xx, never an unmasked or uncoded error,
and never breaks the published schema (a null where the schema promises a value)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import graphql
import pytest
import redis
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes
from schemathesis.specs.graphql.schemas import GraphQLSchema

from kg_service.config import ROOT
from kg_service.errors import KgError
from kg_service.graph.action_requests import list_requests
from kg_service.graph.db import Graph
from kg_service.graph.thoughtlets import list_thoughtlets
from kg_service.identity import Role

from .conftest import Demo, Tenant

EXAMPLES_PER_OPERATION = 30
SDL = ROOT / "schema.graphql"


def known_codes() -> set[str]:
    """Every code the API may put in `extensions.code`: the error tree's and GraphQL validation's."""
    found, todo = set(), [KgError]
    while todo:
        cls = todo.pop()
        found.add(cls.code)
        todo.extend(cls.__subclasses__())
    return (found - {"INTERNAL"}) | {"GRAPHQL_VALIDATION_FAILED"}


async def real_ids(graph: Graph, tenant: Tenant) -> list[str]:
    """Ids that exist in the tenant, so generated calls reach past the "not found" answers."""
    requests = await list_requests(graph, tenant.id)
    boards = [b.id for b in await list_thoughtlets(graph, tenant.id)]
    metrics = ["cpc_google_ads", "roas", "spend", "high_ticket_orders_magento"]
    return [
        *tenant.thoughts.values(),
        *(r.id for r in requests),
        *(r.action_id for r in requests),
        *boards,
        *metrics,
    ]


@pytest.fixture(scope="module")
async def fuzzed_api(demo: Demo, graph: Graph) -> AsyncIterator[GraphQLSchema]:
    """The exported SDL (introspection is off outside development) aimed at the running server, for
    an acme copy of the fuzzer's own: its mutations really dismiss, approve and execute."""
    shop = await demo.make_tenant("acme")
    ids = await real_ids(graph, shop)
    # Mostly real ids, some anything: the ID scalar of every generated argument.
    schemathesis.graphql.scalar(
        "ID", st.one_of(st.sampled_from(ids), st.sampled_from(ids), st.text()).map(nodes.String)
    )
    schema = schemathesis.graphql.from_path(SDL)
    token = demo.api.token(shop, Role.ANALYST, sub="fuzzer")
    schema.config.update(
        base_url=f"{demo.api.server.url}/graphql",
        headers={"Authorization": f"Bearer {token}"},
        request_timeout=30,
    )
    yield schema
    _drop_queued_jobs(str(demo.api.settings.redis.url), shop.id)


def _drop_queued_jobs(url: str, tenant: str) -> None:
    """refreshData queued pipeline runs for the tenant: take them off the shared queue."""
    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(f"arq:job:pipeline:{tenant}:*"):
            job_id = key.decode().removeprefix("arq:job:")
            client.zrem("arq:queue", job_id)
            client.delete(key)
    finally:
        client.close()


def operations() -> list[str]:
    """Every query and mutation field of the exported schema (subscriptions are not fuzzed)."""
    published = graphql.build_schema(SDL.read_text())
    assert published.query_type is not None and published.mutation_type is not None
    return [f"Query.{f}" for f in published.query_type.fields] + [
        f"Mutation.{f}" for f in published.mutation_type.fields
    ]


@pytest.mark.parametrize("name", operations())
def test_no_input_breaks_the_api(fuzzed_api: GraphQLSchema, name: str) -> None:
    # schemathesis.pytest.from_fixture would be the natural loader, but 4.32 reads a pytest node
    # attribute (_nodeid) that pytest 9 no longer has; a plain @given over each operation works.
    root, field = name.split(".")
    found = {
        (str(o.definition.root_type.name).title(), o.definition.field_name): o
        for o in (result.ok() for result in fuzzed_api.get_all_operations())
    }
    operation = found[(root, field)]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_well(case: Any) -> None:
        check(case)

    answers_well()


def check(case: Any) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    case.operation.schema.validate_response(case.operation, response, case=case)  # JSON, schema kept
    if response.status_code != 200:
        # Refused before GraphQL runs (a malformed request): a short message, nothing internal.
        assert response.status_code in (400, 413), response.text
        return
    for error in response.json().get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert error["message"] != "Unexpected error.", (case.body, error)
        assert code in known_codes(), (case.body, error)
        assert "Traceback" not in error["message"] and "neo4j" not in error["message"].lower()
        assert "Cannot return null for non-nullable field" not in error["message"], (case.body, error)
