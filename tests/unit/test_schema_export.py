"""schema.graphql, the file integrators code against, is exactly the schema the code serves."""

from __future__ import annotations

from kg_service.api.schema import sdl
from kg_service.config import ROOT


def test_the_exported_schema_is_current() -> None:
    exported = (ROOT / "schema.graphql").read_text()
    assert exported == sdl(), "schema.graphql is out of date: run `kg-service schema export`"
