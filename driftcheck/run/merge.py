"""`driftcheck merge`: the JSON reports of sharded runs as the one report an unsharded
run gives."""

from __future__ import annotations

import os
from collections.abc import Sequence

from driftcheck.core.merge import combine
from driftcheck.core.model import Report
from driftcheck.sources.reports import read_report


def merge_reports(paths: Sequence[str | os.PathLike[str]]) -> Report:
    """Read each shard's JSON report and combine them."""
    return combine([read_report(path) for path in paths])
