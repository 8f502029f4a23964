"""Output formats: each module renders a Report (and shapes) to a string.

`FORMATS` is the registry the CLI builds its `--format` choice from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from driftcheck.model import Report, Severity


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """What a renderer may know of where its text goes and what fails; the CLI fills it in."""

    color: bool = False
    width: int = 100
    fail_on: Severity | None = Severity.BREAKING  # None: nothing fails


Renderer = Callable[[Report, RenderOptions], str]


def _formats() -> dict[str, Renderer]:
    from driftcheck.reporting import github, json_report, junit, markdown, rich_report, sarif

    return {
        "rich": rich_report.render,
        "json": json_report.render,
        "junit": junit.render,
        "markdown": markdown.render,
        "github": github.render,
        "sarif": sarif.render,
    }


FORMATS: dict[str, Renderer] = _formats()
