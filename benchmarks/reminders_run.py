"""Benchmark: a reminder run over generated data.

    .venv/bin/python benchmarks/reminders_run.py --scale xl
    .venv/bin/python benchmarks/reminders_run.py --scale xl \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/sgreviews_bench

Builds a fresh database (an SQLite file under /tmp unless --database-url is given; that
database is emptied), fills it with ``sgreviews demo generate --scale S``, then times, each
in a process of its own so the peak resident memory belongs to that step alone:

1. the first run: every open action is new to the ledger, so this is the worst case (a
   catch-up over the whole data set);
2. the next day's run: the steady state of a daily scheduler.

Runs use ``--no-send`` (delivery is SMTP-bound, not part of the run). Prints a Markdown
table row per step, with the machine, for docs/performance-history.md: wall time, the step's own
CPU time (user + system of that process: on a shared machine it moves far less with the
load than the wall time; a PostgreSQL server's work is not in it) and peak memory.

``--reuse`` keeps the generated data of an earlier run and empties the reminder tables
(ledger, notifications, outbox) instead, so the first run can be measured again without
generating anew.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from sgreviews.clock import london_today

ROOT = Path(__file__).resolve().parent.parent
SGREVIEWS = str(Path(sys.executable).parent / "sgreviews")


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory_kb = int(line.split()[1])
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory_kb / 1024 / 1024:.1f} GiB memory, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def fresh(database_url: str | None, scale: str) -> str:
    if database_url is None:
        path = Path(f"/tmp/sgreviews-bench-{scale}.db")
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return database_url


def step(env: dict[str, str], *args: str) -> dict[str, float]:
    """Run one sgreviews command in a child process: its wall time, and its own peak
    resident memory (from wait4's rusage of that child alone)."""
    started = time.perf_counter()
    with subprocess.Popen(
        [SGREVIEWS, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    ) as child:
        assert child.stdout is not None
        output = child.stdout.read().decode()
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{output}")
    lines = output.strip().splitlines()
    print(lines[0] if lines else "", flush=True)
    return {
        "seconds": elapsed,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_mib": usage.ru_maxrss / 1024,
    }


def empty_reminder_tables(url: str) -> None:
    """Back to the state before any reminder run (the generated data kept)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        for table in ("notification", "outbox_message", "reminder_ledger", "job_lock"):
            connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["s", "l", "xl"], default="xl")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--today", default=london_today().isoformat())
    parser.add_argument(
        "--reuse", action="store_true", help="keep the generated data; empty the reminder tables"
    )
    options = parser.parse_args()
    if options.reuse:
        url = options.database_url or f"sqlite:////tmp/sgreviews-bench-{options.scale}.db"
        empty_reminder_tables(url)
    else:
        url = fresh(options.database_url, options.scale)
    env = dict(os.environ)
    env.update(
        {
            "SGREVIEWS_ENV": "development",
            "SGREVIEWS_INSTANCE_PATH": f"/tmp/sgreviews-bench-instance-{options.scale}",
            "DATABASE_URL": url,
            "FLASK_APP": "sgreviews",
        }
    )
    today = date.fromisoformat(options.today)
    results = {"upgrade": step(env, "db", "upgrade")}
    if not options.reuse:
        results["generate"] = step(env, "demo", "generate", "--scale", options.scale)
    results |= {
        "first_run": step(env, "reminders", "run", "--no-send", "--today", today.isoformat()),
        "next_day_run": step(
            env,
            "reminders",
            "run",
            "--no-send",
            "--today",
            (today + timedelta(days=1)).isoformat(),
        ),
    }
    backend = url.split(":", 1)[0]
    print(json.dumps({"scale": options.scale, "backend": backend, **results}, indent=2))
    print()
    print(f"Machine: {machine()}")
    print(f"Load average after: {Path('/proc/loadavg').read_text().split()[:3]}")
    for name, values in results.items():
        print(f"| {options.scale} | {backend} | {name} | {values['seconds']:.1f} s | "
              f"{values['cpu_seconds']:.1f} s | {values['peak_mib']:.0f} MiB |")  # fmt: skip


if __name__ == "__main__":
    main()
