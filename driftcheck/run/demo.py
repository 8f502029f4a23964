"""`driftcheck demo`: record the demo API at v1, then at v2, and show what drifted."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from driftcheck.config import Config, load_config
from driftcheck.core.model import Outcome, Report
from driftcheck.demo.app import DemoAPI, serving
from driftcheck.run.diff import diff_config
from driftcheck.run.record import record_endpoints

DEMO_BASE = "http://127.0.0.1:8765"
MOCKS = "driftcheck/demo/mocks.py"  # where the config expects the mock, beside itself


def demo_config(base: str, folder: Path) -> Config:
    """The packaged demo config, pointed at `base` and writing below `folder`."""
    package = resources.files("driftcheck.demo")
    text = package.joinpath("driftcheck.toml").read_text()
    mocks = folder / MOCKS
    mocks.parent.mkdir(parents=True, exist_ok=True)
    mocks.write_text(package.joinpath("mocks.py").read_text())
    path = folder / "driftcheck.toml"
    path.write_text(text.replace(DEMO_BASE, base))
    return load_config(path, environ={})


def run_demo(
    say: Callable[[str], None], on_outcome: Callable[[Outcome], None] | None = None
) -> Report:
    """Serve v1, record; switch to v2, record; compare recordings, and the mock with v2."""
    api = DemoAPI(version=1)
    with tempfile.TemporaryDirectory(prefix="driftcheck-demo-") as folder, serving(api) as base:
        config = demo_config(base, Path(folder))
        say(f"Demo API v1 serving at {base}; recording {len(config.endpoints)} endpoints…")
        record_endpoints(config, config.endpoints, config.cassettes, on_outcome)
        api.version = 2
        say("The API drifted to v2; recording again into the fresh folder…")
        record_endpoints(config, config.endpoints, config.fresh, on_outcome)
        say(
            "Comparing committed (v1) with fresh (v2) recordings, and the tests' mock of "
            f"`user` ({MOCKS}) with what the API returns now:\n"
        )
        return diff_config(config)
