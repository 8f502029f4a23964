"""Re-record the committed demo cassettes: serve v1 on the demo port, `record --update`.

Run from the repository root: `make demo-cassettes`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from driftcheck.config import load_config
from driftcheck.demo.app import DemoAPI, serving
from driftcheck.run.record import record_endpoints


def main() -> int:
    config = load_config(Path("driftcheck.toml"), environ={})
    with serving(DemoAPI(version=1), port=8765):
        outcomes = record_endpoints(config, config.endpoints, config.cassettes)
    for outcome in outcomes:
        print(outcome.error or f"wrote {outcome.path}")
    return 3 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
