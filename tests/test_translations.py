"""The Russian translation is complete: every string marked for translation in the code and
templates is in locale/ru with a translation, none fuzzy."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
SOURCES = ["manage.py", "tracking", "hypotheses", "sprints", "templates", "locale"]

pytestmark = pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is needed to extract messages")


def _field(block: str, keyword: str) -> list[str]:
    """The values of `keyword` lines (msgid, msgstr, msgstr[n] …), with their continuation lines."""
    values, current = [], None
    for line in block.splitlines():
        if re.match(rf"^{keyword}(\[\d+\])? ", line):
            current = [line.split(" ", 1)[1].strip('"')]
            values.append(current)
        elif line.startswith('"') and current is not None:
            current.append(line.strip('"'))
        else:
            current = None
    return ["".join(parts) for parts in values]


def _entries(text: str) -> dict[tuple[str, str], tuple[bool, bool]]:
    """(context, msgid) → (translated, fuzzy) for every entry of a .po file."""
    entries = {}
    for block in text.split("\n\n"):
        msgids = _field(block, "msgid")
        if not msgids or not msgids[0]:
            continue  # the header
        contexts = _field(block, "msgctxt")
        entries[(contexts[0] if contexts else "", msgids[0])] = (
            all(_field(block, "msgstr")),
            any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines()),
        )
    return entries


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = _entries(PO.read_text())
    assert len(entries) > 500
    missing = [key for key, (translated, fuzzy) in entries.items() if not translated or fuzzy]
    assert not missing, missing[:20]


def test_the_catalog_has_every_string_the_code_marks(tmp_path):
    for name in SOURCES:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ru", "--no-obsolete", "-v0"],
        cwd=tmp_path,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "1", "DJANGO_READ_DOT_ENV": "0", "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        timeout=120,
    )
    fresh = _entries((tmp_path / "locale" / "ru" / "LC_MESSAGES" / "django.po").read_text())
    committed = _entries(PO.read_text())
    new = sorted(set(fresh) - set(committed))
    assert not new, f"strings marked for translation but missing from locale/ru: {new[:20]}"
