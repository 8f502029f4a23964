"""Start-up: the group lists its commands without importing them, and each path imports
only what it uses (issue 16), in a real process of the program; nothing here is timed."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

import driftcheck.cli
from driftcheck.cli import app
from tests.helpers import CASSETTES

# Loaded by no start-up path that does not use them.
HEAVY = ("rich", "deepdiff", "requests", "vcr", "yaml", "multiprocessing", "werkzeug")
IMPLEMENTATION = ("driftcheck.config", "driftcheck.run", "driftcheck.sources", "driftcheck.record")
COMMAND_MODULES = tuple(sorted({lazy.target.partition(":")[0] for lazy in app.COMMANDS.values()}))
TINY = CASSETTES / "vcrpy_flow_style.yaml"  # one interaction, 600 bytes


# `python -m driftcheck ARGS`, listing every module loaded once the program has exited
# (`-X importtime` misses modules loaded through importlib.import_module).
PROBE = """
import atexit, runpy, sys
listing, sys.argv = sys.argv[1], ["driftcheck", *sys.argv[2:]]
atexit.register(lambda: open(listing, "w").write("\\n".join(sorted(sys.modules))))
runpy.run_module("driftcheck", run_name="__main__", alter_sys=True)
"""


def _start(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run the program for real in `cwd`; its result and every module it imported."""
    listing = cwd / "modules.txt"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(listing), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100"},
    )
    imported = set(listing.read_text().split())
    assert "driftcheck.cli.app" in imported, done.stderr[-2000:]  # the probe saw the run
    return done, imported


def _among(imported: set[str], packages: tuple[str, ...]) -> set[str]:
    """The modules of `imported` that are one of `packages` or inside one."""
    return {m for m in imported if any(m == p or m.startswith(p + ".") for p in packages)}


def _listed(help_text: str) -> list[str]:
    """The command names of a group's --help, in order."""
    section = help_text.split("\nCommands:\n", 1)[1]
    return [line.split()[0] for line in section.splitlines() if line.startswith("  ")]


def test_group_help_lists_every_command_importing_none(tmp_path: Path) -> None:
    done, imported = _start(tmp_path, "--help")
    assert done.returncode == 0, done.stderr[-2000:]
    assert _listed(done.stdout) == sorted(app.COMMANDS)
    assert _among(imported, (*HEAVY, *IMPLEMENTATION, *COMMAND_MODULES)) == set()
    assert _among(imported, ("driftcheck.cli.common", "driftcheck.reporting")) == set()


@pytest.mark.parametrize("name", sorted(app.COMMANDS))
def test_each_command_help_imports_its_module_only(tmp_path: Path, name: str) -> None:
    done, imported = _start(tmp_path, name, "--help")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith(f"Usage: driftcheck {name} [OPTIONS]")
    module = app.COMMANDS[name].target.partition(":")[0]
    assert module in imported
    assert _among(imported, (*HEAVY, *IMPLEMENTATION)) == set()
    assert _among(imported, COMMAND_MODULES) == {module}


def _tiny_pair(folder: Path) -> tuple[str, str]:
    shutil.copy(TINY, folder / "old.yaml")
    shutil.copy(TINY, folder / "new.yaml")
    return "old.yaml", "new.yaml"


def test_a_json_diff_of_tiny_files_imports_no_rich_pool_mocks_or_recorder(tmp_path: Path) -> None:
    done, imported = _start(tmp_path, "diff", *_tiny_pair(tmp_path), "--format", "json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["checked"] == [{"endpoint": "GET httpbin.org/ip", "status": 200}]
    assert {"yaml", "driftcheck.reporting.json_report", "driftcheck.run.diff"} <= imported
    unused = ("rich", "deepdiff", "requests", "vcr", "werkzeug", "hypothesis", "driftcheck.record")
    assert _among(imported, unused) == set()
    pool = ("multiprocessing", "concurrent.futures", "driftcheck.sources.workers")
    assert _among(imported, pool) == set()  # two files are read in the main process
    mocks = ("driftcheck.sources.mocks", "driftcheck.run.mocks", "driftcheck.core.fixture_check")
    assert _among(imported, mocks) == set()
    others = tuple(module for module in COMMAND_MODULES if module != "driftcheck.cli.reports")
    assert _among(imported, others) == set()


def test_an_unknown_command_is_told_the_nearest_without_importing_any(tmp_path: Path) -> None:
    done, imported = _start(tmp_path, "dif")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == "Error: No such command 'dif'. Did you mean 'diff'?"
    assert _among(imported, COMMAND_MODULES) == set()


def _defined_commands() -> dict[str, str]:
    """Every command object defined under driftcheck/cli/, as "module:attribute" by name."""
    found: dict[str, str] = {}
    for info in pkgutil.iter_modules(driftcheck.cli.__path__, "driftcheck.cli."):
        module = importlib.import_module(info.name)
        for attribute, value in vars(module).items():
            is_own = isinstance(value, click.Command) and value.callback is not None
            if is_own and value.callback.__module__ == info.name and value is not app.cli:
                found[value.name or attribute] = f"{info.name}:{attribute}"
    return found


def test_every_command_defined_is_in_the_lazy_table() -> None:
    assert {name: lazy.target for name, lazy in app.COMMANDS.items()} == _defined_commands()


@pytest.mark.parametrize("name", sorted(app.COMMANDS))
def test_the_table_summary_is_the_command_s_own(name: str) -> None:
    """The group's --help shortens the summary as Click shortens the command's help, for
    every width: same first paragraph, and nothing else Click would use instead."""
    command = app.load(app.COMMANDS[name].target)
    assert command.name == name
    assert (command.short_help, command.deprecated, command.hidden) == (None, False, False)
    assert (command.help or "").partition("\n\n")[0] == app.COMMANDS[name].summary


@pytest.mark.parametrize("width", [30, 45, 60, 80, 100, 200])
def test_the_lazy_listing_is_click_s_own(width: int) -> None:
    """The listing from the table alone, and Click's own from the imported commands."""
    lazy, loaded = app._Group(name="driftcheck"), app._Group(name="driftcheck")
    lazy_text, loaded_text = click.HelpFormatter(width=width), click.HelpFormatter(width=width)
    lazy.format_commands(click.Context(lazy), lazy_text)
    click.Group.format_commands(loaded, click.Context(loaded), loaded_text)
    assert lazy_text.getvalue() == loaded_text.getvalue()
    assert _listed("\n" + lazy_text.getvalue()) == sorted(app.COMMANDS)


def test_a_command_added_to_the_group_is_listed_and_found() -> None:
    given = click.Command("aa-given", help="A command given to the group.")
    group = app._Group(name="driftcheck", commands=[given])
    extra = click.Command("zz-extra", help="An extra command.\n\nMore.")
    group.add_command(extra)
    formatter = click.HelpFormatter(width=100)
    group.format_commands(click.Context(group), formatter)
    assert _listed("\n" + formatter.getvalue()) == ["aa-given", *sorted(app.COMMANDS), "zz-extra"]
    assert "An extra command." in formatter.getvalue()
    assert group.get_command(click.Context(group), "zz-extra") is extra
    assert group.get_command(click.Context(group), "no-such") is None
    del group.commands["zz-extra"]
    assert "zz-extra" not in group.commands
    with pytest.raises(KeyError):
        del group.commands["zz-extra"]


@pytest.mark.slow
def test_the_startup_benchmark_prints_every_figure_with_its_target() -> None:
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "startup_bench.py"
    command = [sys.executable, str(script), "--rounds", "1"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    lines = output.stdout.splitlines()
    for figure in ('python -c "import yaml, orjson"', "python -c pass"):
        assert any(line.startswith(figure) for line in lines), output.stdout
    for figure in ("--help", "diff tiny1 tiny2 --format json"):
        held = [line for line in lines if line.startswith("python -m driftcheck " + figure)]
        assert len(held) == 1, output.stdout
        assert re.search(r"\d+\.\d\dx +<= 3x  (met|MISSED)$", held[0]), held[0]
