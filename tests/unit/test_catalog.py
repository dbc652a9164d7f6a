"""The Cypher catalog and the files in cypher/ match one to one, and every entry is used."""

from __future__ import annotations

import ast
import inspect
import re

from kg_service.graph import catalog

PACKAGE = catalog.CYPHER_DIR.parent / "kg_service"


def _entries() -> dict[str, str]:
    """catalog function name → the file it loads."""
    tree = ast.parse(inspect.getsource(catalog))
    entries = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            calls = [
                n for n in ast.walk(node) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "load"
            ]
            if calls and isinstance(calls[0].args[0], ast.Constant):
                entries[node.name] = calls[0].args[0].value
    return entries


def test_every_catalog_entry_has_its_file() -> None:
    for name, file in _entries().items():
        assert (catalog.CYPHER_DIR / f"{file}.cypher").is_file(), f"{name} loads missing {file}.cypher"
        assert getattr(catalog, name)().strip()


def test_every_cypher_file_is_reached_through_the_catalog() -> None:
    loaded = set(_entries().values())
    for path in catalog.CYPHER_DIR.rglob("*.cypher"):
        name = str(path.relative_to(catalog.CYPHER_DIR).with_suffix(""))
        assert name.startswith(("schema/", "browser/")) or name in loaded, (
            f"{name}.cypher is not in the catalog"
        )


def test_every_catalog_entry_is_called_somewhere() -> None:
    source = "\n".join(p.read_text() for p in PACKAGE.rglob("*.py") if p.name != "catalog.py")
    for name in _entries():
        assert re.search(rf"catalog\.{name}\(", source), f"catalog.{name} is never used"


def test_labels_are_checked_before_interpolation() -> None:
    assert catalog.checked_label("Metric") == "Metric"
    for bad in ["Metric) DETACH DELETE (n", "1abc", "", "a b"]:
        try:
            catalog.checked_label(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_cypher_files_hold_one_statement_each() -> None:
    for path in catalog.CYPHER_DIR.rglob("*.cypher"):
        body = re.sub(r"//.*", "", path.read_text()).strip()
        assert ";" not in body.rstrip(";"), f"{path.name} holds more than one statement"
