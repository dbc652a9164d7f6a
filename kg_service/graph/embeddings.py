"""Embeddings of a tenant's metrics, thought definitions and actions, and semantic search over them.

Each node keeps its `embedding` and the hash of the text it was computed from
(`embedding_text_hash`), so `refresh_embeddings` encodes only what changed and costs nothing when
run again. A node whose text changes between the read and the write keeps the hash of the text
actually embedded, so the next refresh sees the difference and fixes it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal, Protocol, get_args

import numpy as np
from neo4j import AsyncManagedTransaction
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from kg_service.errors import InvalidInput
from kg_service.graph import catalog
from kg_service.graph.db import BULK_TIMEOUT_S, Graph, Row, run

Kind = Literal["metric", "thought", "action"]
KINDS: tuple[Kind, ...] = get_args(Kind)
INDEXES: dict[Kind, str] = {
    "metric": "metric_embedding",
    "thought": "thought_embedding",
    "action": "action_embedding",
}
DIMENSIONS = 384
# The vector indexes hold every tenant's nodes: ask for this many neighbours per wanted result.
NEIGHBOURS_PER_RESULT = 20
MAX_NEIGHBOURS = 1000
# Part of every text hash: a new model, or a new way to compose texts, re-embeds everything once.
EMBEDDING_MODEL = "all-MiniLM-L6-v2"
TEXT_VERSION = 1
# How marketers name the sources; "derived" metrics span platforms and get no platform words.
PLATFORM_WORDS = {
    "google_ads": "Google Ads",
    "meta_ads": "Meta Ads, Facebook, Instagram",
    "ga4": "GA4, Google Analytics",
    "klaviyo": "Klaviyo email",
    "magento": "Magento store",
}


class Encoder(Protocol):
    async def encode_async(self, texts: list[str]) -> NDArray[np.float32]: ...


class SearchResult(BaseModel):
    """A search hit; `score` is Neo4j's cosine similarity, (1 + cos) / 2, so within [0, 1]."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    id: str
    name: str
    score: float


def embedding_text(row: Row) -> str:
    """What a node's embedding is computed from: its name and description, in its kind's context.

    A metric's name carries its platform (several metrics share a name across platforms) and its id
    the acronyms marketers type (cpc, roas, aov). Formulas are left out: on the paraphrase set
    (tests/data/search_paraphrases.yaml) they cost ~7 points of top-1 hits.
    """
    kind: Kind = row["kind"]
    name, description = str(row["name"]).strip(), str(row["description"]).strip()
    if kind == "metric":
        platform = PLATFORM_WORDS.get(row["source"] or "")
        if platform:
            name = f"{name} ({platform})"
        return f"{name}. {_words(row['id'])}. {description}"
    if kind == "thought":
        return f"{name}. {description}. {_words(row['category'] or '')}"
    return f"{name}. {description}"


def _words(identifier: str) -> str:
    return identifier.replace("_", " ")


def text_hash(text: str) -> str:
    return hashlib.sha256(f"{EMBEDDING_MODEL}/{TEXT_VERSION}\n{text}".encode()).hexdigest()


async def refresh_embeddings(graph: Graph, tenant: str, embedder: Encoder) -> int:
    """(Re)computes the embeddings whose text changed, in one write; returns how many."""
    stale: list[tuple[Row, str, str]] = []
    for row in await graph.read(catalog.embeddings_sources(), tenant=tenant):
        text = embedding_text(row)
        digest = text_hash(text)
        if not row["embedded"] or row["text_hash"] != digest:
            stale.append((row, text, digest))
    if not stale:
        return 0
    vectors = await embedder.encode_async([text for _, text, _ in stale])
    rows: dict[Kind, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    for (row, _, digest), vector in zip(stale, vectors, strict=True):
        rows[row["kind"]].append({"id": row["id"], "embedding": vector.tolist(), "text_hash": digest})

    async def store(tx: AsyncManagedTransaction) -> list[Row]:
        return await run(
            tx,
            catalog.embeddings_store(),
            tenant=tenant,
            metrics=rows["metric"],
            thoughts=rows["thought"],
            actions=rows["action"],
        )

    stored = await graph.write_tx(store, tenant=tenant, timeout_s=BULK_TIMEOUT_S)
    return int(stored[0]["stored"])


async def semantic_search(
    graph: Graph,
    tenant: str,
    vector: NDArray[np.float32],
    limit: int,
    kinds: Iterable[Kind] | None = None,
) -> list[SearchResult]:
    """The tenant's `limit` nodes nearest to `vector`, across the asked kinds, best first."""
    wanted = _checked_kinds(kinds)
    query = [float(v) for v in np.asarray(vector, dtype=np.float32).reshape(-1)]
    if len(query) != DIMENSIONS:
        raise InvalidInput(f"vector: {DIMENSIONS} dimensions expected, got {len(query)}")
    if limit < 1:
        raise InvalidInput("limit: at least 1")
    params = {"tenant": tenant, "vector": query, "limit": limit}

    async def work(tx: AsyncManagedTransaction) -> list[Row]:
        indexes = [{"kind": kind, "index": INDEXES[kind]} for kind in wanted]
        k = min(MAX_NEIGHBOURS, limit * NEIGHBOURS_PER_RESULT)
        rows = await run(tx, catalog.embeddings_search(), indexes=indexes, k=k, **params)
        found = Counter(row["kind"] for row in rows)
        short = [kind for kind in wanted if found[kind] < limit]
        if short:
            rows = [row for row in rows if row["kind"] not in short]
            rows += await run(tx, catalog.embeddings_scan(), kinds=short, **params)
        return rows

    hits = [_result(row) for row in await graph.read_tx(work)]
    hits.sort(key=lambda hit: (-hit.score, hit.id, hit.kind))
    return hits[:limit]


def _checked_kinds(kinds: Iterable[Kind] | None) -> list[Kind]:
    if kinds is None:
        return list(KINDS)
    wanted = list(dict.fromkeys(kinds))
    unknown = [kind for kind in wanted if kind not in KINDS]
    if unknown or not wanted:
        raise InvalidInput(f"kinds: one or more of {list(KINDS)}")
    return wanted


def _result(row: Row) -> SearchResult:
    # Float rounding can put a perfect match a hair above 1.
    score = min(1.0, max(0.0, float(row["score"])))
    return SearchResult(kind=row["kind"], id=row["id"], name=row["name"], score=score)
