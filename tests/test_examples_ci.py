"""The CI recipes in examples/ci and the pre-commit hook parse, and use real commands."""

from __future__ import annotations

import glob
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from driftcheck.cli import cli

ROOT = Path(__file__).parent.parent
RECIPES = [*sorted((ROOT / "examples" / "ci").glob("*.yml")), ROOT / ".pre-commit-hooks.yaml"]


def scripts(node: Any) -> Iterator[str]:
    """Every shell text a CI file runs: `run:`, `script:` items, a hook's `entry:`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("run", "entry") and isinstance(value, str):
                yield value
            elif key == "script" and isinstance(value, list):
                yield from (item for item in value if isinstance(item, str))
            else:
                yield from scripts(value)
    elif isinstance(node, list):
        for item in node:
            yield from scripts(item)


def invocations(path: Path) -> list[list[str]]:
    found = []
    for text in scripts(yaml.safe_load(path.read_text())):
        for line in text.replace("\\\n", " ").splitlines():
            line = line.strip()
            if not line.startswith("driftcheck "):
                continue
            line = re.split(r"\s(?:\|\||&&|;|>>|#)", line)[0]
            line = line.replace("${{ matrix.shard }}", "1")
            found.append(shlex.split(line)[1:])
    return found


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.name)
def test_recipe_commands_parse(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shard-1.json").write_text("{}")
    calls = invocations(path)
    assert calls, f"{path.name} runs no driftcheck command"
    for args in calls:
        name, rest = args[0], args[1:]
        expanded = [m for arg in rest for m in (sorted(glob.glob(arg)) or [arg])]
        context = cli.commands[name].make_context(name, expanded)  # raises on a bad option
        assert context.params is not None


def test_recipes_cover_the_ci_story() -> None:
    used = {path.name: {" ".join(args) for args in invocations(path)} for path in RECIPES}
    pull_request = " ".join(used["github-pull-request.yml"])
    assert "--format github" in pull_request
    assert "--format markdown" in pull_request
    assert "--format sarif" in pull_request
    assert any(c.startswith("record") for c in used["github-nightly-record.yml"])
    assert any(c.startswith("merge") for c in used["github-nightly-sharded.yml"])
    assert any("--format junit" in c for c in used["gitlab-ci.yml"])
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "driftcheck-diff"
    assert hook["pass_filenames"] is False
