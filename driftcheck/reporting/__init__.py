"""Output formats: each module renders a Report (and shapes) to a string.

`FORMATS` is the registry the CLI builds its `--format` choice from.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar, Protocol

from driftcheck.core.model import EndpointSet, FileError, Report, Severity


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """What a renderer may know of where its text goes and what fails; the CLI fills it in."""

    color: bool = False
    width: int = 100
    fail_on: Severity | None = Severity.BREAKING  # None: nothing fails


class Renderer(Protocol):
    """What every format module provides: a report in, the text to write out.

    Renderers return strings and never print; the CLI decides where the text goes.
    """

    def __call__(self, report: Report, options: RenderOptions, /) -> str: ...


class ShapeRenderer(Protocol):
    """`driftcheck shape` output: inferred shapes (and unreadable files) in, text out."""

    def __call__(
        self, endpoints: EndpointSet, errors: Sequence[FileError], options: RenderOptions, /
    ) -> str: ...


class _Formats(Mapping[str, Renderer]):
    """Format name → renderer, each module imported on first use: `rich` alone costs a
    tenth of a second, which a `--format json` run in CI should not pay."""

    _MODULES: ClassVar[Mapping[str, str]] = MappingProxyType(
        {
            "rich": "rich_report",
            "json": "json_report",
            "junit": "junit",
            "markdown": "markdown",
            "github": "github",
            "sarif": "sarif",
        }
    )

    def __getitem__(self, name: str) -> Renderer:
        module = importlib.import_module(f"driftcheck.reporting.{self._MODULES[name]}")
        renderer: Renderer = module.render
        return renderer

    def __iter__(self) -> Iterator[str]:
        return iter(self._MODULES)

    def __len__(self) -> int:
        return len(self._MODULES)


FORMATS: Mapping[str, Renderer] = _Formats()


def shape_renderer(fmt: str) -> ShapeRenderer:
    """`driftcheck shape` output: JSON for scripts, rich trees for everything else."""
    name = "json_report" if fmt == "json" else "rich_report"
    renderer: ShapeRenderer = importlib.import_module(f"driftcheck.reporting.{name}").render_shapes
    return renderer
