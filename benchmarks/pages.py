"""Benchmark: page latency and SQL queries per page over generated data.

    .venv/bin/python benchmarks/pages.py --scale l                                  # SQLite
    .venv/bin/python benchmarks/pages.py --scale l \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/sgreviews_bench_l
    .venv/bin/python benchmarks/pages.py --scale l --reuse --requests 100           # no rebuild
    .venv/bin/python benchmarks/pages.py --scale l --reuse --gunicorn               # via gunicorn

Builds a fresh database (an SQLite file under /tmp unless --database-url is given; that
database is emptied) with ``sgreviews db upgrade`` and ``sgreviews demo generate --scale S``
(``--reuse`` keeps a database an earlier run filled). The generator makes no briefings, so
the script publishes a fixed number of briefings from generated reviews (the same number
at every scale, so the library grows only by what the generator adds).

The app is built in this process as a deployment would run it, except for two-factor
authentication: ``SGREVIEWS_ENV=development`` with ``SGREVIEWS_TWO_FACTOR=off`` (production
refuses two-factor off, and the generated users have no second factor), a SECRET_KEY set,
debug off, TESTING off, CSRF on (the sign-in form's token is read from the page). Requests
go through Flask's test client: the full WSGI stack, templates and database, without a
socket or a gunicorn worker in front. With ``--gunicorn`` the pages are timed through gunicorn
(``config/gunicorn.conf.py``, ``--workers`` workers) on a loopback port with urllib (queries
still counted through the test client), then the briefing page's throughput is compared
with the floor's (``--throughput-clients`` closed-loop clients for ``--throughput-seconds``
in all, the two pages alternating over ``--throughput-rounds`` rounds) and each worker's
resident memory is read from /proc.

The floor is ``/benchmark/floor``: a bare page served by the same stack (session, sign-in
check, security headers; no template, no query of its own), switched on for this run only
with ``SGREVIEWS_BENCHMARK_FLOOR_BYTES`` set to the size of the briefing page (measured
first; ``--floor-bytes`` overrides). ``/health`` is timed as well, as before.

For each page, as the user who would open it, the script makes a few untimed warm-up
requests, then N timed requests one after another (a single user), and reports p50 and p95
latency (fewer than N requests when a page takes longer than ``--page-seconds`` in all, at
least 5; the start-up heap is frozen first, as the gunicorn workers do) and the SQL
statements per request (counted with a ``before_cursor_execute`` listener; the minimum and
maximum over the N requests, which should be equal). The load average is read before and
after each page, because the machine is shared.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sgreviews.clock import london_today

ROOT = Path(__file__).resolve().parent.parent
SGREVIEWS = str(Path(sys.executable).parent / "sgreviews")
BRIEFINGS = 12  # published by this script at every scale
SEARCH = "strategy"


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


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def fresh(database_url: str | None, scale: str) -> str:
    if database_url is None:
        path = Path(f"/tmp/sgreviews-bench-pages-{scale}.db")
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if database_url.startswith("sqlite:///"):
        # An SQLite file named on the command line: start it afresh, as the default one.
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return database_url
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return database_url


def run(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    result = subprocess.run([SGREVIEWS, *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    elapsed = time.perf_counter() - started
    last = result.stdout.strip().splitlines()
    print(last[-1] if last else " ".join(args), flush=True)
    return elapsed


def publish_briefings(count: int) -> None:
    """Publish ``count`` briefings drafted from generated reviews (the generator makes
    none), as the secretariat would; reviews whose draft cannot be published are skipped."""
    from sqlalchemy import func, select

    from sgreviews.extensions import db
    from sgreviews.models import Briefing, BriefingKind, Review, Role, User
    from sgreviews.services.briefings import errors as briefing_errors
    from sgreviews.services.briefings import workflow as briefing_workflow

    if db.session.scalar(select(func.count()).select_from(Briefing)):
        return
    author = db.session.scalars(select(User).where(User.role == Role.SECRETARIAT)).first()
    assert author is not None
    total = db.session.scalar(select(func.count()).select_from(Review)) or 0
    step = max(total // count, 1)
    made = 0
    for review_id in range(1, total + 1, step):
        review = db.session.get(Review, review_id)
        if review is None or made >= count:
            continue
        briefing = briefing_workflow.create_from_review(
            actor=author,
            review=review,
            kind=BriefingKind.SEVEN_MINUTE,
            review_by=london_today() + timedelta(days=300),
        )
        version = briefing.latest
        version.sections = {
            **{key: value or f"Generated text for {key}: strategy discussion learning."
               for key, value in version.sections.items()},
        }  # fmt: skip
        briefing_workflow.submit_for_review(briefing, actor=author)
        try:
            briefing_workflow.publish(briefing, actor=author)
        except briefing_errors.BriefingError as error:
            print(f"briefing from review {review_id} not published: {error}", flush=True)
            continue
        made += 1
    db.session.commit()
    print(f"{made} briefings published", flush=True)


@dataclass
class PageResult:
    page: str
    path: str
    role: str
    timings_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    bytes: int = 0
    load_before: str = ""
    load_after: str = ""

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.timings_ms)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
        return {
            "page": self.page,
            "path": self.path,
            "role": self.role,
            "requests": len(ordered),
            "p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(p95, 1),
            "queries_min": min(self.queries),
            "queries_max": max(self.queries),
            "kib": round(self.bytes / 1024, 1),
            "load": f"{self.load_before} → {self.load_after}",
        }


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def sign_in(client: Any, email: str, password: str) -> None:
    page = client.get("/sign-in")
    match = CSRF.search(page.get_data(as_text=True))
    assert match, "no CSRF token on the sign-in page"
    response = client.post(
        "/sign-in",
        data={"csrf_token": match.group(1), "email": email, "password": password},
    )
    assert response.status_code == 302, f"sign-in as {email} failed: {response.status_code}"


class HttpClient:
    """A signed-in browser stand-in for the gunicorn run: urllib with a cookie jar."""

    def __init__(self, base: str) -> None:
        import http.cookiejar
        import urllib.request

        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, bytes]:
        with self.opener.open(self.base + path, timeout=300) as response:
            return int(response.status), response.read()

    def sign_in(self, email: str, password: str) -> None:
        import urllib.parse

        _status, page = self.get("/sign-in")
        match = CSRF.search(page.decode())
        assert match, "no CSRF token on the sign-in page"
        data = urllib.parse.urlencode(
            {"csrf_token": match.group(1), "email": email, "password": password}
        ).encode()
        with self.opener.open(self.base + "/sign-in", data=data, timeout=60) as response:
            assert "/sign-in" not in response.url, f"sign-in as {email} failed"


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    import urllib.request

    server_env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py"],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /health")


def worker_rss_mib(master: int) -> list[float]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for child in children:
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmRSS"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def throughput(client: HttpClient, path: str, seconds: float, threads: int) -> float:
    """Requests per second completed by ``threads`` clients in a closed loop."""
    import threading

    done = [0] * threads
    deadline = time.perf_counter() + seconds

    def loop(index: int) -> None:
        while time.perf_counter() < deadline:
            status, _body = client.get(path)
            assert status == 200
            done[index] += 1

    workers = [threading.Thread(target=loop, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["s", "l", "xl"], default="l")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warm-up", type=int, default=3)
    parser.add_argument(
        "--page-seconds",
        type=float,
        default=60.0,
        help="stop a page's timed requests after this long (at least 5 requests are made)",
    )
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    parser.add_argument("--only", default="", help="comma-separated page names to measure")
    parser.add_argument(
        "--gunicorn",
        action="store_true",
        help="time the pages through gunicorn (config/gunicorn.conf.py) on a loopback port; "
        "queries are still counted in this process through the test client",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--throughput-seconds", type=float, default=30.0)
    parser.add_argument("--throughput-clients", type=int, default=4)
    parser.add_argument(
        "--throughput-rounds",
        type=int,
        default=5,
        help="alternate floor and briefing this many times (the seconds are shared out)",
    )
    parser.add_argument(
        "--floor-bytes",
        type=int,
        default=0,
        help="size of the floor page (default: the size of the briefing page)",
    )
    options = parser.parse_args()

    if options.reuse:
        url = options.database_url or f"sqlite:////tmp/sgreviews-bench-pages-{options.scale}.db"
    else:
        url = fresh(options.database_url, options.scale)
    instance = f"/tmp/sgreviews-bench-pages-instance-{options.scale}"
    env = dict(os.environ)
    env.update(
        {
            "SGREVIEWS_ENV": "development",
            "SGREVIEWS_TWO_FACTOR": "off",
            "SGREVIEWS_SIGN_IN_RATE_LIMIT": "off",
            "SECRET_KEY": "benchmark-secret-key-not-used-anywhere-else-0123456789",
            "SGREVIEWS_INSTANCE_PATH": instance,
            "DATABASE_URL": url,
            "FLASK_APP": "sgreviews",
            "FLASK_DEBUG": "0",
        }
    )
    setup: dict[str, float] = {}
    if not options.reuse:
        setup["upgrade_s"] = run(env, "db", "upgrade")
        setup["generate_s"] = run(env, "demo", "generate", "--scale", options.scale)
    os.environ.update(env)

    from sqlalchemy import event, func, select

    from sgreviews import create_app
    from sgreviews.extensions import db
    from sgreviews.models import Briefing, Review, Role, User
    from sgreviews.services.demo.generate import GENERATED_PASSWORD

    app = create_app()
    assert not app.debug and not app.testing
    with app.app_context():
        publish_briefings(BRIEFINGS)
        reviews = db.session.scalar(select(func.count()).select_from(Review)) or 0
        review_id = max(reviews // 2, 1)
        briefing_id = db.session.scalar(select(func.min(Briefing.id)))
        emails = {
            role: db.session.scalars(
                select(User.email).where(User.role == role).order_by(User.id)
            ).first()
            for role in (Role.CHAIR, Role.SECRETARIAT, Role.AGENCY_LEAD, Role.ADMINISTRATOR)
        }
    # The floor page, sized to the briefing page as the agency lead sees it.
    floor_bytes = options.floor_bytes
    if not floor_bytes:
        probe = app.test_client()
        sign_in(probe, emails[Role.AGENCY_LEAD] or "", GENERATED_PASSWORD)
        floor_bytes = len(probe.get(f"/briefings/{briefing_id}").get_data())
    env["SGREVIEWS_BENCHMARK_FLOOR_BYTES"] = str(floor_bytes)
    os.environ["SGREVIEWS_BENCHMARK_FLOOR_BYTES"] = str(floor_bytes)
    with app.app_context():
        db.engine.dispose()
    app = create_app()
    with app.app_context():
        engine = db.engine

    statements = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def count(*_args: Any) -> None:
        statements[0] += 1

    pages = [
        ("health", "/health", Role.CHAIR),
        ("floor", "/benchmark/floor", Role.AGENCY_LEAD),
        ("review list", "/reviews", Role.CHAIR),
        ("review page", f"/reviews/{review_id}", Role.CHAIR),
        ("agency workspace", "/agency/actions", Role.AGENCY_LEAD),
        ("your work", "/work", Role.SECRETARIAT),
        ("Master Action Plan", "/master-action-plan", Role.SECRETARIAT),
        ("plan page 100", "/master-action-plan?page=100", Role.SECRETARIAT),
        ("plan by agency", "/master-action-plan?group=agency&overdue=1&page=30", Role.SECRETARIAT),
        ("users list", "/admin/users", Role.ADMINISTRATOR),
        ("users search", "/admin/users?q=lead&page=2", Role.ADMINISTRATOR),
        ("dashboard", "/dashboard", Role.CHAIR),
        ("dashboard (one partnership)", "/dashboard?partnership=1", Role.CHAIR),
        ("library search", f"/learning?q={SEARCH}", Role.CHAIR),
        ("briefing", f"/briefings/{briefing_id}", Role.AGENCY_LEAD),
    ]
    only = {name.strip() for name in options.only.split(",") if name.strip()}
    clients: dict[Role, Any] = {}
    http_clients: dict[Role, HttpClient] = {}
    server = None
    if options.gunicorn:
        server = start_gunicorn(env, options.port, options.workers)
    results: list[PageResult] = []
    # As config/gunicorn.conf.py does in each worker once the app is loaded: the start-up
    # heap (220,000 objects: modules, the app) leaves the collector's generations, so a
    # full collection no longer walks it (130 ms on this machine, the dashboard's p95 tail).
    gc.collect()
    gc.freeze()
    for name, path, role in pages:
        if only and name not in only:
            continue
        if role not in clients:
            client = app.test_client()
            email = emails[role]
            assert email is not None, f"no generated {role.value} user"
            sign_in(client, email, GENERATED_PASSWORD)
            clients[role] = client
        client = clients[role]
        result = PageResult(name, path, role.value, load_before=load())
        for _ in range(options.warm_up):
            response = client.get(path)
            assert response.status_code == 200, f"{path}: {response.status_code}"
        if server is not None:
            if role not in http_clients:
                http_clients[role] = HttpClient(f"http://127.0.0.1:{options.port}")
                http_clients[role].sign_in(emails[role] or "", GENERATED_PASSWORD)
            http = http_clients[role]
            for _ in range(options.warm_up):
                http.get(path)
            page_started = time.perf_counter()
            for number in range(options.requests):
                if number >= 5 and time.perf_counter() - page_started > options.page_seconds:
                    break
                started = time.perf_counter()
                status, body = http.get(path)
                result.timings_ms.append((time.perf_counter() - started) * 1000)
                assert status == 200, f"{path}: {status}"
                result.bytes = len(body)
            statements[0] = 0
            client.get(path)
            result.queries.append(statements[0])
            result.load_after = load()
            results.append(result)
            print(json.dumps(result.summary()), flush=True)
            continue
        page_started = time.perf_counter()
        for number in range(options.requests):
            if number >= 5 and time.perf_counter() - page_started > options.page_seconds:
                break
            statements[0] = 0
            started = time.perf_counter()
            response = client.get(path)
            body = response.get_data()
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, f"{path}: {response.status_code}"
            result.timings_ms.append(elapsed)
            result.queries.append(statements[0])
            result.bytes = len(body)
        result.load_after = load()
        results.append(result)
        print(json.dumps(result.summary()), flush=True)

    extra = ""
    if server is not None:
        floor = next(r for r in pages if r[0] == "floor")
        briefing = next(r for r in pages if r[0] == "briefing")
        # Floor and briefing alternate, round after round: a slow spell on the shared
        # machine (or a worker restarting after max_requests, about a second of start-up)
        # then falls on both instead of on whichever page ran in it. The ratio is of the
        # rates over all rounds; each round's own ratio is listed to show the spread.
        done: dict[str, list[float]] = {"floor": [], "briefing": []}
        seconds = options.throughput_seconds / options.throughput_rounds
        for _round in range(options.throughput_rounds):
            for name, path, role in (floor, briefing):
                done[name].append(
                    throughput(http_clients[role], path, seconds, options.throughput_clients)
                )
        rates = {name: sum(values) / len(values) for name, values in done.items()}
        ratios = [b / f for f, b in zip(done["floor"], done["briefing"], strict=True)]
        rss = worker_rss_mib(server.pid)
        server.terminate()
        server.wait()
        extra = (
            f"gunicorn {options.workers} workers; throughput with "
            f"{options.throughput_clients} clients, {options.throughput_rounds} alternating "
            f"rounds of {seconds:.0f} s per page: "
            f"floor {rates['floor']:.1f} req/s, briefing {rates['briefing']:.1f} req/s "
            f"(ratio {rates['briefing'] / rates['floor']:.2f}; each round "
            f"{', '.join(f'{ratio:.2f}' for ratio in ratios)}; floor page {floor_bytes} bytes); "
            f"load {load()}; "
            f"worker RSS {', '.join(f'{size:.0f}' for size in rss)} MiB"
        )
    backend = url.split(":", 1)[0].split("+")[0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    if extra:
        print(extra)
    print(f"Machine: {machine()}")
    print(f"Setup: {json.dumps(setup)}; peak RSS of this process {peak:.0f} MiB")
    print("| Scale | Database | Page | As | Requests | p50 | p95 | Queries | KiB | Load |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for result in results:
        s = result.summary()
        queries = (
            str(s["queries_min"])
            if s["queries_min"] == s["queries_max"]
            else f"{s['queries_min']}-{s['queries_max']}"
        )
        print(f"| {options.scale} | {backend} | {s['page']} (`{s['path']}`) | {s['role']} | "
              f"{s['requests']} | {s['p50_ms']} ms | {s['p95_ms']} ms | {queries} | "
              f"{s['kib']} | {s['load']} |")  # fmt: skip


if __name__ == "__main__":
    main()
