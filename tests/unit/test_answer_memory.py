"""The answers an API process keeps decoded stay within their memory budget, least recently used
dropped first; cacheable queries are recognised from the document alone."""

from __future__ import annotations

import json

from graphql import parse

from kg_service.api.answers import DECODED_PER_JSON_BYTE, AnswerCache, answer_digest, cacheable
from kg_service.config import RedisSettings
from kg_service.warehouse.cache import TenantCache

MB = 1024 * 1024


def answer(size_json: int) -> dict[str, str]:
    """An answer whose JSON is `size_json` bytes long."""
    overhead = len(json.dumps({"x": ""}))
    return {"x": "a" * (size_json - overhead)}


async def test_the_least_recently_used_answers_go_first_once_over_budget() -> None:
    store = AnswerCache(TenantCache(None, RedisSettings()), local_mb=1)
    each = MB // DECODED_PER_JSON_BYTE // 4  # four answers fill the budget
    for n in range(4):
        await store.put("shop", "0.0", f"d{n}", answer(each))
    assert await store.get("shop", "0.0", "d0") is not None  # d0 is now the most recent
    await store.put("shop", "0.0", "d4", answer(each))
    assert await store.get("shop", "0.0", "d1") is None  # the least recent went
    assert all([await store.get("shop", "0.0", d) for d in ("d0", "d2", "d3", "d4")])
    assert store.held_bytes <= MB


async def test_an_answer_larger_than_the_budget_is_not_kept() -> None:
    store = AnswerCache(TenantCache(None, RedisSettings()), local_mb=1)
    await store.put("shop", "0.0", "small", answer(1000))
    await store.put("shop", "0.0", "huge", answer(MB))
    assert await store.get("shop", "0.0", "huge") is None
    assert await store.get("shop", "0.0", "small") == answer(1000)
    assert store.held_bytes == 1000 * DECODED_PER_JSON_BYTE


async def test_a_new_version_or_another_tenant_is_another_entry() -> None:
    store = AnswerCache(TenantCache(None, RedisSettings()), local_mb=1)
    await store.put("shop", "3.7", "d", answer(100))
    assert await store.get("shop", "3.8", "d") is None
    assert await store.get("other", "3.7", "d") is None


def test_only_queries_of_listed_root_fields_are_cacheable() -> None:
    assert cacheable(parse('{ thoughtlet(id: "x") { id } metrics { id } }'), None)
    assert not cacheable(parse("{ me { sub } metrics { id } }"), None)  # the caller's own
    assert not cacheable(parse("{ briefing { date } }"), None)  # today's, written on first read
    assert not cacheable(parse("mutation { refreshData { jobId } }"), None)
    assert not cacheable(parse("query { ...F } fragment F on Query { metrics { id } }"), None)
    two = parse("query A { metrics { id } } mutation B { refreshData { jobId } }")
    assert cacheable(two, "A") and not cacheable(two, "B")


def test_the_digest_tells_roles_queries_and_variables_apart() -> None:
    base = answer_digest(["VIEWER"], "{ metrics { id } }", None, {})
    assert answer_digest(["VIEWER"], "{ metrics { id } }", None, {}) == base
    assert answer_digest(["ADMIN"], "{ metrics { id } }", None, {}) != base
    assert answer_digest(["VIEWER"], "{ metrics { id name } }", None, {}) != base
    assert answer_digest(["VIEWER"], "{ metrics { id } }", None, {"a": 1}) != base
    orders = (["VIEWER", "ADMIN"], ["ADMIN", "VIEWER"])
    either_order = {answer_digest(roles, "q", None, None) for roles in orders}
    assert len(either_order) == 1
