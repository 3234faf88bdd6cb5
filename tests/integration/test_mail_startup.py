"""A command started with configured but incomplete mail stops in one line naming the
missing variable (the ``sgreviews`` command, as an operator would run it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SGREVIEWS = str(Path(sys.executable).parent / "sgreviews")


def test_missing_graph_mailbox_is_one_line_naming_it(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SGREVIEWS_", "FLASK_")) and key != "SECRET_KEY"
    }
    env.update(
        {
            "FLASK_SKIP_DOTENV": "1",
            "SGREVIEWS_ENV": "development",
            "SGREVIEWS_INSTANCE_PATH": str(tmp_path / "instance"),
            "SGREVIEWS_MAIL_TRANSPORT": "graph",
            "SGREVIEWS_MAIL_OAUTH_TENANT_ID": "0b7c1e6a-5d2f-4c3e-9a41-7d5e2f1c8b90",
            "SGREVIEWS_MAIL_OAUTH_CLIENT_ID": "3f2a9c4e-8b71-4d06-a5e3-1c9d7b2e6f40",
            "SGREVIEWS_MAIL_OAUTH_CLIENT_SECRET": "secret",
        }
    )
    result = subprocess.run(
        [SGREVIEWS, "reminders", "deliver"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "Error: Configuration: Mail is misconfigured: SGREVIEWS_GRAPH_MAILBOX is not set: "
        "the mailbox (address or id) the mail is sent from."
    ]
