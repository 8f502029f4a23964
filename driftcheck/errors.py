"""One exception tree for driftcheck; the CLI maps each class to an exit code in one place.

Recording failures are not exceptions: `record` and `check` report them per endpoint
and exit 3.

Messages say what failed, where (file, line, key) and what would be valid, in one line.
"""

from __future__ import annotations


class DriftcheckError(Exception):
    """Base of every error driftcheck reports to a user (exit code 2 unless a subclass says)."""

    exit_code = 2


class InputError(DriftcheckError):
    """A file or argument given to driftcheck cannot be used."""


class CassetteError(InputError):
    """A cassette cannot be read; `file` names it so folder mode can list it and go on."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class ShapeDepthError(InputError):
    """A JSON body nests deeper than driftcheck follows; refused rather than overflowing."""


class ConfigError(DriftcheckError):
    """The configuration is invalid."""
