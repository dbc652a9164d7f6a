"""One DuckDB file per tenant, changed only by atomic snapshot swaps.

DuckDB lets one process write a file, and a reader's lock blocks writers, while opening a
connection costs ~30 ms. So readers keep a long-lived read-only connection, and a writer copies the
file, changes the copy and renames it over the original. Readers see the new file on their next
query (they compare the file's inode), a failed write leaves the original untouched, and readers
never wait for writers. Writers of one tenant are serialised by an advisory lock file.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kg_service.graph.definitions import TENANT_RE

log = logging.getLogger(__name__)


@dataclass
class _Reader:
    inode: int
    connection: duckdb.DuckDBPyConnection


class TenantFiles:
    """Where each tenant's warehouse file lives, and the readers open on them."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._readers: dict[str, _Reader] = {}
        self._lock = threading.Lock()

    def path(self, tenant: str) -> Path:
        if not TENANT_RE.match(tenant):
            raise ValueError(f"not a tenant id: {tenant!r}")
        return self.directory / f"{tenant}.duckdb"

    def exists(self, tenant: str) -> bool:
        return self.path(tenant).exists()

    def reader(self, tenant: str) -> duckdb.DuckDBPyConnection | None:
        """A cursor on the tenant's current snapshot (None when the tenant has no file yet)."""
        path = self.path(tenant)
        try:
            inode = path.stat().st_ino
        except FileNotFoundError:
            return None
        with self._lock:
            current = self._readers.get(tenant)
            if current is None or current.inode != inode:
                if current is not None:
                    current.connection.close()
                current = _Reader(inode, duckdb.connect(str(path), read_only=True))
                self._readers[tenant] = current
            return current.connection.cursor()

    @contextmanager
    def writer(self, tenant: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection on a private copy; committed by rename when the block ends without error."""
        path = self.path(tenant)
        self.directory.mkdir(parents=True, exist_ok=True)
        with _exclusive(path.with_suffix(".lock")):
            staging = path.with_suffix(f".staging-{os.getpid()}-{threading.get_ident()}")
            staging.unlink(missing_ok=True)
            if path.exists():
                shutil.copyfile(path, staging)
            connection = duckdb.connect(str(staging))
            try:
                yield connection
                connection.execute("CHECKPOINT")
                connection.close()
                _fsync(staging)
                staging.replace(path)
            except BaseException:
                connection.close()
                staging.unlink(missing_ok=True)
                Path(f"{staging}.wal").unlink(missing_ok=True)
                raise

    def close(self) -> None:
        with self._lock:
            for reader in self._readers.values():
                reader.connection.close()
            self._readers.clear()


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
