"""Evidence files are checked by content, not just by name, and names are sanitised."""

from __future__ import annotations

import io
import zipfile

import pytest

from sgreviews.services.actions.evidence import Upload, sanitise_name, validate
from sgreviews.services.editing import FieldError

LIMIT = 1024 * 1024


def _zip(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{folder}document.xml", "<xml/>")
        archive.writestr("[Content_Types].xml", "<xml/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("report.pdf", b"%PDF-1.7\n...", "application/pdf"),
        ("chart.png", b"\x89PNG\r\n\x1a\n....", "image/png"),
        ("photo.JPG", b"\xff\xd8\xff\xe0....", "image/jpeg"),
        (
            "minutes.docx",
            _zip("word/"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "audit.xlsx",
            _zip("xl/"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", "application/msword"),
        ("data.csv", b"a,b\n1,2\n", "text/csv"),
        ("note.txt", "Caf\u00e9 notes".encode(), "text/plain"),
    ],
)
def test_allowed_types_pass(name: str, data: bytes, content_type: str) -> None:
    assert validate(Upload(name, data), LIMIT)[1] == content_type


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", b"MZ\x90\x00 an executable", "not a real PDF"),
        ("evil.exe", b"MZ\x90\x00", "must be a PDF, Word"),
        ("picture.png", b"%PDF-1.4", "not a real PNG"),
        ("sheet.xlsx", _zip("word/"), "not a real Excel"),
        ("notes.txt", b"\x00\x01\x02binary", "not a real text"),
        ("empty.pdf", b"", "is empty"),
        ("noextension", b"%PDF-1.4", "must be a PDF, Word"),
    ],
)
def test_disallowed_content_is_refused(name: str, data: bytes, message: str) -> None:
    with pytest.raises(FieldError, match=message) as error:
        validate(Upload(name, data), LIMIT)
    assert error.value.field_name == "evidence"


def test_size_limit() -> None:
    with pytest.raises(FieldError, match="smaller than 1 MB"):
        validate(Upload("big.txt", b"a" * (LIMIT + 1)), LIMIT)
    assert validate(Upload("ok.txt", b"a" * LIMIT), LIMIT)


def test_names_are_sanitised() -> None:
    assert sanitise_name("../../etc/passwd") == "passwd"
    assert sanitise_name("C:\\Users\\x\\évidence report.pdf") == "evidence_report.pdf"
    assert sanitise_name("<script>.pdf") == "script.pdf"
    assert sanitise_name("///") == "evidence"
