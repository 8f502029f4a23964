"""What `driftcheck init` prints: the endpoints it found, the mocks matched to each and
how, the mocks it could not match and why, the credentials it left out, what it wrote.

Plain text in aligned columns: it is read once, at set-up, and pasted into issues.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from driftcheck.core.mock_match import Matched
from driftcheck.run.init import Initialized, plural
from driftcheck.run.init_plan import Plan, Planned


def summary(result: Initialized) -> str:
    """The whole summary, one block per subject, each ending in a newline."""
    plan = result.plan
    blocks = [
        _cassettes(plan),
        _endpoints(plan.endpoints),
        _matched(plan),
        _unmatched(plan),
        _unmocked(plan),
        _credentials(plan),
        _unread(plan),
        _written(result),
    ]
    return "\n".join(block for block in blocks if block)


def _table(rows: Sequence[Sequence[str]], indent: str = "  ") -> str:
    """Rows in columns as wide as their widest cell (the last column is not padded)."""
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]) - 1)] if rows else []
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append(indent + "  ".join([*cells, row[-1]]).rstrip() + "\n")
    return "".join(lines)


def _cassettes(plan: Plan) -> str:
    places = ", ".join(plan.cassettes.places)
    return f"Found {plural(len(plan.cassettes.files), 'cassette')} in {places}\n"


def statuses(planned: Planned) -> str:
    """`200 x3, 404 x1`: each recorded status and how often."""
    return ", ".join(f"{status} x{count}" for status, count in planned.statuses.items())


def _endpoints(endpoints: Sequence[Planned]) -> str:
    rows = []
    for planned in endpoints:
        endpoint = planned.endpoint
        flags = [f"operation {endpoint.operation}"] if endpoint.operation else []
        flags += ["local host: `record` needs that server running"] if planned.local else []
        flags += list(planned.notes)
        rows.append(
            [
                endpoint.name,
                endpoint.method,
                endpoint.url,
                plural(planned.recordings, "recording"),
                "  ".join([statuses(planned), *(f"({flag})" for flag in flags)]),
            ]
        )
    return f"{plural(len(endpoints), 'endpoint')}\n" + _table(rows)


def _how(matched: Matched) -> str:
    how = f"by {matched.matched_by}, status {matched.status}"
    return f"{how} ({matched.note})" if matched.note else how


def _matched(plan: Plan) -> str:
    matched = plan.mocks.matched
    if not matched:
        return "No mock matched to an endpoint\n" if plan.mocks.unmatched else "No mocks found\n"
    lines = [f"{plural(len(matched), 'mock')} matched\n"]
    for planned in plan.endpoints:
        name = planned.endpoint.name
        mine = [m for m in matched if m.endpoint == name]
        if mine:
            lines.append(f"  {name} ({len(mine)})\n")
            rows = [[str(m.location), m.mock.library, _how(m)] for m in mine]
            lines.append(_table(rows, "    "))
    return "".join(lines)


def _unmatched(plan: Plan) -> str:
    unmatched = plan.mocks.unmatched
    if not unmatched:
        return ""
    rows = [[str(u.location), u.mock.library, u.reason] for u in unmatched]
    return f"{plural(len(unmatched), 'mock')} not matched\n" + _table(rows)


LISTED = 20  # endpoint names "Never mocked" lists before "and N more"


def _unmocked(plan: Plan) -> str:
    names = list(plan.mocks.unmocked)
    if not names:
        return ""
    if len(names) == len(plan.endpoints) and len(names) > LISTED:
        return f"Never mocked: any of the {len(names)} endpoints\n"
    more = f", and {len(names) - LISTED} more" if len(names) > LISTED else ""
    return f"Never mocked: {', '.join(names[:LISTED])}{more}\n"


def _credentials(plan: Plan) -> str:
    if not plan.variables:
        return ""
    lines = ["Credentials are not written; the config reads them from the environment:\n"]
    lines.append(_table([["${" + name + "}", what] for name, what in plan.variables.items()]))
    return "".join(lines)


def _unread(plan: Plan) -> str:
    if not plan.errors:
        return ""
    rows = [[f"{_within(plan.root, error.file)}:", error.message] for error in plan.errors]
    return f"{plural(len(plan.errors), 'file')} not read\n" + _table(rows)


def _within(root: Path, file: str) -> str:
    """A file relative to the repository root (test modules are labelled so already)."""
    try:
        return Path(file).relative_to(root).as_posix()
    except ValueError:
        return file


def shown(path: Path) -> str:
    """A path relative to the working directory when it is below it."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return os.fspath(path)


def _written(result: Initialized) -> str:
    count = plural(len(result.plan.endpoints), "endpoint")
    if not result.written:
        return f"Dry run: {shown(result.output)} not written ({count})\n"
    variables = list(result.plan.variables)
    named = ", ".join(variables) if len(variables) <= 3 else f"the {len(variables)} variables above"
    record = f"set {named}, then " if variables else ""
    return (
        f"Wrote {shown(result.output)} ({count}). Next: `driftcheck diff` checks the mocks; "
        f"{record}`driftcheck record` re-records the endpoints.\n"
    )
