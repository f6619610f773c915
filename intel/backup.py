"""Backing up and restoring the whole database: SQLite and PostgreSQL.

SQLite is copied with its online backup API (``sqlite3.Connection.backup``), not
with ``cp``: the quick start runs web, worker and beat against the file at once in
WAL mode, so the newest committed pages may still be in the ``-wal`` file beside it,
and a plain copy of the main file alone would miss them or catch a page half written.
The backup API reads through SQLite, so what it copies is one consistent snapshot
with the WAL's committed pages included; readers never block writers in WAL mode, so
the other processes carry on meanwhile.

PostgreSQL is dumped with ``pg_dump --format=custom`` and restored with
``pg_restore``, connecting as Django's ``DATABASES`` say. The password goes to them
in ``PGPASSWORD``, never on the command line, where any user of the machine could
read it in the process list.

A backup is written to a temporary file beside its target and renamed into place
only once it is complete and checked, so a backup that fails (disk full, database
gone) never leaves a truncated file under the name a restore would pick up.

A restore first checks that the file is a backup of the right kind for the
configured database (a SQLite file for SQLite, a ``pg_dump`` custom archive for
PostgreSQL) and refuses anything else before touching the database. It replaces the
database's contents: stop web, worker and beat first (docs/operations.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
# How long to wait for a SQLite lock (another process writing) before giving up;
# the same as the application's own busy timeout (config/settings/base.py).
SQLITE_TIMEOUT = 20
# Seconds pg_dump and pg_restore may take to connect before the database counts as unreachable.
PG_CONNECT_TIMEOUT = 10


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


def default_database() -> Mapping[str, Any]:
    """The ``default`` entry of ``DATABASES``: the database the commands back up and restore."""
    return settings.DATABASES["default"]


def database_kind(database: Mapping[str, Any]) -> str:
    """``"sqlite"`` or ``"postgresql"``, from a ``DATABASES`` entry; anything else is refused."""
    engine = database["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return SQLITE
    if engine == "django.db.backends.postgresql":
        return POSTGRESQL
    raise BackupError(f"Backups are made for SQLite and PostgreSQL only, not {engine}.")


def describe_database(database: Mapping[str, Any]) -> str:
    """A short name for messages: the SQLite file, or the PostgreSQL database and server."""
    if database_kind(database) == SQLITE:
        return f"SQLite database {database['NAME']}"
    host = database.get("HOST") or "local socket"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"PostgreSQL database {database['NAME']} on {host}{port}"


def file_kind(path: Path) -> str | None:
    """What ``path`` holds, from its first bytes: ``"sqlite"``, ``"postgresql"`` (a custom-format dump) or None."""
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if head == SQLITE_HEADER:
        return SQLITE
    if head.startswith(PG_CUSTOM_HEADER):
        return POSTGRESQL
    return None


# --- Backup --------------------------------------------------------------------------


def backup_target(to: Path, *, kind: str, force: bool = False) -> Path:
    """The file a backup goes to: ``to`` itself, or a dated file inside it if it is a folder.

    A folder is what a cron job wants (one new file a night). Refuses a missing
    folder, and an existing file unless ``force``.
    """
    if to.is_dir():
        suffix = "sqlite3" if kind == SQLITE else "dump"
        to = to / f"rivalscope-{timezone.now():%Y%m%d-%H%M%S}.{suffix}"
    if not to.parent.is_dir():
        raise BackupError(f"The folder {to.parent} does not exist; create it first.")
    if to.exists() and not force:
        raise BackupError(f"{to} already exists; pass --force to replace it.")
    return to


def backup_database(*, to: Path, force: bool = False, database: Mapping[str, Any] | None = None) -> Path:
    """Write a consistent backup of ``database`` (the default one if None) to ``to``; return the file written.

    ``to`` is a file, or a folder to put a dated file in. The backup is complete and
    checked before it takes that name.
    """
    database = database or default_database()
    kind = database_kind(database)
    target = backup_target(Path(to), kind=kind, force=force)
    with _file_written_in_place(target, force=force) as partial:
        if kind == SQLITE:
            _backup_sqlite(Path(database["NAME"]), partial)
        else:
            _backup_postgresql(database, partial)
    return target


@contextmanager
def _file_written_in_place(target: Path, *, force: bool) -> Iterator[Path]:
    """A temporary file beside ``target``, renamed to it if the block succeeds and deleted otherwise.

    Beside it, not in /tmp, so that the rename stays on one file system and is
    atomic: ``target`` is either the old file or the whole new one, never part of it.
    ``mkstemp`` creates it readable by its owner only, which a backup holding
    password hashes and API token hashes should be.
    """
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        # Checked again: another backup may have taken the name while this one ran.
        if target.exists() and not force:
            raise BackupError(f"{target} already exists; pass --force to replace it.")
        os.replace(partial, target)
        _fsync_folder(target.parent)
    finally:
        partial.unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (a crash right after it must not lose the new name)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on every platform or file system; the data is synced already
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _backup_sqlite(db_path: Path, out: Path) -> None:
    """Copy the live SQLite database at ``db_path`` into ``out`` with the online backup API.

    One step (``pages=-1``): the copy is made inside one read transaction, so it is
    one snapshot of the database, committed WAL pages included, while other
    processes keep writing (a reader never blocks a writer in WAL mode). In several
    small steps SQLite would restart the copy after every write by another process,
    and a busy database might never finish.
    """
    if not db_path.is_file():
        raise BackupError(f"The SQLite database {db_path} does not exist.")
    try:
        # Opened read-write only because a read-only connection cannot always read
        # a WAL database (it needs the -shm file); nothing is written through it.
        with (
            closing(sqlite3.connect(db_path, timeout=SQLITE_TIMEOUT)) as source,
            closing(sqlite3.connect(out)) as copy,
        ):
            source.backup(copy, pages=-1)
            # The copy stands alone: one file, no -wal beside it to lose.
            copy.execute("PRAGMA journal_mode=DELETE")
            _check_sqlite(copy, out)
    except sqlite3.Error as exc:
        raise BackupError(f"Could not back up {db_path}: {exc}") from exc


def _check_sqlite(db: sqlite3.Connection, path: Path) -> None:
    """Refuse a SQLite file that is damaged, or that is not a Django database."""
    verdict = db.execute("PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        raise BackupError(f"{path} is damaged: {verdict}")
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'").fetchone() is None:
        raise BackupError(
            f"{path} is a SQLite file, but not a rivalscope database (it has no django_migrations table)."
        )


def _backup_postgresql(database: Mapping[str, Any], out: Path) -> None:
    """``pg_dump --format=custom`` of ``database`` into ``out``, then read back with ``pg_restore --list``."""
    pg_dump = _client("pg_dump")
    _check_reachable(database)
    _run_pg(
        [pg_dump, "--format=custom", "--no-password", f"--file={out}", *_connection_args(database)],
        database,
        doing="back up",
    )
    if file_kind(out) != POSTGRESQL:
        raise BackupError(f"pg_dump did not write a custom-format archive to {out}.")
    _run_pg([_client("pg_restore"), "--list", str(out)], database, doing="read back the backup of")


# --- Restore -------------------------------------------------------------------------


def check_restorable(*, source: Path, database: Mapping[str, Any] | None = None) -> str:
    """Refuse, touching nothing, a file that cannot be restored into ``database``; return its kind.

    The file must exist and be a backup of the database's own kind: a SQLite file
    (``SQLite format 3\\0``) for SQLite, a ``pg_dump`` custom archive (``PGDMP``) for
    PostgreSQL.
    """
    database = database or default_database()
    wanted = database_kind(database)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} does not exist or is not a file.")
    found = file_kind(source)
    if found == wanted:
        return found
    names = {SQLITE: "a SQLite database", POSTGRESQL: "a PostgreSQL dump (pg_dump custom format)"}
    if found is None:
        what = "neither a SQLite database nor a pg_dump custom-format archive"
        if _looks_like_sql(source):
            what += " (it looks like a plain SQL dump: restore that with psql)"
        raise BackupError(f"{source} is not a backup made by backup_database: {what}. Nothing was changed.")
    raise BackupError(
        f"{source} is {names[found]}, but the configured database is {describe_database(database)}. "
        "Nothing was changed."
    )


def restore_database(*, source: Path, database: Mapping[str, Any] | None = None) -> None:
    """Replace the contents of ``database`` (the default one if None) with the backup ``source``.

    Checked first (``check_restorable``); stop web, worker and beat before, and run
    ``manage.py migrate`` after if the code is newer than the backup.
    """
    database = database or default_database()
    kind = check_restorable(source=source, database=database)
    # This process's own connection would otherwise hold a snapshot (SQLite) or a
    # session (PostgreSQL) of the database about to be replaced.
    _close_django_connections(database)
    if kind == SQLITE:
        _restore_sqlite(Path(source), Path(database["NAME"]))
    else:
        _restore_postgresql(Path(source), database)


def _close_django_connections(database: Mapping[str, Any]) -> None:
    for connection in connections.all(initialized_only=True):
        same = all(connection.settings_dict.get(key) == database.get(key) for key in ("ENGINE", "NAME", "HOST", "PORT"))
        if same:
            connection.close()


def _restore_sqlite(backup: Path, db_path: Path) -> None:
    """Copy ``backup`` over the database at ``db_path`` page by page, with the backup API.

    Through SQLite, not by replacing the file: the database keeps its own journal mode
    (WAL) and no stale ``-wal`` file can be replayed over the restored pages. The copy
    is one write transaction, so an interrupted restore leaves the old database.
    """
    if not db_path.parent.is_dir():
        raise BackupError(f"The folder {db_path.parent} of the SQLite database does not exist.")
    try:
        with closing(sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)) as source:
            _check_sqlite(source, backup)
            with closing(sqlite3.connect(db_path, timeout=SQLITE_TIMEOUT)) as target:
                source.backup(target, pages=-1)
    except sqlite3.Error as exc:
        raise BackupError(f"Could not restore {backup} into {db_path}: {exc}") from exc


def _restore_postgresql(backup: Path, database: Mapping[str, Any]) -> None:
    """``pg_restore --clean --if-exists --no-owner --single-transaction`` of ``backup`` into ``database``.

    ``--clean --if-exists`` drops each object of the dump before creating it again,
    so rows added since the backup go too; ``--single-transaction`` makes it all or
    nothing (one error and the database is as it was). Tables created after the
    backup (by a newer migration) are left alone: ``migrate`` after the restore
    sees them as applied or not from the restored ``django_migrations``.
    """
    pg_restore = _client("pg_restore")
    _check_reachable(database)
    _run_pg(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            *_connection_args(database),
            str(backup),
        ],
        database,
        doing="restore into",
    )


# --- PostgreSQL clients ----------------------------------------------------------------


def _client(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        raise BackupError(
            f"{program} is not installed or not on PATH. Install the PostgreSQL client programs "
            "(Debian/Ubuntu: apt install postgresql-client) of the server's major version or newer."
        )
    return found


def _connection_args(database: Mapping[str, Any]) -> list[str]:
    """Host, port, user and database name as pg_dump/pg_restore options; never the password."""
    args = []
    if database.get("HOST"):
        args.append(f"--host={database['HOST']}")
    if database.get("PORT"):
        args.append(f"--port={database['PORT']}")
    if database.get("USER"):
        args.append(f"--username={database['USER']}")
    args.append(f"--dbname={database['NAME']}")
    return args


# libpq's environment variables for the connection options Django passes on (OPTIONS).
_LIBPQ_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def _client_env(database: Mapping[str, Any]) -> dict[str, str]:
    """The environment for pg_dump/pg_restore: the password and SSL options in libpq's variables."""
    env = {**os.environ, "PGCONNECT_TIMEOUT": str(PG_CONNECT_TIMEOUT)}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    for option, variable in _LIBPQ_ENV.items():
        value = (database.get("OPTIONS") or {}).get(option)
        if value is not None:
            env[variable] = str(value)
    return env


def _check_reachable(database: Mapping[str, Any]) -> None:
    """Connect once, so that an unreachable server is named as such rather than as pg_dump's failure."""
    import psycopg

    options = database.get("OPTIONS") or {}
    params = {
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "dbname": database["NAME"],
        "connect_timeout": PG_CONNECT_TIMEOUT,
        **{key: value for key, value in options.items() if key in _LIBPQ_ENV},
    }
    try:
        psycopg.connect(**{key: value for key, value in params.items() if value is not None}).close()
    except psycopg.Error as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BackupError(f"Cannot reach the {describe_database(database)}: {message}") from exc


def _run_pg(argv: list[str], database: Mapping[str, Any], *, doing: str) -> None:
    # The arguments are this module's own options and Django's settings, never user text,
    # and no shell is involved.
    result = subprocess.run(argv, env=_client_env(database), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = result.stderr.strip() or f"exit status {result.returncode}"
        raise BackupError(f"{Path(argv[0]).name} could not {doing} the {describe_database(database)}:\n{detail}")


def _looks_like_sql(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(200)
    return head.lstrip().startswith((b"--", b"SET ", b"CREATE ", b"BEGIN"))
