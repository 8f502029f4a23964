"""Finding a repository's cassettes in the usual layouts, by their head, and the fewest
places that cover them and nothing else."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from driftcheck.sources.cassettes import find
from driftcheck.sources.discovery import discover_repository, is_cassette, read_requests
from tests.helpers import CASSETTES

VCRPY = """interactions:
- request:
    body: '{"name": "Ada"}'
    headers:
      Authorization: [Bearer t0k3n]
    method: POST
    uri: https://api.example.com/users
  response:
    body: {string: '{"id": 1}'}
    headers: {Content-Type: [application/json]}
    status: {code: 201, message: Created}
version: 1
"""
BETAMAX = json.dumps(
    {
        "http_interactions": [
            {
                "request": {
                    "method": "GET",
                    "uri": "https://api.example.com/users/1",
                    "headers": {"X-Api-Key": ["k"]},
                    "body": {
                        "encoding": "utf-8",
                        "base64_string": base64.b64encode(b"{}").decode(),
                    },
                },
                "response": {
                    "status": {"code": 200},
                    "headers": {},
                    "body": {"string": "{}"},
                },
            }
        ],
        "recorded_with": "betamax/0.8.1",
    }
)
RUBY_VCR = "---\nhttp_interactions:\n- request:\n    method: get\n    uri: https://a.b/c\n"
GO_VCR = "---\nversion: 1\ninteractions:\n- request:\n    url: https://a.b/c\n"


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _found(root: Path) -> tuple[list[str], list[str]]:
    found = discover_repository(root)
    return [p.relative_to(root).as_posix() for p in found.files], list(found.places)


@pytest.mark.parametrize(
    ("text", "cassette"),
    [
        (VCRPY, True),
        (BETAMAX, True),
        (RUBY_VCR, True),
        (GO_VCR, True),
        ("\ufeff" + VCRPY, True),
        ('{\n    "interactions": [],\n    "version": 1\n}', True),
        ("{interactions: [{request: {uri: x}}]}", True),
        ('{"data": {"interactions": []}}', False),
        ('{"note": "{\\"interactions\\": [", "id": 1}', False),
        ('[{"interactions": []}]', False),
        ('[\n  {\n    "request": {"uri": "x"}}]', True),
        ("- request: !!python/object:vcr.request.Request\n", True),
        ('[{"data": {"request": 1}}]', False),
        ("users:\n  interactions: []\n", False),
        ('{"id": 1, "name": "Ada"}', False),
        ("", False),
    ],
)
def test_a_cassette_is_recognised_by_its_head(tmp_path: Path, text: str, cassette: bool) -> None:
    path = tmp_path / "file"
    path.write_text(text)
    assert is_cassette(path) is cassette


def test_every_curated_cassette_is_recognised() -> None:
    """Pre-1.0 vcrpy cassettes (top-level lists) too: found, they are reported."""
    assert [p.name for p in CASSETTES.iterdir() if not is_cassette(p)] == ["vcrpy_not_cassette.txt"]


def test_pytest_recording_layout_is_one_folder(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "tests/cassettes/test_users/test_get.yaml": VCRPY,
            "tests/cassettes/test_users/test_list.yaml": VCRPY,
            "tests/cassettes/test_orders/test_create.yaml": VCRPY,
            "tests/test_users.py": "",
            "tests/fixtures/user.json": '{"id": 1}',
        },
    )
    files, places = _found(tmp_path)
    assert files == [
        "tests/cassettes/test_orders/test_create.yaml",
        "tests/cassettes/test_users/test_get.yaml",
        "tests/cassettes/test_users/test_list.yaml",
    ]
    assert places == ["tests/cassettes"]


def test_the_deepest_folder_holding_all_is_taken_where_nothing_else_is_read(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "tests/fixtures/vcr_cassettes/users.yaml": VCRPY,
            "tests/fixtures/user.json": '{"id": 1}',
            "cassettes/a/b.yaml": VCRPY,
            "cassettes/README.md": "not read by a folder reader",
            "tests/integration/cassettes/betamax.json": BETAMAX,
        },
    )
    _, places = _found(tmp_path)
    assert places == ["cassettes/a", "tests/fixtures/vcr_cassettes", "tests/integration/cassettes"]


def test_cassettes_beside_other_files_are_a_glob_or_themselves(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "tests/data/users.yaml": VCRPY,
            "tests/data/orders.yaml": VCRPY,
            "tests/data/betamax.json": BETAMAX,
            "tests/data/payload.json": '{"id": 1}',
            "tests/data/recording": RUBY_VCR,
        },
    )
    files, places = _found(tmp_path)
    assert len(files) == 4
    assert places == ["tests/data/*.yaml", "tests/data/betamax.json", "tests/data/recording"]
    assert sorted(find(str(tmp_path / place) for place in places)) == [
        str(tmp_path / file) for file in files
    ]


def test_virtualenvs_hidden_folders_and_packages_are_skipped(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            ".venv/lib/c.yaml": VCRPY,
            "myenv/pyvenv.cfg": "",
            "myenv/lib/c.yaml": VCRPY,
            "node_modules/pkg/c.json": BETAMAX,
            "lib/site-packages/vcr/c.yaml": VCRPY,
            ".git/c.yaml": VCRPY,
            "tests/.hidden.yaml": VCRPY,
            "tests/cassettes/c.yaml": VCRPY,
        },
    )
    assert _found(tmp_path) == (["tests/cassettes/c.yaml"], ["tests/cassettes"])


def test_a_folder_a_reader_would_enter_node_modules_of_is_not_taken(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {"web/cassettes/c.yaml": VCRPY, "web/node_modules/x/package.json": '{"name": "x"}'},
    )
    assert _found(tmp_path)[1] == ["web/cassettes"]


def test_a_repository_of_cassettes_only_is_its_own_place(tmp_path: Path) -> None:
    _write(tmp_path, {"a.yaml": VCRPY, "b/c.yaml": VCRPY, "notes.md": "# notes"})
    assert _found(tmp_path) == (["a.yaml", "b/c.yaml"], ["."])


def test_nothing_found(tmp_path: Path) -> None:
    _write(tmp_path, {"tests/fixtures/user.json": '{"id": 1}'})
    assert _found(tmp_path) == ([], [])


def test_requests_are_read_with_their_headers_and_bodies(tmp_path: Path) -> None:
    _write(tmp_path, {"v.yaml": VCRPY, "b.json": BETAMAX, "broken.yaml": "interactions: [:"})
    (post,) = read_requests(tmp_path / "v.yaml")
    assert (post.method, post.uri, post.body) == (
        "POST",
        "https://api.example.com/users",
        '{"name": "Ada"}',
    )
    assert post.headers == {"authorization": ["Bearer t0k3n"]}
    (get,) = read_requests(tmp_path / "b.json")
    assert (get.method, get.headers, get.body) == ("GET", {"x-api-key": ["k"]}, b"{}")
    assert read_requests(tmp_path / "broken.yaml") == []
    assert read_requests(tmp_path / "missing.yaml") == []


def test_a_fifo_in_a_repository_is_never_opened(tmp_path: Path) -> None:
    """Sniffing a FIFO's head would wait for a writer forever (issue 15, defect 12): the
    survey runs in a subprocess, so a hang fails the test by its timeout."""
    folder = tmp_path / "tests" / "cassettes"
    folder.mkdir(parents=True)
    (folder / "users.yaml").write_bytes((CASSETTES / "vcrpy_flow_style.yaml").read_bytes())
    os.mkfifo(folder / "pipe.yaml")
    script = (
        "import sys; from pathlib import Path\n"
        "from driftcheck.sources.discovery import discover_repository, is_cassette, read_requests\n"
        "found = discover_repository(Path(sys.argv[1]))\n"
        "pipe = Path(sys.argv[1], 'tests/cassettes/pipe.yaml')\n"
        "print([p.name for p in found.files], list(found.places), is_cassette(pipe),"
        " read_requests(pipe))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.stderr == ""
    assert completed.stdout == "['users.yaml'] ['tests/cassettes'] False []\n"


def test_requests_with_odd_methods_are_read(tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    entries = [
        {"request": {"method": method, "uri": "http://h/x"}, "response": {}}
        for method in ([[[["deep"]]]], 5, "post")
    ]
    path.write_text(json.dumps({"interactions": entries}))
    assert [request.method for request in read_requests(path)] == ["GET", "GET", "POST"]


def test_files_below_finds_what_rglob_finds_in_the_same_order(tmp_path: Path) -> None:
    """Hidden entries skipped, symlinked folders not entered, symlinked files taken, a
    FIFO left out, sorted part by part (`a/b.yaml` before `a.yaml`)."""
    from driftcheck.sources.cassettes import CASSETTE_SUFFIXES
    from driftcheck.sources.regular import files_below

    for name in ["a.yaml", "a/b.yaml", "a/c/d.YML", "b.json", "noext", "x.txt", "a-b.yaml",
                 ".hidden.yaml", ".dot/in.yaml", "a/.h/e.yaml", "name.", "a/z.yml"]:  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / "linked").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "file-link.yaml").symlink_to(tmp_path / "b.json")
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "missing")
    os.mkfifo(tmp_path / "pipe.yaml")
    expected = [
        path
        for path in sorted(tmp_path.rglob("*"))
        if path.is_file()
        and path.suffix.lower() in CASSETTE_SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(tmp_path).parts)
    ]
    assert files_below(tmp_path, CASSETTE_SUFFIXES) == [str(path) for path in expected]
    assert tmp_path / "a" / "b.yaml" in expected
    assert tmp_path / "file-link.yaml" in expected
    assert not any(part == "linked" for path in expected for part in path.parts)
