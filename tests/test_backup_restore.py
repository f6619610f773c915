"""A backup, a wipe and a restore give back every row: SQLite (rows still in the WAL included) and PostgreSQL.

The round trips run the commands as an operator would, in child processes pointed
at a database of their own (``DATABASE_URL``): a SQLite file in the test's temporary
folder, or a PostgreSQL database the test creates and drops. The refusals run the
functions in this process, on small files.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from intel import backup
from intel.backup import PG_CUSTOM_HEADER, SQLITE_HEADER, BackupError
from tests.processes import free_port

PROJECT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}

# Rows in most of the app's tables: articles, sources, companies, mentions and their
# history, feeds and entries, watchlists, alerts and deliveries, users.
SEED = """
from tests.factories import AlertFactory, FeedEntryFactory, MentionFactory
from intel.models import AlertDelivery
for _ in range(4):
    MentionFactory()
for _ in range(3):
    FeedEntryFactory()
for _ in range(2):
    AlertDelivery.objects.create(alert=AlertFactory(), channel="email", status="sent")
"""
WIPED_TABLES = ("intel_mention", "intel_article", "intel_company", "auth_group")
DROPPED_TABLE = "intel_feedentry"


def manage(*args: str | Path, database_url: str, var_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` in a child process on the database at ``database_url``."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "RIVALSCOPE_VAR_DIR": str(var_dir),
        "CELERY_BROKER_URL": "memory://",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *map(str, args)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"manage.py {' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result


def migrate_and_seed(database_url: str, var_dir: Path) -> None:
    manage("migrate", "--noinput", "--skip-checks", database_url=database_url, var_dir=var_dir)
    manage("shell", "-c", SEED, database_url=database_url, var_dir=var_dir)


# --- SQLite ---------------------------------------------------------------------------


def sqlite_counts(path: Path) -> dict[str, int]:
    """Rows per table, as a new reader sees them (committed rows, in the WAL or not)."""
    with closing(sqlite3.connect(path)) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608 - names from sqlite_master


def sqlite_copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated and seeded SQLite database, made once (migrating takes a while) and copied by each test."""
    folder = tmp_path_factory.mktemp("seeded")
    path = folder / "seeded.sqlite3"
    migrate_and_seed(f"sqlite:///{path}", folder / "var")
    return path


@pytest.mark.slow
def test_sqlite_backup_with_rows_in_the_wal_survives_a_wipe_and_restore(seeded_sqlite, tmp_path):
    db = tmp_path / "rivalscope.sqlite3"
    sqlite_copy(seeded_sqlite, db)
    url, var_dir = f"sqlite:///{db}", tmp_path / "var"
    target = tmp_path / "backups" / "nightly.sqlite3"
    target.parent.mkdir()

    # Given: another process's rows committed to the WAL and not checkpointed into
    # the main file, and a write transaction of it still open during the backup.
    writer = sqlite3.connect(db, isolation_level=None, timeout=20)
    try:
        assert writer.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("BEGIN")
        writer.executemany("INSERT INTO auth_group (name) VALUES (?)", [(f"in the WAL {i}",) for i in range(25)])
        writer.execute("COMMIT")
        assert Path(f"{db}-wal").stat().st_size > 0
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO auth_group (name) VALUES ('not committed')")
        expected = sqlite_counts(db)

        # When: backed up while that writer holds its transaction,
        result = manage("backup_database", "--to", target, database_url=url, var_dir=var_dir)
    finally:
        if writer.in_transaction:
            writer.execute("ROLLBACK")
        writer.close()

    # Then: the backup holds what was committed, WAL included, and nothing uncommitted,
    assert "Backed up" in result.stdout
    assert target.read_bytes()[:16] == SQLITE_HEADER
    assert not list(target.parent.glob("*.partial"))
    assert sqlite_counts(target) == expected
    with closing(sqlite3.connect(target)) as copy:
        names = {row[0] for row in copy.execute("SELECT name FROM auth_group")}
    assert {f"in the WAL {i}" for i in range(25)} <= names
    assert "not committed" not in names
    assert expected["intel_mention"] == 4 and expected["intel_feedentry"] == 3

    # and after rows are deleted and a table dropped, a restore gives back every row.
    with closing(sqlite3.connect(db, isolation_level=None)) as wipe:
        wipe.execute("PRAGMA foreign_keys=OFF")
        for table in WIPED_TABLES:
            wipe.execute(f'DELETE FROM "{table}"')  # noqa: S608 - this file's own table names
        wipe.execute(f'DROP TABLE "{DROPPED_TABLE}"')
    assert sqlite_counts(db) != expected

    result = manage("restore_database", "--from", target, "--yes", database_url=url, var_dir=var_dir)

    assert "Restored" in result.stdout
    assert sqlite_counts(db) == expected
    with closing(sqlite3.connect(db)) as restored:
        assert restored.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert restored.execute("PRAGMA foreign_key_check").fetchall() == []


def _tiny_sqlite(path: Path, rows: int = 1) -> Path:
    """A small SQLite database that passes for a Django one (it has django_migrations)."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT, name TEXT, applied TEXT)")
        db.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
        db.executemany("INSERT INTO things (id) VALUES (?)", [(i,) for i in range(rows)])
        db.commit()
    return path


def _sqlite_settings(path: Path) -> dict[str, str]:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def test_an_existing_backup_is_refused_without_force_and_replaced_with_it(tmp_path):
    database = _sqlite_settings(_tiny_sqlite(tmp_path / "live.sqlite3", rows=3))
    target = tmp_path / "backup.sqlite3"
    target.write_bytes(b"an older backup")

    with pytest.raises(BackupError, match="already exists; pass --force"):
        backup.backup_database(to=target, database=database)
    assert target.read_bytes() == b"an older backup"

    assert backup.backup_database(to=target, force=True, database=database) == target
    assert sqlite_counts(target)["things"] == 3
    assert not list(tmp_path.glob("*.partial"))


def test_a_folder_as_target_gets_a_dated_file(tmp_path):
    database = _sqlite_settings(_tiny_sqlite(tmp_path / "live.sqlite3"))
    folder = tmp_path / "nightly"
    folder.mkdir()

    written = backup.backup_database(to=folder, database=database)

    assert written.parent == folder
    assert written.name.startswith("rivalscope-") and written.suffix == ".sqlite3"


def test_a_failed_backup_leaves_no_file_under_the_name(tmp_path, monkeypatch):
    database = _sqlite_settings(_tiny_sqlite(tmp_path / "live.sqlite3"))
    target = tmp_path / "out" / "backup.sqlite3"
    target.parent.mkdir()

    def half_written(db_path: Path, out: Path) -> None:
        out.write_bytes(SQLITE_HEADER + b"half a database")
        raise BackupError("disk full")

    monkeypatch.setattr(backup, "_backup_sqlite", half_written)
    with pytest.raises(BackupError, match="disk full"):
        backup.backup_database(to=target, database=database)

    assert list(target.parent.iterdir()) == []


def test_a_missing_target_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="does not exist; create it first"):
        call_command("backup_database", "--to", str(tmp_path / "no such folder" / "backup"))


def test_restore_refuses_a_backup_of_the_other_kind_and_touches_nothing(tmp_path):
    live = _tiny_sqlite(tmp_path / "live.sqlite3", rows=2)
    before = live.read_bytes()
    dump = tmp_path / "rivalscope.dump"
    dump.write_bytes(PG_CUSTOM_HEADER + b"\x01\x0e\x00" + b"\x00" * 100)

    with pytest.raises(BackupError, match=r"is a PostgreSQL dump .* but the configured database is SQLite"):
        backup.restore_database(source=dump, database=_sqlite_settings(live))
    assert live.read_bytes() == before

    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "rivalscope", "HOST": "127.0.0.1", "PORT": 5432}
    with pytest.raises(BackupError, match="is a SQLite database, but the configured database is PostgreSQL"):
        backup.restore_database(source=live, database=postgres)


def test_restore_refuses_a_file_that_is_no_backup(tmp_path):
    database = _sqlite_settings(_tiny_sqlite(tmp_path / "live.sqlite3"))
    plain_sql = tmp_path / "dump.sql"
    plain_sql.write_text("-- PostgreSQL database dump\nCREATE TABLE x (id int);\n")
    text = tmp_path / "notes.txt"
    text.write_text("hello")

    with pytest.raises(BackupError, match=r"not a backup made by backup_database.*plain SQL dump"):
        backup.restore_database(source=plain_sql, database=database)
    with pytest.raises(BackupError, match="not a backup made by backup_database"):
        backup.restore_database(source=text, database=database)
    with pytest.raises(BackupError, match="does not exist"):
        backup.restore_database(source=tmp_path / "missing.sqlite3", database=database)


def test_restore_refuses_a_sqlite_file_that_is_not_a_rivalscope_database(tmp_path):
    live = _tiny_sqlite(tmp_path / "live.sqlite3", rows=2)
    stranger = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(stranger)) as db:
        db.execute("CREATE TABLE other (id INTEGER)")

    with pytest.raises(BackupError, match="not a rivalscope database"):
        backup.restore_database(source=stranger, database=_sqlite_settings(live))
    assert sqlite_counts(live)["things"] == 2


def test_restore_asks_first_and_no_changes_nothing(tmp_path, monkeypatch):
    on_sqlite = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    candidate = tmp_path / "backup"
    candidate.write_bytes((SQLITE_HEADER if on_sqlite else PG_CUSTOM_HEADER) + b"\x00" * 100)
    questions = []
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or "no")
    restored = []
    monkeypatch.setattr(
        "intel.management.commands.restore_database.restore_database", lambda **kwargs: restored.append(kwargs)
    )

    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("restore_database", "--from", str(candidate))

    assert len(questions) == 1 and "Replace everything" in questions[0]
    assert restored == []


def test_a_missing_pg_dump_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda program: None)
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "rivalscope", "HOST": "127.0.0.1", "PORT": 5432}

    with pytest.raises(BackupError, match="pg_dump is not installed"):
        backup.backup_database(to=tmp_path / "x.dump", database=postgres)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_an_unreachable_postgres_is_named(tmp_path):
    postgres = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "rivalscope",
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": free_port(),  # nothing listens there
    }

    with pytest.raises(BackupError, match=r"Cannot reach the PostgreSQL database rivalscope on 127\.0\.0\.1"):
        backup.backup_database(to=tmp_path / "x.dump", database=postgres)
    assert list(tmp_path.iterdir()) == []


# --- PostgreSQL -----------------------------------------------------------------------


def _postgres_or_skip():
    """An autocommit connection to the server's ``postgres`` database, or a skip saying why not."""
    for program in ("pg_dump", "pg_restore"):
        if shutil.which(program) is None:
            pytest.skip(f"{program} is not installed (apt install postgresql-client)")
    import psycopg

    try:
        return psycopg.connect(**PG, dbname="postgres", autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL does not answer at 127.0.0.1:5432 as postgres (trust auth): {exc}")


def pg_counts(name: str) -> dict[str, int]:
    import psycopg
    from psycopg import sql

    with psycopg.connect(**PG, dbname=name, autocommit=True) as db:
        tables = [
            row[0] for row in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        ]
        return {
            table: db.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            for table in tables
        }


@pytest.mark.slow
def test_postgres_backup_survives_a_wipe_and_restore(tmp_path):
    from psycopg import sql

    server = _postgres_or_skip()
    name = f"rivalscope_backup_{secrets.token_hex(4)}"
    server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url, var_dir = f"postgres://postgres@127.0.0.1:5432/{name}", tmp_path / "var"
        migrate_and_seed(url, var_dir)
        expected = pg_counts(name)
        assert expected["intel_mention"] == 4 and expected["intel_feedentry"] == 3
        target = tmp_path / "rivalscope.dump"

        # When: backed up,
        result = manage("backup_database", "--to", target, database_url=url, var_dir=var_dir)

        # then wiped: rows deleted and a table dropped,
        assert "Backed up" in result.stdout
        assert target.read_bytes()[:5] == PG_CUSTOM_HEADER
        import psycopg

        with psycopg.connect(**PG, dbname=name, autocommit=True) as db:
            tables = sql.SQL(", ").join(sql.Identifier(table) for table in WIPED_TABLES)
            db.execute(sql.SQL("TRUNCATE {} CASCADE").format(tables))
            db.execute(sql.SQL("DROP TABLE {} CASCADE").format(sql.Identifier(DROPPED_TABLE)))
        assert pg_counts(name) != expected

        # and restored: every table has its rows again.
        result = manage("restore_database", "--from", target, "--yes", database_url=url, var_dir=var_dir)

        assert "Restored" in result.stdout
        assert pg_counts(name) == expected
        # The sequences came back too: a new row takes a fresh key.
        manage(
            "shell",
            "-c",
            "from tests.factories import CompanyFactory; CompanyFactory()",
            database_url=url,
            var_dir=var_dir,
        )
        assert pg_counts(name)["intel_company"] == expected["intel_company"] + 1
    finally:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        server.close()
