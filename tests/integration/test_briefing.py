"""The morning briefing on a demo store: its sections, its speech, and numbers traced to sources."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

from kg_service.ai.briefing import build_briefing, load_briefing, save_briefing
from kg_service.ai.offline_analyst import OfflineAnalyst
from kg_service.config import Settings
from kg_service.engine.thoughts import generate_thoughts
from kg_service.engine.validation import numbers_in_text, traceable
from kg_service.graph.db import Graph
from kg_service.graph.instances import list_instances
from kg_service.graph.seed_files import knowledge_for
from kg_service.graph.seeding import write_knowledge
from kg_service.warehouse.demo import generate_demo
from kg_service.warehouse.duckdb_source import DuckDBSource

DAY = date(2026, 7, 16)


async def test_the_briefing_names_the_top_thoughts_and_traces_its_numbers(
    graph: Graph, settings: Settings, tenant: str, tmp_path: Path
) -> None:
    source = DuckDBSource(tmp_path / "warehouse")
    generate_demo(source.files, "acme", days=400, end=date(2026, 7, 15))
    shutil.copyfile(source.files.path("acme"), source.files.path(tenant))
    await write_knowledge(graph, tenant, knowledge_for(settings.seeds_dir, "acme"))
    analyst = OfflineAnalyst()
    await generate_thoughts(graph, source, analyst, analyst, tenant, settings.engine, run_key="brief")
    try:
        briefing = await build_briefing(graph, source, tenant, DAY)
    finally:
        source.close()
    instances = {i.id: i for i in await list_instances(graph, tenant)}
    attention, numbers_section = briefing.sections
    assert attention.title == "What needs attention" and 1 <= len(attention.items) <= 5
    assert all(item.sources[0] in instances for item in attention.items)
    assert numbers_section.items and all(item.sources[0] for item in numbers_section.items)
    assert "need attention today" in briefing.headline
    for section in briefing.sections:
        for item in section.items:
            text = re.sub(r"\d{4}-\d{2}-\d{2}", " ", item.text)  # the day a value belongs to
            for value, places in numbers_in_text(text):
                assert traceable(value, places, item.numbers), (value, item.text)
    assert not re.search(r"\d", briefing.speech.split(".", 1)[1].replace("GA4", "")), briefing.speech
    await save_briefing(graph, tenant, briefing)
    stored = await load_briefing(graph, tenant, DAY)
    assert stored is not None and stored.sections == briefing.sections and stored.speech == briefing.speech
