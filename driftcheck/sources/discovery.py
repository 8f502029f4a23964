"""Find the cassettes of a repository, and what their requests carried.

`driftcheck init` points at a repository, not at a folder of cassettes: cassettes live
where each project's recorder puts them (pytest-recording's `tests/cassettes/{module}/`,
`tests/fixtures/vcr_cassettes/`, `cassettes/`, Betamax's `tests/cassettes/*.json`), beside
JSON fixtures and other YAML. So a file is recognised by its head alone (the first few KB
name a top-level `interactions` or `http_interactions` list), and the config is given the
fewest places that hold every cassette found and nothing else a reader would stumble on.

The requests of a cassette (headers, bodies) are read here too: interactions as `scan`
returns them carry the response only, and `init` needs to know which credentials and
request bodies recording will need.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driftcheck.errors import CassetteError
from driftcheck.sources.cassettes import (
    CASSETTE_SUFFIXES,
    normalize_headers,
    parse_document,
    read_regular,
    unwrap_body,
)

SNIFF_BYTES = 4096  # the top-level key leads every cassette format driftcheck reads
SKIPPED_FOLDERS = frozenset(
    {"node_modules", "site-packages", "__pycache__", "venv", "env", "virtualenv"}
)
_BLOCK_KEY = re.compile(
    rb"(?m)^(?:[\"']?(?:http_)?interactions[\"']?|- [\"']?request[\"']?)[ \t]*:"
)  # `- request:`: vcrpy's pre-1.0 list, found so that it is reported, not passed over
_FLOW_TOKEN = re.compile(rb""""(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[{}\[\]]|[A-Za-z_]+""")
_KEYS = frozenset({b"interactions", b"http_interactions"})
_OLD_KEYS = frozenset({b"request"})  # `[{"request": ...}]`: vcrpy's pre-1.0 list
_BOM = b"\xef\xbb\xbf"

WHAT_A_CASSETTE_IS = (
    "a cassette is a VCR.py, Ruby VCR or Betamax recording: a YAML or JSON file "
    "whose document has an `interactions` (or `http_interactions`) list"
)


@dataclass(frozen=True, slots=True)
class Discovered:
    """The cassettes under a root, and the places (folders searched recursively, globs,
    files; relative to the root, `/`-separated) that hold them and nothing else."""

    root: Path
    files: tuple[Path, ...] = ()
    places: tuple[str, ...] = ()


def is_cassette(path: Path) -> bool:
    """Whether the file's head names a top-level interactions list (cheap: no parsing)."""
    try:
        head = read_regular(path, SNIFF_BYTES)  # a FIFO is never opened: it would hang
    except CassetteError:
        return False
    head = head.removeprefix(_BOM).lstrip()
    if head[:1] == b"{":
        return _flow_key(head, _KEYS, 1)
    if head[:1] == b"[":
        return _flow_key(head, _OLD_KEYS, 2)
    return _BLOCK_KEY.search(head) is not None


def _flow_key(head: bytes, keys: frozenset[bytes], level: int) -> bool:
    """JSON or flow-style YAML: a key at `level` (1: the top-level mapping), outside
    strings, is one of `keys` (an `interactions` key deeper is another document's)."""
    depth = 0
    for token in _FLOW_TOKEN.finditer(head):
        text = token.group()
        if text in (b"{", b"["):
            depth += 1
        elif text in (b"}", b"]"):
            depth -= 1
        elif (
            depth == level
            and text.strip(b"\"'") in keys
            and head[token.end() :].lstrip()[:1] == b":"
        ):
            return True
    return False


def _candidate(name: str) -> bool:
    """A file `cassettes.discover` would list in a folder."""
    return not name.startswith(".") and Path(name).suffix.lower() in CASSETTE_SUFFIXES


def _walked(here: Path, name: str) -> bool:
    return not (
        name.startswith(".")
        or name in SKIPPED_FOLDERS
        or (here / name / "pyvenv.cfg").exists()  # a virtualenv of any name
    )


@dataclass
class _Folder:
    """What one folder holds, as a place in the config would see it."""

    cassettes: list[Path] = field(default_factory=list)
    others: list[Path] = field(default_factory=list)  # files a reader of the folder would try
    children: list[Path] = field(default_factory=list)
    hides: bool = False  # a skipped folder (node_modules) that a recursive read would enter


def _survey(root: Path) -> dict[Path, _Folder]:
    folders: dict[Path, _Folder] = {}
    for folder, names, files in os.walk(root):
        here = Path(folder)
        info = folders[here] = _Folder()
        kept = sorted(name for name in names if _walked(here, name))
        info.hides = any(
            n not in kept and not n.startswith(".") for n in names if n != "__pycache__"
        )
        names[:] = kept
        info.children = [here / name for name in kept]
        for name in sorted(files):
            path = here / name
            if _candidate(name) and path.is_file():  # a FIFO or socket: no reader opens it
                (info.cassettes if is_cassette(path) else info.others).append(path)
    return folders


def _clean(folders: Mapping[Path, _Folder]) -> set[Path]:
    """Folders that a recursive read would find only cassettes in."""
    clean: set[Path] = set()
    for folder in sorted(folders, key=lambda path: len(path.parts), reverse=True):
        info = folders[folder]
        if not info.others and not info.hides and all(c in clean for c in info.children):
            clean.add(folder)
    return clean


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() or "."


def _loose(folder: _Folder, root: Path) -> list[str]:
    """Cassettes beside other files: a glob per extension that takes only cassettes,
    else the files themselves."""
    places: list[str] = []
    by_suffix: dict[str, list[Path]] = {}
    for path in folder.cassettes:
        by_suffix.setdefault(path.suffix, []).append(path)
    for suffix, paths in sorted(by_suffix.items()):
        if suffix and not any(other.suffix == suffix for other in folder.others):
            places.append(_relative(paths[0].parent / f"*{suffix}", root))
        else:
            places.extend(_relative(path, root) for path in paths)
    return places


def discover_repository(root: Path) -> Discovered:
    """Every cassette under `root` (hidden folders, virtualenvs, node_modules and
    site-packages skipped) and the fewest places that cover them: cassettes under one
    folder that holds nothing else a reader would try are named by the deepest folder
    holding them all; cassettes that share a folder with other files are named by a
    glob or one by one."""
    root = root.resolve()
    folders = _survey(root)
    clean = _clean(folders)
    places: dict[str, None] = {}
    groups: dict[Path, list[Path]] = {}  # the highest clean folder -> cassettes' folders
    for here, info in folders.items():
        if not info.cassettes:
            continue
        if here not in clean:
            places.update(dict.fromkeys(_loose(info, root)))
            continue
        top = here
        while top != root and top.parent in clean:
            top = top.parent
        groups.setdefault(top, []).append(here)
    for holders in groups.values():
        places[_relative(_common(holders), root)] = None
    files = sorted(path for info in folders.values() for path in info.cassettes)
    return Discovered(root, tuple(files), tuple(sorted(places)))


def _common(folders: list[Path]) -> Path:
    common = folders[0]
    for folder in folders[1:]:
        while not folder.is_relative_to(common):
            common = common.parent
    return common


@dataclass(frozen=True, slots=True)
class Request:
    """What one recorded request carried: header names lower-cased, the body as stored."""

    method: str
    uri: str
    headers: Mapping[str, list[str]] = field(default_factory=dict)
    body: str | bytes | None = None


def read_requests(path: Path) -> list[Request]:
    """The requests of a cassette, by interaction index; [] when it cannot be read (the
    scan reports that file already)."""
    try:
        document = parse_document(read_regular(path), str(path))
    except CassetteError:
        return []
    entries = (
        document.get("interactions", document.get("http_interactions"))
        if isinstance(document, dict)
        else None
    )
    if not isinstance(entries, list):
        return []
    return [_request(entry) for entry in entries]


def _request(entry: Any) -> Request:
    request = entry.get("request") if isinstance(entry, dict) else None
    if not isinstance(request, dict):
        return Request("", "")
    uri = request.get("uri", request.get("url"))
    method = request.get("method")
    return Request(
        method.upper() if isinstance(method, str) and method else "GET",
        uri if isinstance(uri, str) else "",
        normalize_headers(request.get("headers")),
        _body(request.get("body")),
    )


def _body(body: Any) -> str | bytes | None:
    """A recorded request body as text or bytes (nested YAML structures are not one)."""
    body = unwrap_body(body)
    return body if isinstance(body, (str, bytes)) else None


def requests_of(paths: Iterable[Path]) -> dict[Path, list[Request]]:
    """The requests of several cassettes, each read once."""
    return {path: read_requests(path) for path in dict.fromkeys(paths)}
