"""Reading and validating the YAML seeds: shared definitions plus a tenant's overrides.

Every problem is reported with the file and the key path that caused it, all problems at once,
before anything touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from kg_service.errors import SeedError
from kg_service.graph.definitions import (
    Action,
    Compound,
    KnowledgeSet,
    Metric,
    TenantOverrides,
    ThoughtDefinition,
    Thoughtlet,
)

M = TypeVar("M", bound=BaseModel)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a mapping with the same key twice (plain YAML keeps the last)."""


def _mapping_without_duplicates(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _mapping_without_duplicates,
)


@dataclass
class _Problems:
    items: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def require(self, ids: Iterable[str], known: Iterable[str], kind: str, where: str) -> None:
        """Reports every id of `ids` that is not in `known`, with its index."""
        known_ids = set(known)
        for index, value in enumerate(ids):
            if value not in known_ids:
                self.add(f"{where}[{index}]", f"unknown {kind} {value!r}")

    def raise_if_any(self) -> None:
        if self.items:
            raise SeedError(self.items)


@dataclass(frozen=True)
class Located:
    """A parsed definition and where it came from, for error messages."""

    file: str
    key: str


def _read_yaml(path: Path, root: Path, problems: _Problems) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        problems.add(_rel(path, root), f"not valid YAML: {exc}".replace("\n", " "))
    except OSError as exc:
        problems.add(_rel(path, root), f"cannot be read: {exc}")
    return None


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _format_loc(loc: Sequence[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _parse_list(
    model: type[M], data: Any, top_key: str, file: str, problems: _Problems
) -> list[tuple[M, Located]]:
    if not isinstance(data, dict) or top_key not in data:
        problems.add(file, f"expected a top-level key '{top_key}'")
        return []
    unknown = sorted(set(data) - {top_key})
    if unknown:
        problems.add(file, f"unknown top-level key(s) {unknown}")
    entries = data[top_key]
    if not isinstance(entries, list):
        problems.add(f"{file}: {top_key}", "expected a list")
        return []
    parsed: list[tuple[M, Located]] = []
    for index, entry in enumerate(entries):
        label = f"{top_key}[{index}]"
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            label += f" ({entry['id']})"
        try:
            parsed.append((model.model_validate(entry), Located(file, label)))
        except ValidationError as exc:
            for error in exc.errors():
                problems.add(f"{file}: {label}{_format_loc(error['loc'])}", error["msg"])
    return parsed


@dataclass
class SeedTree:
    """The shared definitions, each with where it was declared."""

    metrics: list[tuple[Metric, Located]]
    thoughtlets: list[tuple[Thoughtlet, Located]]
    thoughts: list[tuple[ThoughtDefinition, Located]]
    actions: list[tuple[Action, Located]]


def read_shared(seeds_dir: Path) -> SeedTree:
    problems = _Problems()
    metrics: list[tuple[Metric, Located]] = []
    metric_files = sorted((seeds_dir / "metrics").glob("*.yaml"))
    if not metric_files:
        problems.add(_rel(seeds_dir / "metrics", seeds_dir), "no metric files (*.yaml)")
    for path in metric_files:
        data = _read_yaml(path, seeds_dir, problems)
        if data is not None:
            metrics += _parse_list(Metric, data, "metrics", _rel(path, seeds_dir), problems)

    def single(name: str, model: type[M]) -> list[tuple[M, Located]]:
        path = seeds_dir / f"{name}.yaml"
        data = _read_yaml(path, seeds_dir, problems)
        return [] if data is None else _parse_list(model, data, name, _rel(path, seeds_dir), problems)

    tree = SeedTree(
        metrics=metrics,
        thoughtlets=single("thoughtlets", Thoughtlet),
        thoughts=single("thoughts", ThoughtDefinition),
        actions=single("actions", Action),
    )
    problems.raise_if_any()
    return tree


def read_overrides(seeds_dir: Path, tenant: str) -> TenantOverrides | None:
    path = seeds_dir / "tenants" / f"{tenant}.yaml"
    if not path.exists():
        return None
    problems = _Problems()
    data = _read_yaml(path, seeds_dir, problems)
    problems.raise_if_any()
    file = _rel(path, seeds_dir)
    try:
        overrides = TenantOverrides.model_validate(data)
    except ValidationError as exc:
        raise SeedError(
            [f"{file}: {_format_loc(e['loc']).lstrip('.')}: {e['msg']}" for e in exc.errors()]
        ) from exc
    if overrides.tenant != tenant:
        raise SeedError([f"{file}: tenant: says {overrides.tenant!r} but the file is for {tenant!r}"])
    return overrides


def known_tenants(seeds_dir: Path) -> list[str]:
    return sorted(p.stem for p in (seeds_dir / "tenants").glob("*.yaml"))


def knowledge_for(seeds_dir: Path, tenant: str) -> KnowledgeSet:
    """The shared seeds with `tenant`'s overrides applied, fully cross-checked."""
    tree = read_shared(seeds_dir)
    overrides = read_overrides(seeds_dir, tenant)
    overrides_file = _rel(seeds_dir / "tenants" / f"{tenant}.yaml", seeds_dir)
    if overrides is not None:
        tree = _apply_overrides(tree, overrides, overrides_file)
    _cross_check(tree)
    return KnowledgeSet(
        metrics=tuple(m for m, _ in tree.metrics),
        thoughtlets=tuple(t for t, _ in tree.thoughtlets),
        thoughts=tuple(t for t, _ in tree.thoughts),
        actions=tuple(a for a, _ in tree.actions),
    )


def _apply_overrides(tree: SeedTree, overrides: TenantOverrides, file: str) -> SeedTree:
    problems = _Problems()
    known = {m.id for m, _ in tree.metrics}
    metrics = list(tree.metrics)
    for index, metric in enumerate(overrides.metrics):
        metrics.append((metric, Located(file, f"metrics[{index}] ({metric.id})")))
    all_ids = known | {m.id for m in overrides.metrics}
    for metric_id in overrides.thresholds:
        if metric_id not in all_ids:
            problems.add(f"{file}: thresholds.{metric_id}", f"unknown metric {metric_id!r}")
    thought_ids = {t.id for t, _ in tree.thoughts}
    for index, thought_id in enumerate(overrides.disabled_thoughts):
        if thought_id not in thought_ids:
            problems.add(f"{file}: disabled_thoughts[{index}]", f"unknown thought {thought_id!r}")
    problems.raise_if_any()
    metrics = [
        (m.model_copy(update={"thresholds": overrides.thresholds[m.id]}), where)
        if m.id in overrides.thresholds
        else (m, where)
        for m, where in metrics
    ]
    disabled = set(overrides.disabled_thoughts)
    thoughts = [
        (t.model_copy(update={"is_active": False}), where) if t.id in disabled else (t, where)
        for t, where in tree.thoughts
    ]
    return SeedTree(metrics, tree.thoughtlets, thoughts, tree.actions)


def _duplicates(kind: str, items: Iterable[tuple[Any, Located]], problems: _Problems) -> None:
    first: dict[str, Located] = {}
    for item, where in items:
        if item.id in first:
            seen = first[item.id]
            problems.add(
                f"{where.file}: {where.key}.id", f"duplicate {kind} id, first in {seen.file}: {seen.key}"
            )
        else:
            first[item.id] = where


def _cross_check(tree: SeedTree) -> None:
    problems = _Problems()
    _duplicates("metric", tree.metrics, problems)
    _duplicates("thoughtlet", tree.thoughtlets, problems)
    _duplicates("thought", tree.thoughts, problems)
    _duplicates("action", tree.actions, problems)
    domains = {m.id: m.domain for m, _ in tree.metrics}
    thought_ids = {t.id for t, _ in tree.thoughts}
    action_ids = {a.id for a, _ in tree.actions}

    for m, at in tree.metrics:
        base = f"{at.file}: {at.key}"
        problems.require([e.metric for e in m.affects], domains, "metric", f"{base}.affects")
        problems.require([c.metric for c in m.components], domains, "metric", f"{base}.components")
        threshold_ids = [m.threshold_id(i) for i in range(len(m.thresholds))]
        if len(set(threshold_ids)) != len(threshold_ids):
            problems.add(f"{base}.thresholds", "duplicate threshold id")
    for t, at in tree.thoughtlets:
        problems.require(t.metrics, domains, "metric", f"{at.file}: {at.key}.metrics")
    for thought, at in tree.thoughts:
        _check_thought(thought, f"{at.file}: {at.key}", domains, thought_ids, action_ids, problems)
    problems.raise_if_any()


def _check_thought(
    thought: ThoughtDefinition,
    base: str,
    domains: dict[str, str],
    thought_ids: set[str],
    action_ids: set[str],
    problems: _Problems,
) -> None:
    if not thought.component_metrics:
        problems.add(f"{base}.component_metrics", "a thought needs at least one component metric")
    problems.require(thought.component_metrics, domains, "metric", f"{base}.component_metrics")
    _check_trigger(thought.trigger_conditions, f"{base}.trigger_conditions", domains, problems)
    problems.require(thought.blast_radius.internal, domains, "metric", f"{base}.blast_radius.internal")
    for index, ref in enumerate(thought.blast_radius.external):
        domain, _, metric_id = ref.partition(".")
        if domains.get(metric_id) != domain:
            problems.add(
                f"{base}.blast_radius.external[{index}]", f"unknown metric {ref!r} (domain.metric_id)"
            )
    problems.require(thought.recommended_actions, action_ids, "action", f"{base}.recommended_actions")
    problems.require(thought.cascades_to, thought_ids, "thought", f"{base}.cascades_to")


def _check_trigger(compound: Compound, where: str, domains: dict[str, str], problems: _Problems) -> None:
    for index, condition in enumerate(compound.conditions):
        at = f"{where}.conditions[{index}]"
        if isinstance(condition, Compound):
            _check_trigger(condition, at, domains, problems)
        elif condition.metric not in domains:
            problems.add(f"{at}.metric", f"unknown metric {condition.metric!r}")
