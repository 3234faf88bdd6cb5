"""One clock: every "today" and "now" in the code, the tests and the benchmarks comes from
``sgreviews.clock``. ruff's DTZ rules refuse the naive forms; this refuses the aware ones
written anywhere else, which ruff allows."""

from __future__ import annotations

import re

from sgreviews.settings import PROJECT_ROOT

CLOCK = PROJECT_ROOT / "sgreviews" / "clock.py"
ANOTHER_CLOCK = re.compile(
    r"\bdatetime\.now\(|\bdate\.today\(|\bdatetime\.today\(|utcnow\(\)\.date\("
)


def test_no_module_reads_the_time_of_day_but_the_clock() -> None:
    found = []
    for folder in ("sgreviews", "tests", "benchmarks"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            if path == CLOCK or path.samefile(__file__):
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if ANOTHER_CLOCK.search(line):
                    found.append(f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
