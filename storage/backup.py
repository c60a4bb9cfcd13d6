"""Backups of the database that are safe while the bot runs, and restoring them.

SQLite: the online backup API of SQLite (a consistent copy, WAL included; a file copy of
a live WAL database can be torn). PostgreSQL: `pg_dump` (one consistent snapshot, custom
format) and `pg_restore`, with the password handed over in the environment, never on the
command line. A backup holds the free text encrypted, as stored: it is useless without
KOORDBOT_ENCRYPTION_KEY, which is therefore kept apart from the backups."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore cannot be made; the message is one line for the operator."""


def backup(url: str, target: Path) -> Path:
    """Write a consistent copy of the database at `url` to `target` (a new file).
    Blocking: call it from a thread inside an event loop."""
    target = target.expanduser()
    if target.exists():
        raise BackupError(f"'{target}' exists already; choose a new file name")
    if not target.parent.is_dir():
        raise BackupError(f"the folder '{target.parent}' does not exist")
    parts = make_url(url)
    if parts.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_path(parts), target)
    else:
        _pg_tool(
            "pg_dump",
            parts,
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
        )
    target.chmod(0o600)
    return target


def restore(url: str, source: Path, *, replace: bool = False) -> None:
    """Put the backup `source` into the database at `url`.

    The target must be empty (a new database) unless `replace` is given: then its
    content is replaced by the backup's. Stop every bot process first."""
    source = source.expanduser()
    if not source.is_file():
        raise BackupError(f"'{source}' is not a file")
    with source.open("rb") as fh:
        magic = fh.read(16)
    parts = make_url(url)
    if parts.get_backend_name() == "sqlite":
        if magic != SQLITE_MAGIC:
            raise BackupError(f"'{source}' is not a SQLite backup")
        target = _sqlite_path(parts)
        if not replace and _sqlite_has_schema(target):
            raise BackupError(_not_empty(target.name))
        _sqlite_copy(source, target)
        return
    if not magic.startswith(PG_MAGIC):
        raise BackupError(f"'{source}' is not a pg_dump backup (custom format)")
    options = ["--clean", "--if-exists"] if replace else []
    if not replace and _pg_has_schema(parts):
        raise BackupError(_not_empty(str(parts.database)))
    _pg_tool(
        "pg_restore",
        parts,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        *options,
        f"--dbname={parts.database}",
        str(source),
    )


def _not_empty(name: str) -> str:
    return (
        f"the database '{name}' is not empty; restore into a new database, or add "
        "--replace to overwrite it (stop the bot first)"
    )


def _sqlite_path(parts: URL) -> Path:
    if not parts.database or parts.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(parts.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    # Read-only URI for the source: a backup never creates or changes it.
    with sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30) as src:
        with sqlite3.connect(target, timeout=30) as dst:
            src.backup(dst, pages=1024)
        dst.close()
    src.close()


def _sqlite_has_schema(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30) as conn:
        rows = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'"
        ).fetchall()
    conn.close()
    return bool(rows)


def _pg_has_schema(parts: URL) -> bool:
    result = _run(
        "psql",
        parts,
        "--no-psqlrc",
        "--tuples-only",
        "--no-align",
        "--command",
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
        f"--dbname={parts.database}",
    )
    return result.strip() not in ("", "0")


def _pg_tool(tool: str, parts: URL, *args: str) -> None:
    if tool == "pg_dump":
        _run(tool, parts, *args, f"--dbname={parts.database}")
    else:
        _run(tool, parts, *args)


def _run(tool: str, parts: URL, *args: str) -> str:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(
            f"{tool} is not installed; install the PostgreSQL client tools "
            "(Debian: postgresql-client) in a version at least the server's"
        )
    env = {
        **os.environ,
        "PGHOST": parts.host or "localhost",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username or "",
        "PGPASSWORD": parts.password or "",
        "PGCONNECT_TIMEOUT": "15",
    }
    process = subprocess.run([program, *args], env=env, capture_output=True, text=True)
    if process.returncode != 0:
        detail = (process.stderr.strip().splitlines() or ["failed"])[-1]
        raise BackupError(f"{tool} failed: {detail}")
    return process.stdout
