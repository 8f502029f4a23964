"""The benchmark scripts keep working: a deterministic corpus, and every figure printed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from vcr.persisters.filesystem import FilesystemPersister
from vcr.serializers import yamlserializer

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bench_process  # noqa: E402
import cassette_text  # noqa: E402
import synthetic  # noqa: E402
import synthetic_big  # noqa: E402
import synthetic_small  # noqa: E402
from cassette_text import Exchange  # noqa: E402


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))}


MEMORY_ROW = r" +(\d+) MB +(\d\.\d\d)x  <= (\d+) MB \(1\.00x\) +(ok|MISSED)"


def _memory_figures(stdout: str) -> dict[str, tuple[int, float, int]]:
    """Each peak RSS row as (MB, ratio to the limit, limit MB); the rows must all parse."""
    labels = ("max RSS, largest process", "peak RSS, main process (2 workers)")
    labels += ("peak RSS, process tree (2 workers)", "peak RSS, process tree (1 worker)")
    figures = {}
    for label in labels:
        found = re.search(re.escape(label) + MEMORY_ROW, stdout)
        assert found, f"{label!r} missing or unparseable in:\n{stdout}"
        mb, ratio, limit = int(found[1]), float(found[2]), int(found[3])
        assert found[4] == ("ok" if mb <= limit else "MISSED")
        assert abs(mb / limit - ratio) < 0.01  # the ratio is to the printed limit
        figures[label] = mb, ratio, limit
    main, largest = figures[labels[1]][0], figures[labels[0]][0]
    assert 5 <= main <= largest  # a real sample of a Python process, within the largest's
    assert len({limit for _, _, limit in figures.values()}) == 1  # the preset's one limit
    return figures


def test_the_values_benchmark_prints_both_runs_and_the_ratio(tmp_path: Path) -> None:
    base, current = synthetic.generate(tmp_path, "tiny")
    command = [
        sys.executable, str(BENCHMARKS / "values_bench.py"), "--base", str(base),
        "--current", str(current), "--rounds", "1",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    without = re.search(r"without value domains and headers +(\d+\.\d\d) s", output.stdout)
    shipped = re.search(r"with them \(as shipped\) +(\d+\.\d\d) s", output.stdout)
    ratio = re.search(r"ratio (\d+\.\d{3})x  <= 1\.05x  (ok|MISSED)", output.stdout)
    assert without, output.stdout
    assert shipped, output.stdout
    assert ratio, output.stdout
    assert float(without.group(1)) > 0


@pytest.mark.slow
def test_the_synthetic_corpus_is_deterministic_and_drifts(tmp_path: Path) -> None:
    base, current = synthetic.generate(tmp_path / "a", "tiny")
    again, _ = synthetic.generate(tmp_path / "b", "tiny")
    assert _tree(base) == _tree(again)  # same preset and seed: byte-identical
    assert _tree(base).keys() == _tree(current).keys()  # CURRENT re-records the same files
    assert _tree(base) != _tree(current)
    other, _ = synthetic.generate(tmp_path / "c", "tiny", seed=2)
    assert _tree(other) != _tree(base)


@pytest.mark.slow
def test_the_diff_benchmark_prints_every_figure(tmp_path: Path) -> None:
    base, current = synthetic.generate(tmp_path, "tiny")
    command = [
        sys.executable, str(BENCHMARKS / "diff_bench.py"), "--base", str(base),
        "--current", str(current), "--deepdiff-budget", "0.5", "--repeat", "1",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    for figure in (
        "parse floor",
        "diff cold, 2 workers, cache written",
        "diff cold, 2 workers, --no-cache",
        "diff cold, 1 worker",
        "diff warm, 2 workers",
        "reports identical (cold/warm/1/2 workers)          yes",
        "max RSS, largest process",
        "peak RSS, process tree",
        "GenSON schema",
        "driftcheck inference",
        "naive DeepDiff",
    ):
        assert figure in output.stdout, output.stdout
    assert "<= 0.15x floor" in output.stdout
    assert ">= 50x" in output.stdout
    assert "RSS limit 250 MB + 3 x largest = " in output.stdout  # the memory target, per corpus
    assert "parse floor's own process: peak RSS" in output.stdout  # measured apart
    _memory_figures(output.stdout)


@pytest.mark.slow
def test_the_memory_only_benchmark_runs_only_cold_diffs(tmp_path: Path) -> None:
    base, current = synthetic.generate(tmp_path, "tiny")
    command = [
        sys.executable, str(BENCHMARKS / "diff_bench.py"), "--base", str(base),
        "--current", str(current), "--memory-only",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    assert re.search(r"reports identical \(cold, 1/2 workers\) +yes", output.stdout)
    assert re.search(r"max RSS, largest process +\d+ MB +\d\.\d\dx  <= \d+ MB", output.stdout)
    _memory_figures(output.stdout)
    assert "parse floor" not in output.stdout
    assert "diff warm" not in output.stdout


_PARENT_AND_CHILD = """
import multiprocessing, time
def worker():
    held = bytearray(160 * 2**20)
    held[:: 4096] = b"x" * len(held[:: 4096])
    time.sleep(0.5)
if __name__ == "__main__":
    held = bytearray(60 * 2**20)
    held[:: 4096] = b"x" * len(held[:: 4096])
    child = multiprocessing.get_context("fork").Process(target=worker)
    child.start()
    child.join()
    time.sleep(0.5)
    print("done")
"""


def test_the_main_process_peak_leaves_out_its_workers(tmp_path: Path) -> None:
    """The main process's own VmHWM: its 60 MB, not its child's 160 MB (issue 16)."""
    script = tmp_path / "parent.py"
    script.write_text(_PARENT_AND_CHILD)
    run = bench_process.watched([sys.executable, str(script)])
    assert (run.code, run.output) == (0, b"done\n")
    mb = 2**20
    assert 60 * mb <= run.main_rss < 160 * mb
    assert run.max_rss >= 160 * mb  # the child's, as the largest process
    assert run.tree_rss >= run.main_rss


# ---------------------------------------------------------------- scale presets (issue 16)

PER_TEST = re.compile(r"cassettes/test_[a-z]+_\d{3}/test_(get|create)_\d{2}(\[case\d\])?\.yaml")


def _vcr_load(path: Path) -> tuple[list, list]:  # type: ignore[type-arg]
    requests, responses = FilesystemPersister.load_cassette(str(path), yamlserializer)
    return list(requests), list(responses)


def test_many_small_cassettes_are_per_test_files_vcrpy_loads(tmp_path: Path) -> None:
    base, current = tmp_path / "base", tmp_path / "current"
    synthetic_small.write(base, current, seed=1, files=60, workers=1, pool=3)
    names = _tree(base).keys()
    assert len(names) == 60
    assert names == _tree(current).keys()
    assert all(PER_TEST.fullmatch(name) for name in names), sorted(names)[:3]
    assert len({name.split("/")[1] for name in names}) == 2  # 40 tests a module
    statuses, endpoints = set(), set()
    for path in sorted(base.rglob("*.yaml")):
        requests, responses = _vcr_load(path)
        assert 1 <= len(responses) <= 5
        for request, response in zip(requests, responses, strict=True):
            text = response["body"]["string"]
            json.loads(text)  # every body is JSON
            assert response["headers"]["Content-Length"] == [str(len(text))]
            statuses.add(response["status"]["code"])
            endpoints.add(
                (request.method, re.sub(r"/[0-9a-f-]{1,36}(?=/|$)", "/{id}", request.path))
            )
    assert {200, 201} <= statuses
    assert statuses & {404, 422}
    assert len(endpoints) > 10  # tests share endpoints, with ids in their URLs


def test_many_small_is_deterministic_whatever_the_split(tmp_path: Path) -> None:
    synthetic_small.write(tmp_path / "a", tmp_path / "b", seed=1, files=24, workers=1, pool=3)
    synthetic_small.write(tmp_path / "c", tmp_path / "d", seed=1, files=24, workers=2, pool=3)
    synthetic_small.write(tmp_path / "e", tmp_path / "f", seed=2, files=24, workers=1, pool=3)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "c")
    assert _tree(tmp_path / "b") == _tree(tmp_path / "d")
    assert _tree(tmp_path / "a") != _tree(tmp_path / "b")  # CURRENT: fresh values, drift
    assert _tree(tmp_path / "a") != _tree(tmp_path / "e")


@pytest.mark.parametrize("index", range(0, 400, 37))
def test_the_fast_cassette_text_is_what_yaml_dump_writes(index: int) -> None:
    for side in (0, 1):
        _, exchanges = synthetic_small.cassette(1, side, index, pool=3)
        text = cassette_text.render(exchanges)
        assert text == yaml.dump(cassette_text.document(exchanges), Dumper=yaml.CSafeDumper)


_WORDS = st.lists(st.from_regex(r"[a-z0-9{}\[\]\":,.\\]{1,30}", fullmatch=True), min_size=1)


@settings(max_examples=60, deadline=None)
@given(words=_WORDS, column=st.integers(0, 120))
def test_folding_matches_libyaml_at_any_column(words: list[str], column: int) -> None:
    """Text pieces folded one after another, from any start column, as libyaml folds."""
    body = "{" + " ".join(words) + "}"
    exchange = Exchange("GET", "https://api.example.com/v1/x/1", 200, "req-1")
    assert cassette_text.render([(exchange, body)]) == yaml.dump(
        cassette_text.document([(exchange, body)]), Dumper=yaml.CSafeDumper
    )
    whole = cassette_text.Fold(column, 8)(body)
    fold = cassette_text.Fold(column, 8)
    cut = len(body) // 2
    assert fold(body[:cut]) + fold(body[cut:]) == whole


def test_the_fast_text_refuses_what_it_cannot_fold() -> None:
    with pytest.raises(ValueError, match="only ASCII"):
        cassette_text.Fold(0, 8)('{"it\'s": 1}')


@pytest.mark.parametrize("kind", ["fifty", "one", "string"])
def test_big_body_cassettes_stream_what_yaml_dump_writes(tmp_path: Path, kind: str) -> None:
    synthetic_big.check(kind, 1, 1, 120_000, pool=3)  # raises on any difference
    base, current = tmp_path / "base", tmp_path / "current"
    synthetic_big.write_preset(kind, base, current, seed=1, size=120_000, pool=3)
    (path,) = base.rglob("*.yaml")
    _, responses = _vcr_load(path)
    assert len(responses) == (50 if kind == "fifty" else 1)
    bodies = [json.loads(response["body"]["string"]) for response in responses]
    if kind == "string":
        assert len(bodies[0]["content"]) >= 120_000
    else:
        assert all(len(body["data"]) == body["meta"]["per_page"] for body in bodies)
    again = tmp_path / "again"
    synthetic_big.write_preset(kind, again / "b", again / "c", seed=1, size=120_000, pool=3)
    assert _tree(base) == _tree(again / "b")
    assert _tree(base) != _tree(current)


def test_the_benchmark_knows_the_scale_presets() -> None:
    assert {"many-small", "many-small-100k", "big-body"} <= set(synthetic.NAMES)
    assert all(name in synthetic.SCALE for name in synthetic.GROUPS["big-body"])
