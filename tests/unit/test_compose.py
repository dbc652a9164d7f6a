"""docker-compose.yml wires real settings and consistent hosts, ports and volumes (no Docker here)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import yaml

from kg_service.config import ROOT, environment_variables

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
APP_SERVICES = ("api", "worker")


def _container_ports(service: str) -> set[int]:
    ports = set()
    for mapping in SERVICES[service].get("ports", []):
        ports.add(int(str(mapping).rsplit(":", 1)[-1]))
    return ports


def test_the_stack_has_its_four_services_with_health_checks() -> None:
    assert set(SERVICES) == {"neo4j", "redis", "api", "worker"}
    for name, service in SERVICES.items():
        assert "healthcheck" in service, f"{name} has no health check"


def test_app_services_name_only_real_settings() -> None:
    known = set(environment_variables())
    for name in APP_SERVICES:
        unknown = set(SERVICES[name]["environment"]) - known
        assert not unknown, f"{name} sets unknown variables {sorted(unknown)}"


def test_app_services_reach_neo4j_and_redis_by_service_name() -> None:
    for name in APP_SERVICES:
        env = SERVICES[name]["environment"]
        neo4j, redis = urlparse(env["NEO4J_URI"]), urlparse(env["REDIS_URL"])
        assert neo4j.hostname == "neo4j" and neo4j.port == 7687
        assert redis.hostname == "redis" and redis.port == 6379
        assert {"neo4j", "redis"} <= set(SERVICES[name]["depends_on"])
        mounts = {str(v).split(":", 1)[1] for v in SERVICES[name]["volumes"]}
        assert env["KG_DATA_DIR"] in mounts, f"{name}'s data dir is not a volume"
    assert 7687 in _container_ports("neo4j")
    assert int(SERVICES["api"]["environment"]["KG_API_PORT"]) in _container_ports("api")


def test_the_api_and_the_worker_share_the_warehouse_volume() -> None:
    volumes = [{str(v).split(":", 1)[0] for v in SERVICES[name]["volumes"]} for name in APP_SERVICES]
    assert volumes[0] & volumes[1]
    for volume in set.union(*volumes):
        assert volume in COMPOSE["volumes"]


def test_redis_is_append_only_and_neo4j_is_the_community_lts() -> None:
    command = SERVICES["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert SERVICES["neo4j"]["image"].startswith("neo4j:5.26")
    env = SERVICES["neo4j"]["environment"]
    assert env["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD")
    assert all(key.startswith("NEO4J_") for key in env)


def test_secrets_are_not_written_in_the_file() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for name in ("KG_JWT_SECRET", "ANTHROPIC_API_KEY", "SNOWFLAKE_PASSWORD"):
        assert f"{name}:" not in text
