"""Every format's rendering of one canonical report, and the rich (plain) and Markdown
renderings of it with mock coverage, compared exactly.

The expected texts are files in tests/reporting/golden/, so a change to a renderer shows
as a diff to review. After an intended change, rewrite them and read the diff:

    DRIFTCHECK_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/reporting/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from driftcheck import __version__
from driftcheck.reporting import FORMATS
from tests.canonical import OPTIONS, canonical_report, canonical_report_with_coverage

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("DRIFTCHECK_UPDATE_GOLDEN") == "1"
GOLDEN_FILES = [  # format, file, with coverage
    ("rich", "report.txt", False),
    ("markdown", "report.md", False),
    ("json", "report.json", False),
    ("junit", "report.junit.xml", False),
    ("github", "report.github.txt", False),
    ("sarif", "report.sarif.json", False),
    ("rich", "mocks.txt", True),
    ("markdown", "mocks.md", True),
]


@pytest.mark.parametrize(("fmt", "name", "coverage"), GOLDEN_FILES)
def test_rendering_matches_its_golden_file(fmt: str, name: str, coverage: bool) -> None:
    """Without coverage, every format renders as it did before coverage existed."""
    report = canonical_report_with_coverage() if coverage else canonical_report()
    text = FORMATS[fmt](report, OPTIONS).replace(f'"{__version__}"', '"VERSION"')
    golden = GOLDEN / name
    if UPDATE:
        golden.write_text(text, encoding="utf-8", newline="")
        pytest.skip(f"rewrote tests/reporting/golden/{name}: review its diff")
    if not golden.exists():
        pytest.fail(f"{golden} is missing: create it with DRIFTCHECK_UPDATE_GOLDEN=1")
    assert text == golden.read_bytes().decode("utf-8")  # bytes: no newline translation
