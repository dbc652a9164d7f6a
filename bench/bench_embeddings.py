"""Embeddings and semantic search: model load, refresh of both demo tenants' seeds from scratch,
encode throughput, memory, and semantic_search latency.

Run: `. /tmp/kgdev/env.sh && .venv/bin/python bench/bench_embeddings.py` (needs NEO4J_URI; writes two
throwaway tenants and deletes them). OpenBLAS threads decide much of the encode time on a busy
2-core machine: compare with `OPENBLAS_NUM_THREADS=1`.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import time
import uuid
from pathlib import Path

import numpy as np
import yaml
from tokenizers import Tokenizer

from kg_service.ai.embeddings import MiniLM, model_dir
from kg_service.config import Settings
from kg_service.graph.db import Graph
from kg_service.graph.embeddings import embedding_text, refresh_embeddings, semantic_search
from kg_service.graph.schema import apply_schema
from kg_service.graph.seed_files import knowledge_for
from kg_service.graph.seeding import write_knowledge
from kg_service.graph.tenants import delete_tenant

PARAPHRASES = Path(__file__).resolve().parents[1] / "tests" / "data" / "search_paraphrases.yaml"
STORES = ("acme", "rare_seeds")


def rss_mib() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def throughput(model: MiniLM, name: str, texts: list[str]) -> None:
    tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tokenizer.no_padding()  # tokenizer.json pads to 128
    tokenizer.enable_truncation(max_length=256)
    tokens = statistics.mean(len(e.ids) for e in tokenizer.encode_batch(texts))
    model.encode(texts[:8])  # warm
    began = time.perf_counter()
    model.encode(texts)
    spent = time.perf_counter() - began
    rate = len(texts) / spent
    print(f"encode {name}: {len(texts)} texts (~{tokens:.0f} tokens) in {spent:.2f} s = {rate:.0f}/s")


async def main(rounds: int) -> None:
    settings = Settings()
    print(f"RSS before the model: {rss_mib():.0f} MiB")
    began = time.perf_counter()
    model = MiniLM.load()
    print(f"model load: {time.perf_counter() - began:.2f} s; RSS {rss_mib():.0f} MiB")

    graph = Graph.connect(settings.neo4j)
    await apply_schema(graph)
    tenants = {store: f"bench_{uuid.uuid4().hex[:8]}" for store in STORES}
    try:
        total, began_all = 0, time.perf_counter()
        for store, tenant in tenants.items():
            await write_knowledge(graph, tenant, knowledge_for(settings.seeds_dir, store))
            began = time.perf_counter()
            count = await refresh_embeddings(graph, tenant, model)
            total += count
            print(f"refresh {store} from scratch: {count} nodes in {time.perf_counter() - began:.2f} s")
        print(f"refresh both demo tenants: {total} nodes in {time.perf_counter() - began_all:.2f} s")
        began = time.perf_counter()
        again = await refresh_embeddings(graph, tenants["acme"], model)
        print(
            f"refresh again (nothing changed): {again} nodes in {(time.perf_counter() - began) * 1000:.0f} ms"
        )

        rows = await graph.read(
            "MATCH (n:Metric {tenant: $tenant}) RETURN 'metric' AS kind, n.id AS id, n.name AS name, "
            "n.description AS description, n.source AS source, null AS category",
            tenant=tenants["acme"],
        )
        queries = [c["text"] for c in yaml.safe_load(PARAPHRASES.read_text())["paraphrases"]]
        throughput(model, "node texts", [embedding_text(r) for r in rows])
        throughput(model, "search queries", queries)

        vectors = model.encode(queries)
        search, end_to_end = [], []
        for _ in range(rounds):
            for text, vector in zip(queries, vectors, strict=True):
                began = time.perf_counter()
                await semantic_search(graph, tenants["acme"], vector, 5)
                search.append((time.perf_counter() - began) * 1000)
                began = time.perf_counter()
                one = await model.encode_async([text])
                await semantic_search(graph, tenants["acme"], one[0], 5)
                end_to_end.append((time.perf_counter() - began) * 1000)
        for name, ms in (("semantic_search", search), ("encode + semantic_search", end_to_end)):
            print(
                f"{name}: n={len(ms)} p50 {statistics.median(ms):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
                f"max {max(ms):.1f} ms"
            )
        print(f"RSS now {rss_mib():.0f} MiB, peak {peak_rss_mib():.0f} MiB; numpy {np.__version__}")
    finally:
        for tenant in tenants.values():
            await delete_tenant(graph, tenant)
        await graph.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4, help="passes over the query set for latencies")
    asyncio.run(main(parser.parse_args().rounds))
