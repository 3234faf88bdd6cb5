"""Benchmark: similar earlier findings over 100,000 findings (issue 23).

    .venv/bin/python benchmarks/similarity.py                                      # SQLite
    .venv/bin/python benchmarks/similarity.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/sgreviews_bench_sim

Builds a fresh database (an SQLite file under /tmp unless --database-url is given; that
database is emptied) with ``sgreviews db upgrade``, then inserts ``--findings`` fictional
findings (default 100,000, the xl scale's count) in 20,000 reviews of 450 partnerships,
each tagged with one to three themes. The texts are composed from phrase banks of
practice-review language (who, what went wrong, about what, when), so many findings share
common words and the postings lists are long, as in a real register.

Then, in one process as a web worker would run it:

- the cold start: the first suggestion builds the TF-IDF index from every finding;
- ``--queries`` reworded findings (a sentence of the corpus with synonyms swapped in) asked
  as the page asks them, for the secretariat (one partnership) and for a national chair
  (every partnership): p50 and p95 of ``similar.suggestions`` plus ``decided_links``,
  which is the whole of the page's data;
- the steady state after one finding is edited (the index is patched, not rebuilt);
- the index's memory (the process's resident memory before and after the build);
- the recurrence figures of the dashboard (recurring themes, national-theme counts), for
  one partnership and for all.

Timings use ``time.perf_counter``; the machine is shared, so the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SGREVIEWS = str(Path(sys.executable).parent / "sgreviews")

WHO = [
    "Practitioners", "Professionals", "The social worker", "Health visitors",
    "Police officers", "School staff", "The GP practice", "Agencies", "Midwives",
    "The duty team", "The early help worker", "Hospital staff", "Probation staff",
    "Housing officers", "The school nurse", "Youth workers", "Ambulance crews",
]  # fmt: skip
WHAT = [
    "did not test {person}'s account against {their} history",
    "accepted {person}'s explanation of {topic} at face value",
    "did not share information about {topic} with {agency}",
    "never saw or assessed the {relative} although he lived in the home",
    "did not escalate concerns about {topic} when {agency} disagreed",
    "closed the referral about {topic} without speaking to {person}",
    "did not record the voice of {person} about {topic}",
    "did not put together a chronology of {topic}",
    "missed that {person} was not brought to appointments",
    "treated {topic} as a lifestyle choice",
    "did not consider the impact of {topic} on {person}",
    "held no strategy discussion after {topic} was disclosed",
    "lost track of {person} when the family moved area",
    "relied on self-report about {topic} from the {relative}",
    "did not check whether {agency} knew about {topic}",
    "assessed {topic} as low risk without seeing the home",
]
TOPIC = [
    "domestic abuse", "neglect", "missing episodes", "school attendance", "self-harm",
    "alcohol misuse", "drug use", "poor housing", "debt", "online contact with adults",
    "criminal exploitation", "bruising", "weight loss", "mental ill health",
    "coercive control", "hoarding", "unexplained injuries", "safe sleep", "county lines",
    "sexual exploitation", "home education", "a previous child protection plan",
]  # fmt: skip
PERSON = ["the child", "the young person", "the teenager", "the baby", "the adult", "the mother"]
RELATIVE = ["father", "stepfather", "mother's partner", "grandfather", "uncle", "lodger"]
AGENCY = [
    "children's social care", "the police", "the school", "health visiting", "the GP",
    "adult social care", "the mental health trust", "housing", "probation", "CAMHS",
]  # fmt: skip
WHEN = [
    "during the pre-birth assessment", "after the child moved schools",
    "over eighteen months", "at the child protection conference", "after the disclosure",
    "at discharge from hospital", "during lockdown", "when the case was stepped down",
    "before the incident", "at the transfer between teams",
]  # fmt: skip
SYNONYMS = {
    "Practitioners": "Staff",
    "Professionals": "Workers",
    "did not": "failed to",
    "never": "at no point",
    "information": "details",
    "concerns": "worries",
    "accepted": "took",
    "assessed": "judged",
    "history": "past",
}


def compose(rng: random.Random) -> str:
    what = rng.choice(WHAT).format(
        person=rng.choice(PERSON),
        their=rng.choice(["her", "his", "their"]),
        topic=rng.choice(TOPIC),
        agency=rng.choice(AGENCY),
        relative=rng.choice(RELATIVE),
    )
    return f"{rng.choice(WHO)} {what} {rng.choice(WHEN)}."


def reword(text: str) -> str:
    for old, new in SYNONYMS.items():
        text = text.replace(old, new)
    return text


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


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def fresh(database_url: str | None) -> str:
    if database_url is None:
        path = Path("/tmp/sgreviews-bench-similarity.db")
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return database_url


def timed(function: Callable[[], Any], times: int) -> tuple[float, float]:
    """p50 and p95 of ``times`` calls, in milliseconds."""
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(int(len(samples) * 0.95) - 1, 0)]


def populate(findings: int, rng: random.Random) -> None:
    from sgreviews.clock import utcnow
    from sgreviews.extensions import db
    from sgreviews.models import Finding, Partnership, Review, Theme
    from sgreviews.models.finding import finding_theme
    from sgreviews.services.sqlparts import insert_rows
    from sgreviews.services.themes import sync_themes
    from sgreviews.settings import PROJECT_ROOT

    themes = [theme for theme in sync_themes(PROJECT_ROOT / "config" / "themes.toml").values()]
    leaf_ids = [theme.id for theme in themes if theme.parent_id is not None]
    partnerships = 450
    reviews = 20_000
    insert_rows(
        Partnership.__table__,
        {
            "name": [f"Benchshire Partnership {n}" for n in range(partnerships)],
            "short_name": [f"BP{n}" for n in range(partnerships)],
        },
        {"kind": "children"},
    )
    partnership_ids = sorted(db.session.scalars(db.select(Partnership.id)))
    start = date(2017, 4, 1)
    insert_rows(
        Review.__table__,
        {
            "partnership_id": [partnership_ids[n % partnerships] for n in range(reviews)],
            "reference": [f"LCSPR-{n:05d}" for n in range(reviews)],
            "subject_label": [f"Child {chr(65 + n % 26)}" for n in range(reviews)],
            "started_on": [start + timedelta(days=n % 3000) for n in range(reviews)],
        },
        {
            "review_type": "lcspr",
            "subject_kind": "child",
            "stage": "in_progress",
            "created_at": utcnow(),
            "updated_at": utcnow(),
            "version": 1,
        },
    )
    review_ids = sorted(db.session.scalars(db.select(Review.id)))
    moment = utcnow() - timedelta(days=1)
    for first in range(0, findings, 20_000):
        count = min(20_000, findings - first)
        insert_rows(
            Finding.__table__,
            {
                "review_id": [review_ids[(first + n) % reviews] for n in range(count)],
                "position": [(first + n) // reviews + 1 for n in range(count)],
                "text": [compose(rng) for _ in range(count)],
            },
            {"kind": "learning_point", "created_at": moment, "updated_at": moment, "version": 1},
        )
    finding_ids = sorted(db.session.scalars(db.select(Finding.id)))
    pairs = {(fid, rng.choice(leaf_ids)) for fid in finding_ids for _ in range(rng.randint(1, 3))}
    ordered = sorted(pairs)
    for first in range(0, len(ordered), 50_000):
        chunk = ordered[first : first + 50_000]
        insert_rows(
            finding_theme,
            {"finding_id": [a for a, _b in chunk], "theme_id": [b for _a, b in chunk]},
        )
    db.session.commit()
    _ = Theme


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="keep a database filled before")
    parser.add_argument("--profile", action="store_true", help="print a profile of the queries")
    args = parser.parse_args()

    if args.reuse:
        database_url = args.database_url or "sqlite:////tmp/sgreviews-bench-similarity.db"
    else:
        database_url = fresh(args.database_url)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SGREVIEWS_ENV": "development",
        "SECRET_KEY": "benchmark-only-secret-key",
    }
    subprocess.run([SGREVIEWS, "db", "upgrade"], env=env, check=True, capture_output=True)
    os.environ.update(env)

    from sgreviews import create_app

    app = create_app()
    print(f"machine: {machine()}")
    print(f"database: {database_url.split('@')[-1]}; findings: {args.findings:,}")
    rng = random.Random(23)
    with app.app_context():
        from sgreviews.extensions import db
        from sgreviews.models import Finding, Partnership, Review, Role, SubjectKind, User
        from sgreviews.services.accounts import users
        from sgreviews.services.actions.tallies import rebuild_action_tallies
        from sgreviews.services.dashboard.filters import Filters
        from sgreviews.services.learning import recurrence, similar
        from sgreviews.services.learning import tables as learning_tables
        from sgreviews.services.periods import BusinessYear

        started = time.perf_counter()
        if not args.reuse:
            populate(args.findings, rng)
            # The generator's way: a bulk insert bypasses the tally hooks, so recount.
            rebuild_action_tallies(db.session.connection())
            db.session.commit()
        print(f"populated in {time.perf_counter() - started:.1f} s; load {load()}")
        for made in db.session.scalars(
            db.select(User).where(User.email.like("bench-%@bench.example"))
        ):
            db.session.delete(made)
        db.session.execute(db.delete(Review).where(Review.reference == "LCSPR-BENCH"))
        db.session.commit()

        secretariat = users.create_user(
            email="bench-secretariat@bench.example",
            display_name="Bench Secretariat",
            role=Role.SECRETARIAT,
            password="benchmark password only",
        )
        chair = users.create_user(
            email="bench-chair@bench.example",
            display_name="Bench Chair",
            role=Role.CHAIR,
            password="benchmark password only",
        )
        partnership = db.session.scalars(db.select(Partnership).order_by(Partnership.id)).first()
        assert partnership is not None
        review = Review(
            partnership=partnership,
            reference="LCSPR-BENCH",
            review_type="lcspr",
            subject_label="Child Q",
            subject_kind=SubjectKind.CHILD,
            stage="in_progress",
            started_on=date(2025, 6, 1),
        )
        db.session.add(review)
        db.session.commit()
        texts = list(db.session.scalars(db.select(Finding.text).limit(5000)))
        queries = [reword(rng.choice(texts)) for _ in range(args.queries)]

        before = rss_mib()
        started = time.perf_counter()
        similar.suggestions(secretariat, queries[0], review)
        build = time.perf_counter() - started
        after = rss_mib()
        print(f"cold start (index built from every finding): {build:.2f} s")
        print(f"resident memory: {before:.0f} MiB before, {after:.0f} MiB after the build")

        cursor = iter(queries * 3)

        def page(user: Any) -> Callable[[], None]:
            def ask() -> None:
                similar.suggestions(user, next(cursor), review)

            return ask

        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(timed, page(secretariat), 10)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        p50, p95 = timed(page(secretariat), args.queries)
        print(f"suggestions, one partnership (secretariat): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
        p50, p95 = timed(page(chair), args.queries)
        print(
            f"suggestions, every partnership (national chair): p50 {p50:.1f} ms, p95 {p95:.1f} ms"
        )

        edited = db.session.scalars(db.select(Finding).limit(1)).one()
        edited.text = reword(edited.text) + " Edited."
        db.session.commit()
        started = time.perf_counter()
        similar.suggestions(secretariat, queries[1], review)
        patched_ms = (time.perf_counter() - started) * 1000
        print(f"first suggestions after an edit (index patched): {patched_ms:.1f} ms")

        year = BusinessYear(2024)
        for label, partnership_id in (("one partnership", partnership.id), ("all", None)):
            filters = Filters(year=year, partnership_id=partnership_id)
            p50, p95 = timed(lambda p=partnership_id: recurrence.recurring_themes(year, p), 5)
            print(f"recurring themes, {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
            p50, p95 = timed(lambda f=filters: learning_tables.national_themes(f, {}), 5)
            print(f"national-theme counts, {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
        print(f"load {load()}")


if __name__ == "__main__":
    main()
