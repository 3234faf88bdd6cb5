"""WeasyPrint (and the Pango it loads) is imported when a PDF is made, not when the app
starts: a server without Pango loses the PDFs, not every page (issue 21)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_creating_the_app_does_not_import_weasyprint(tmp_path: Path) -> None:
    code = (
        "import sys; from sgreviews import create_app; "
        "app = create_app(); app.test_client().get('/health/live'); "
        "print('weasyprint' in sys.modules)"
    )
    env = {
        **os.environ,
        "SGREVIEWS_ENV": "testing",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SGREVIEWS_INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'lazy.db'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
