"""The local Neo4j engine: `neo4j-local/` (a Maven project) built once, run in the background.

Used when `NEO4J_URI` is unset. The launcher prints `READY …` once Bolt answers; this module waits
for that line, keeps a pid file beside the data directory, and stops the engine with SIGTERM (the
launcher's shutdown hook closes the store cleanly).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from kg_service.config import ROOT, Settings
from kg_service.errors import UpstreamError

PROJECT = ROOT / "neo4j-local"
CLASSES = PROJECT / "target" / "classes"
LIBS = PROJECT / "target" / "lib"
MAIN_CLASS = "io.marketingiq.neo4jlocal.LocalNeo4j"


@dataclass(frozen=True)
class EngineStatus:
    running: bool
    pid: int | None
    bolt_uri: str
    http_uri: str | None
    home: Path
    log: Path
    ready_line: str | None = None

    def describe(self) -> str:
        if not self.running:
            return f"neo4j-local is not running (home {self.home})"
        http = f", browser {self.http_uri}/browser/" if self.http_uri else ""
        where = f"bolt {self.bolt_uri}{http}, home {self.home}, log {self.log}"
        return f"neo4j-local running (pid {self.pid}): {where}"


def _paths(settings: Settings) -> tuple[Path, Path, Path]:
    home = settings.neo4j_home
    return home, home.parent / f"{home.name}.pid", home.parent / f"{home.name}.log"


def _sources() -> list[Path]:
    return [PROJECT / "pom.xml", *sorted((PROJECT / "src").rglob("*.java"))]


def is_built() -> bool:
    marker = PROJECT / "target" / "build.ok"
    if not marker.exists() or not LIBS.is_dir():
        return False
    built_at = marker.stat().st_mtime
    return all(src.stat().st_mtime <= built_at for src in _sources())


def build(echo: bool = True) -> None:
    """`mvn package` once; later calls return at once until pom.xml or the Java source change."""
    if is_built():
        return
    mvn = shutil.which("mvn")
    if mvn is None:
        raise UpstreamError("Maven (mvn) is not installed; it is needed to build neo4j-local")
    command = [mvn, "-B", "-q", "-Dstyle.color=never", "package", "-DskipTests"]
    result = subprocess.run(  # noqa: S603
        command, cwd=PROJECT, capture_output=not echo, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stdout or "")[-2000:] if not echo else ""
        raise UpstreamError(f"building neo4j-local failed ({' '.join(command)}):\n{detail}")
    (PROJECT / "target" / "build.ok").touch()


def _read_pid(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def status(settings: Settings) -> EngineStatus:
    home, pid_file, log = _paths(settings)
    pid = _read_pid(pid_file)
    running = pid is not None and _port_open(settings.neo4j.local_bolt_port)
    http_port = settings.neo4j.local_http_port
    return EngineStatus(
        running=running,
        pid=pid,
        bolt_uri=settings.neo4j.bolt_uri,
        http_uri=f"http://127.0.0.1:{http_port}" if http_port else None,
        home=home,
        log=log,
        ready_line=_ready_line(log) if running else None,
    )


def _ready_line(log: Path) -> str | None:
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return None
    return next((line for line in reversed(lines) if line.startswith("READY ")), None)


def _launch_env(settings: Settings, home: Path) -> dict[str, str]:
    neo4j = settings.neo4j
    env = dict(os.environ)
    env.update(
        NEO4J_LOCAL_HOME=str(home),
        NEO4J_LOCAL_BOLT_PORT=str(neo4j.local_bolt_port),
        NEO4J_LOCAL_HTTP_PORT=str(neo4j.local_http_port),
        NEO4J_LOCAL_AUTH="true" if neo4j.local_auth else "false",
        NEO4J_PASSWORD=neo4j.password.get_secret_value(),
        NEO4J_LOCAL_PAGECACHE=neo4j.local_pagecache,
    )
    return env


def start(settings: Settings) -> EngineStatus:
    """Starts the engine in the background unless it already runs; waits until Bolt answers."""
    if settings.neo4j.uri is not None:
        raise UpstreamError(
            f"NEO4J_URI is set ({settings.neo4j.uri}): that server is used, nothing is started"
        )
    current = status(settings)
    if current.running:
        return current
    if _port_open(settings.neo4j.local_bolt_port):
        raise UpstreamError(f"port {settings.neo4j.local_bolt_port} is taken by another process")
    if settings.neo4j.local_auth and len(settings.neo4j.password.get_secret_value()) < 8:
        raise UpstreamError("NEO4J_PASSWORD must be set (8+ characters) while NEO4J_LOCAL_AUTH is on")
    build()
    home, pid_file, log = _paths(settings)
    home.mkdir(parents=True, exist_ok=True)
    java = shutil.which("java") or "java"
    command = [java, f"-Xmx{settings.neo4j.local_heap}", "-cp", f"{CLASSES}{os.pathsep}{LIBS}/*", MAIN_CLASS]
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_launch_env(settings, home),
            start_new_session=True,
        )
    pid_file.write_text(str(process.pid))
    _wait_ready(settings, process, log)
    return status(settings)


def _wait_ready(settings: Settings, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + settings.neo4j.local_start_timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise UpstreamError(f"neo4j-local exited with code {process.returncode}; its log ends:\n{tail}")
        if _ready_line(log) and _port_open(settings.neo4j.local_bolt_port):
            return
        time.sleep(0.25)
    process.terminate()
    raise UpstreamError(
        f"neo4j-local did not answer within {settings.neo4j.local_start_timeout_s:.0f} s; see {log}"
    )


def stop(settings: Settings, timeout_s: float = 60.0) -> bool:
    """SIGTERM and wait; returns False when nothing was running."""
    _, pid_file, _ = _paths(settings)
    pid = _read_pid(pid_file)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and _read_pid(pid_file) is not None:
        time.sleep(0.2)
    if _read_pid(pid_file) is not None:
        os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)
    return True
