"""Ingestion's CPU per article, an older commit's pipeline against the working tree's, in one process.

The per-core figure of ``bench/ingest.py`` moves by 10–15% between runs on a shared
machine, more than most single changes to the pipeline. Here both pipelines run in
the same process on the same database: ``intel/ingest`` of the older commit is
extracted with ``git archive`` and imported as ``intel_ingest_old`` (the models and
everything outside ``intel/ingest`` are the working tree's), and batches of the two
alternate old, new, new, old, so both see the same machine state and the same
growing tables. CPU is read per batch for this process (``process_time``) and for
its PostgreSQL backend (``/proc/<pid>/schedstat``, in nanoseconds). Each side's
first batch runs untimed, then planner statistics are gathered (as in
``bench/ingest.py``). An A/A run (the same commit on both sides) shows the noise
of the method: about 1% in total CPU.

    python bench/ingest_ab.py OLD_COMMIT [--articles 3000] [--batch 50] [--companies 10000]
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import ingest as bench  # noqa: E402 - bench/ingest.py sets the environment up (its database, DEBUG off)


def backend_cpu(pid: int) -> float:
    """CPU seconds of a process on this host, to the nanosecond (the backend runs here)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def extract(commit: str, into: Path) -> None:
    """``intel/ingest`` of ``commit`` as the package ``intel_ingest_old`` under ``into``."""
    command = ["git", "-C", str(ROOT), "archive", commit, "intel/ingest"]
    archive = subprocess.run(command, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    (into / "intel" / "ingest").rename(into / "intel_ingest_old")


def run(commit: str, articles: int, batch: int, companies: int) -> None:
    import django

    with tempfile.TemporaryDirectory() as tmp:
        extract(commit, Path(tmp))
        sys.path.insert(0, tmp)
        bench.reset_database()
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        rng = random.Random(7)
        names = bench.company_names(companies, rng)
        bench.load_companies(names)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE intel_company, intel_companyalias")
        texts = iter([bench.article(i, names, rng) for i in range(2 * (articles + batch))])
        sides = {}
        for name, package in (("old", "intel_ingest_old"), ("new", "intel.ingest")):
            pipeline = importlib.import_module(f"{package}.pipeline")
            make_input = importlib.import_module(f"{package}.context").IngestInput
            sides[name] = (pipeline.ingest_articles, make_input)

        def next_batch(name: str) -> list:
            make_input = sides[name][1]
            return [make_input(text=next(texts), published="2018-07", source="Bench Wire") for _ in range(batch)]

        for name, (ingest, _) in sides.items():
            ingest(next_batch(name))  # loads spaCy, builds the gazetteer: once a process
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        totals = {name: [0.0, 0.0, 0] for name in sides}  # client s, server s, articles
        order = ("old", "new", "new", "old")
        turn = 0
        while min(done for _, _, done in totals.values()) < articles:
            name = order[turn % len(order)]
            turn += 1
            if totals[name][2] >= articles:
                continue
            items = next_batch(name)
            client, server = time.process_time(), backend_cpu(backend)
            sides[name][0](items)
            totals[name][0] += time.process_time() - client
            totals[name][1] += backend_cpu(backend) - server
            totals[name][2] += len(items)
        sys.path.remove(tmp)
    for name, (client, server, done) in totals.items():
        print(
            f"  {name} ({commit if name == 'old' else 'working tree'}): client {client / done * 1000:.3f} ms + "
            f"PostgreSQL {server / done * 1000:.3f} ms an article = {done / (client + server):.0f} articles/s per core"
        )
    (old_client, old_server, _), (new_client, new_server, _) = totals["old"], totals["new"]
    print(
        f"  new / old CPU: total {(new_client + new_server) / (old_client + old_server):.3f}, "
        f"client {new_client / old_client:.3f}, PostgreSQL {new_server / old_server:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("commit", help="The older commit (anything git names: a hash, HEAD~3, a tag).")
    parser.add_argument("--articles", type=int, default=3000, help="Articles per side.")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--companies", type=int, default=10_000)
    args = parser.parse_args()
    os.chdir(ROOT)
    print(f"bench/ingest_ab.py: {args.articles} articles a side, batches of {args.batch}, one process")
    run(args.commit, args.articles, args.batch, args.companies)


if __name__ == "__main__":
    main()
