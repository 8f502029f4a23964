"""The nearest valid name, for error messages that say what would be valid (pure)."""

from __future__ import annotations

from collections.abc import Iterable


def nearest(name: str, valid: Iterable[str]) -> str | None:
    """The valid name closest to `name`, if one is close enough to be a typo of it."""
    import difflib  # only when a name is unknown

    match = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(name: str, valid: Iterable[str]) -> str:
    """`; did you mean `x`?` when a valid name is close to `name`, else nothing."""
    close = nearest(name, valid)
    return f"; did you mean `{close}`?" if close is not None else ""


def unknown_name(kind: str, name: str, valid: Iterable[str]) -> str:
    """`unknown endpoint `usr`; did you mean `user`?`."""
    return f"unknown {kind} `{name}`{did_you_mean(name, valid)}"
