"""A misspelt key in any config/*.toml stops start-up, naming the file and the key
(issue 21): ignored, it would leave the default in place without a word."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sgreviews import create_app
from sgreviews.settings import PROJECT_ROOT


def _config_with(tmp_path: Path, file: str, old: str | None, new: str) -> Path:
    """A copy of config/ with ``old`` in ``file`` replaced by ``new`` (``new`` on a line of
    its own at the top when ``old`` is None)."""
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    path = config / file
    text = path.read_text(encoding="utf-8")
    if old is None:
        text = f"{new}\n{text}"
    else:
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return config


def _start(tmp_path: Path, config: Path) -> None:
    create_app(
        {
            "SGREVIEWS_ENV": "testing",
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SGREVIEWS_INSTANCE_PATH": str(tmp_path / "instance"),
            "SGREVIEWS_CONFIG_DIR": str(config),
        }
    )


def test_the_shipped_configuration_has_no_unknown_key(tmp_path: Path) -> None:
    _start(tmp_path, PROJECT_ROOT / "config")


# (file, text to replace or None to add a line at the top, its replacement, what the
# message must say besides the file's name)
MISSPELT = [
    ("review_types.toml", None, 'version = "2"', "unknown key 'version'"),
    ("review_types.toml", 'short_name = "LCSPR"', 'short_nme = "LCSPR"',
     "types.lcspr: unknown key 'short_nme'"),
    ("review_types.toml", 'met_by = "published" }', 'met_by = "published", first_dy = "next" }',
     "types.lcspr.clocks[0]: unknown key 'first_dy'"),
    ("review_types.toml", 'commissions = "lcspr"', 'comissions = "lcspr"',
     "unknown key 'comissions'"),
    ("reminders.toml", "[actions]", "[actions]\noverdue_day = [1]",
     "unknown key actions.'overdue_day'"),
    ("reminders.toml", "[schedule]", '[schedule]\ndaily_run_tme = "06:00"',
     "unknown key schedule.'daily_run_tme'"),
    ("reminders.toml", "[outbox]", "[outbox]\nbatchsize = 10", "unknown key outbox.'batchsize'"),
    ("reminders.toml", "[review_clocks]", "[review_clocks]\nenable = true",
     "unknown key review_clocks.'enable'"),
    ("reminders.toml", "[briefing_review]", "[briefing_review]\nbefore_day = [7]",
     "unknown key briefing_review.'before_day'"),
    ("reminders.toml", "days_overdue = 7", "days_overdue = 7\nnotfy = []",
     "unknown key actions.escalation[0].'notfy'"),
    ("reminders.toml", None, "[schedul]", "unknown key 'schedul'"),
    ("reminders.toml", "[impact_assessments]", "[impact_assessments]\nbefore_day = [7]",
     "unknown key impact_assessments.'before_day'"),
    ("reminders.toml", "days_overdue = 14", "days_overdue = 14\nnotfy = []",
     "unknown key impact_assessments.escalation[0].'notfy'"),
    ("reminders.toml", "[decisions_told_back]", "[decisions_told_back]\nlookback_days = 7",
     "unknown key decisions_told_back.'lookback_days'"),
    ("reminders.toml", "[submission_replies]", "[submission_replies]\nbefore_day = [3]",
     "unknown key submission_replies.'before_day'"),
    ("reminders.toml", "days_overdue = 1\n", "days_overdue = 1\nnotfy = []\n",
     "unknown key submission_replies.escalation[0].'notfy'"),
    ("submission_bodies.toml", "[bodies.panel]", '[bodies.panel]\nreply_unti = "x"',
     "bodies.panel: unknown key 'reply_unti'"),
    ("submission_bodies.toml", None, 'version = "2"', "unknown key 'version'"),
    ("rag.toml", "[amber]", "[amber]\ndue_within_workingdays = 10",
     "unknown key amber.'due_within_workingdays'"),
    ("rag.toml", "[red]", "[red]\nwhen_overdu = false", "unknown key red.'when_overdu'"),
    ("rag.toml", None, "[ambr]", "unknown key 'ambr'"),
    ("themes.toml", None, 'version = "2"', "unknown key 'version'"),
    ("themes.toml", "[groups.working_together]", '[groups.working_together]\nnmae = "W"',
     "groups.working_together: unknown key 'nmae'"),
    ("themes.toml", '{ key = "neglect", name = "Neglect" }',
     '{ key = "neglect", name = "Neglect", nmae = "N" }', "unknown key 'nmae'"),
    ("personal_data.toml", None, 'place = ["Northshire"]', "unknown key 'place'"),
    ("sso.toml", 'groups_claim = "groups"', 'group_claim = "groups"',
     "unknown key 'group_claim'"),
    ("sso.toml", 'role = "administrator"', 'role = "administrator"\nagncy = "A"',
     "roles[0]: unknown key 'agncy'"),
    ("sso.toml", 'agency = "Northshire Police"', 'agency_name = "Northshire Police"',
     "agencies[0]: unknown key 'agency_name'"),
    ("national_themes.toml", None, 'version = "2"', "unknown key 'version'"),
    ("national_themes.toml", "[lists.dhr_home_office]", '[lists.dhr_home_office]\nnmae = "D"',
     "lists.dhr_home_office: unknown key 'nmae'"),
    ("national_themes.toml", '{ key = "risk_assessment", name = "Risk assessment" }',
     '{ key = "risk_assessment", name = "Risk assessment", nmae = "R" }', "unknown key 'nmae'"),
    ("national_themes.toml", "[map]", "[map]\nprofesional_curiosity = {}",
     "map: unknown key 'profesional_curiosity'"),
    ("national_themes.toml", 'neglect = { cspr_panel = "whole_family"',
     'neglect = { cspr_pannel = "whole_family"', "map.neglect: unknown key 'cspr_pannel'"),
    ("national_themes.toml", 'neglect = { cspr_panel = "whole_family"',
     'neglect = { cspr_panel = "hole_family"', "map.neglect: cspr_panel has no theme"),
    ("search.toml", None, "synonym = 1", "unknown key 'synonym'"),
    ("search.toml", "[spelling]", "[spelling]\nmin_lenght = 3",
     "unknown key spelling.'min_lenght'"),
    ("imports.toml", None, "ongoing_review_month = 3", "unknown key 'ongoing_review_month'"),
    ("imports.toml", "[headers]", '[headers]\nactoin_text = ["x"]',
     "headers.actoin_text is not an import field"),
    ("imports.toml", '"done" = "completed"', '"done" = "finished"',
     "status_words.done must be one of"),
]  # fmt: skip


@pytest.mark.parametrize(("file", "old", "new", "named"), MISSPELT)
def test_a_misspelt_key_stops_start_up_naming_file_and_key(
    tmp_path: Path, file: str, old: str | None, new: str, named: str
) -> None:
    config = _config_with(tmp_path, file, old, new)
    with pytest.raises(ValueError) as refused:
        _start(tmp_path, config)
    message = str(refused.value)
    assert file in message, message
    assert named in message, message
