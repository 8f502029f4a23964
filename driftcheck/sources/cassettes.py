"""Read VCR.py cassettes (YAML or JSON, any extension) into interactions.

Also reads the layouts of VCR's ports that share its idea: Ruby VCR and Betamax
(`http_interactions`, `base64_string` bodies) and go-vcr (`url`, `code`).

YAML goes through `yamlsafe`, which never builds objects from YAML tags; writing
cassettes is `record.writer`'s. A GraphQL request's operation name is read from its
recorded body, so configured endpoints can tell operations at one URL apart.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import glob
import itertools
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from driftcheck import jsonio
from driftcheck.core.model import FileError, Interaction
from driftcheck.errors import CassetteError
from driftcheck.sources import big_scalars, fields, regular, yamlsafe
from driftcheck.sources.bodies import DecodedBody, decode_body

CASSETTE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ""})
GRAPHQL_BODY_LIMIT = 1 << 20  # bytes: queries are small; a larger body is not parsed for one
_GRAPHQL_NOISE = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*')
_SPACE = re.compile(rb"\s*")  # what `bytes.lstrip()` strips, found without a copy
_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,255}\Z")
_GRAPHQL_TOKENS = re.compile(r"[{}]|\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


class _BodyShapeError(Exception):
    """A stored body that is a YAML structure, not text: never stringified (alias bombs)."""


@dataclass(frozen=True, slots=True)
class Cassette:
    """The interactions of one cassette file."""

    path: str
    interactions: tuple[Interaction, ...]


def parse_document(text: bytes, name: str) -> Any:
    """The cassette document: JSON when it looks like JSON, else YAML (safe)."""
    stripped = text.lstrip()
    if not stripped:
        raise CassetteError(name, "empty file, not a cassette")
    if name.endswith(".json") or stripped[:1] in (b"{", b"["):
        try:
            return jsonio.loads(text)
        except jsonio.JSONDecodeError:
            pass  # flow-style YAML also starts with { or [
    try:
        return yamlsafe.load(text)
    except yamlsafe.YamlProblem as error:
        raise CassetteError(name, str(error)) from None


def read_cassette(path: str | os.PathLike[str]) -> Cassette:
    """Load one cassette file; raises CassetteError with a one-line reason."""
    name = str(path)
    return Cassette(name, tuple(parse_cassette(read_regular(path), name)))


def read_regular(path: str | os.PathLike[str], limit: int = -1) -> bytes:
    """The bytes of a regular file (its first `limit` bytes when given); CassetteError for
    anything else: a FIFO, socket or device is never read (it would block, or never end)."""
    try:
        return regular.read_regular(path, limit)
    except regular.NotReadable as error:
        suffix = ": a cassette is a file" if error.special else ""
        raise CassetteError(str(path), f"{error}{suffix}") from None


def parse_cassette(data: bytes, name: str) -> list[Interaction]:
    """The interactions of a cassette's bytes; raises CassetteError."""
    entries = _entries(parse_document(data, name), name)
    interactions = []
    for index, entry in enumerate(entries):
        try:
            shell, raw, headers = _parts(entry, name, index)
            interactions.append(with_body(shell, decode_body(raw, headers)))
        except UNFORESEEN as error:  # still one listed file, never the end of a run
            raise unforeseen(name, index, error) from None
        entries[index] = entry = None  # its raw body, once decoded: a large one is held once
    return _with_lines(interactions, data)


Shell = dict[str, Any]  # an interaction's fields but its body's (`Interaction` keywords)
Pending = tuple[Shell, "str | bytes | None", dict[str, list[str]]]


def parse_lazily(box: list[bytes], name: str) -> list[Pending]:
    """A cassette's interactions, each with its raw body and headers still to decode
    (`classify`, then `with_body`): the bytes in `box` are taken out and released once
    the lines are found, so a huge file is not held while its bodies are parsed."""
    data = box.pop()
    entries = _entries(_document(data, name), name)
    parts: list[Pending] = []
    for index, entry in enumerate(entries):
        try:
            parts.append(_parts(entry, name, index))
        except UNFORESEEN as error:
            raise unforeseen(name, index, error) from None
        entries[index] = entry = None
    lines = _lines([shell["uri"] for shell, _, _ in parts], data)
    for (shell, _, _), line in zip(parts, lines, strict=True):
        shell["line"] = line
    del data
    return parts


def _document(data: bytes, name: str) -> Any:
    """`parse_document`, a huge YAML file's huge bodies taken out of the text first and
    put back after (`big_scalars`: libyaml would hold each twice more)."""
    first = _SPACE.match(data).end()  # type: ignore[union-attr]  # `*`: always matches
    if len(data) < big_scalars.BIG_SCALAR or data[first : first + 1] in (b"{", b"["):
        return parse_document(data, name)
    text, taken = big_scalars.take_out(data)
    if not taken:
        return parse_document(data, name)
    try:
        document = parse_document(text, name)
    except CassetteError:
        document = None  # the original text says why, below
    del text
    if document is not None and big_scalars.put_back(document, taken):
        return document
    del document, taken
    return parse_document(data, name)


UNFORESEEN = (ValueError, TypeError, OverflowError, LookupError, UnicodeError, RecursionError)


def unforeseen(name: str, index: int, error: Exception) -> CassetteError:
    """What reading an odd value raised that no check in `fields` foresaw: it fails one
    file, with one line, never the run."""
    reason = ascii(f"{type(error).__name__}: {error}")[1:-1][:200]
    return CassetteError(name, f"interaction {index} cannot be read: {reason}")


def _entries(document: Any, name: str) -> list[Any]:
    """The interaction entries of a parsed cassette document."""
    if isinstance(document, list):
        raise CassetteError(
            name, "pre-1.0 vcrpy cassette format (a top-level list, no `uri`); re-record it"
        )
    entries = None
    if isinstance(document, dict):
        entries = document.get("interactions", document.get("http_interactions"))
    if not isinstance(entries, list):
        raise CassetteError(
            name,
            "not a cassette: expected a mapping with an `interactions` list, "
            f"found {_describe(document)}",
        )
    return entries


def _describe(document: Any) -> str:
    if isinstance(document, dict):
        first = itertools.islice(document, 5)
        keys = ", ".join(f"`{fields.printable(str(key)[:40])}`" for key in first)
        return f"a mapping with keys {keys}" if keys else "an empty mapping"
    if isinstance(document, str):
        return "plain text"
    return {type(None): "nothing", bool: "a boolean"}.get(type(document), "a number")


def _parts(entry: Any, name: str, index: int) -> Pending:
    """An interaction's fields but its body's, its raw body and its headers."""
    where = f"interaction {index}"
    if not isinstance(entry, dict):
        raise CassetteError(name, f"{where} is not a mapping")
    request, response = entry.get("request"), entry.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        raise CassetteError(name, f"{where} lacks a `request` or `response` mapping")
    uri = fields.uri(request, name, where)
    method = fields.method(request.get("method"), name, where)
    status = fields.status(response, name, where)
    headers = normalize_headers(response.get("headers"))
    try:
        raw = _raw_body(response)
    except _BodyShapeError as error:
        raise CassetteError(
            name, f"{where}: response body is a YAML {error} where text was expected"
        ) from None
    shell = {
        "method": method,
        "uri": uri,
        "status": status,
        "source": name,
        "index": index,
        "recorded_at": fields.recorded_at(entry.get("recorded_at"), headers),
        "operation": _operation(request, uri),
        "headers": {name: values if name in _NOTICES else () for name, values in headers.items()},
    }
    return shell, raw, headers


# A response's headers as an interaction keeps them: names, and the values only of those
# that announce a retirement (`core/retirement.py`); no other value is kept or cached.
_NOTICES = frozenset({"deprecation", "sunset", "link"})


def with_body(shell: Shell, decoded: DecodedBody) -> Interaction:
    """An interaction from `_parts` with its decoded body."""
    return Interaction(
        content_type=decoded.content_type,
        kind=decoded.kind,
        body=decoded.value,
        note=decoded.note,
        **shell,
    )


def _operation(request: Mapping[str, Any], uri: str) -> str | None:
    """A GraphQL request's operation name: its body's `operationName`, else the first
    operation named in its `query` (a GET carries both in the query string). None for
    any other request, and for anything that cannot be read: it never fails the file."""
    try:
        raw = _raw_body(request)
    except _BodyShapeError:
        return None
    if raw and len(raw) <= GRAPHQL_BODY_LIMIT and raw.lstrip()[:1] in (b"{", "{"):
        try:
            document = jsonio.loads(raw)
        except (ValueError, TypeError):
            return None
        if isinstance(document, dict) and isinstance(document.get("query"), str):
            return _operation_name(document["query"], document.get("operationName"))
        return None
    query = parse_qs(urlsplit(uri).query) if len(uri) <= GRAPHQL_BODY_LIMIT else {}
    if "query" in query:
        return _operation_name(query["query"][0], query.get("operationName", [""])[0])
    return None


def _operation_name(query: str, name: Any) -> str | None:
    """The stated `operationName` when it is a GraphQL name (anything else, such as text
    with control characters, is no name and never reaches a report), else the query's."""
    if isinstance(name, str) and _GRAPHQL_NAME.match(name):
        return name
    return first_operation(query)


def first_operation(query: str) -> str | None:
    """The name of the first operation defined in a GraphQL document (`query GetUser`,
    `mutation AddStar`): at the top level, outside strings and comments."""
    depth = 0
    for token in _GRAPHQL_TOKENS.finditer(_GRAPHQL_NOISE.sub(" ", query)):
        if token.group(0) == "{":
            depth += 1
        elif token.group(0) == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            return token.group(1)
    return None


def _with_lines(interactions: list[Interaction], data: bytes) -> list[Interaction]:
    """Each interaction's line, found by its URI in the text (best effort: 0 if not found)."""
    lines = _lines([interaction.uri for interaction in interactions], data)
    return [
        dataclasses.replace(interaction, line=line) if line else interaction
        for interaction, line in zip(interactions, lines, strict=True)
    ]


def _lines(uris: list[str], data: bytes) -> list[int]:
    """The line of each URI in the text, searched in order from the previous one's."""
    lines: list[int] = []
    position, line = 0, 1
    for uri in uris:
        found = data.find(uri.encode("utf-8", "replace"), position)
        if found < 0:
            lines.append(0)
            continue
        line += data.count(b"\n", position, found)
        position = found + 1
        lines.append(line)
    return lines


def unwrap_body(body: Any) -> Any:
    """A stored body out of its wrapper: vcrpy's `string` (or `!!binary`), VCR's and
    Betamax's `base64_string` decoded (None when it is not base64); anything else as is."""
    if not isinstance(body, dict):
        return body
    if isinstance(body.get("base64_string"), str):
        try:
            return base64.b64decode(body["base64_string"])
        except (binascii.Error, ValueError):
            return None
    return body.get("string")


def _raw_body(response: Mapping[str, Any]) -> str | bytes | None:
    """The stored response body: vcrpy `body.string`, httpx `content`, `base64_string`."""
    body = unwrap_body(response.get("body", response.get("content")))
    if body is None or isinstance(body, (str, bytes)):
        return body
    if isinstance(body, (int, float)):
        return str(body)  # YAML read an unquoted number
    raise _BodyShapeError(type(body).__name__)


def normalize_headers(raw: Any) -> dict[str, list[str]]:
    """Lower-cased header names to lists of values, from any layout vcrpy has written."""
    pairs: Iterable[Any]
    if isinstance(raw, dict):
        pairs = raw.items()
    elif isinstance(raw, list):
        pairs = (item for item in raw if isinstance(item, (list, tuple)) and len(item) == 2)
    else:
        return {}
    headers: dict[str, list[str]] = {}
    for key, value in pairs:
        values = value if isinstance(value, list) else [value]
        scalars = [str(v) for v in values if isinstance(v, (str, int, float))]
        headers.setdefault(str(key).lower(), []).extend(scalars)  # nested values: dropped
    return headers


def discover(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Cassette files named or found below folders (.yaml, .yml, .json or no extension).

    Files named directly are taken whatever their extension; hidden entries in folders
    are skipped, and so is anything in them that is not a regular file (a FIFO, a socket:
    reading one would hang). A FIFO, socket or device named directly is an error. The
    order is sorted and so reproducible.
    """
    return [Path(path) for path in discover_files(paths)]


def discover_files(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """`discover`, each file as text (`str(path)`): a scan of a hundred thousand files
    holds their names, not a `Path` each."""
    found: list[str] = []
    for entry in paths:
        path = Path(entry)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise CassetteError(str(path), "no such file or folder") from None
        except OSError as error:
            raise CassetteError(str(path), f"cannot read: {error.strerror or error}") from None
        if stat.S_ISDIR(mode):
            found.extend(regular.files_below(path, CASSETTE_SUFFIXES))
            continue
        refused = regular.not_regular(mode)
        if refused is not None:
            raise CassetteError(str(path), f"{refused}, not a cassette file or a folder")
        found.append(str(path))
    return found


def find(patterns: Iterable[str]) -> list[str]:
    """The cassette files configured places hold: a folder searched like `discover`, the
    files a glob matches (`**` for any depth, whatever their extension), a file itself.
    A place that does not exist holds nothing yet (nothing was recorded there). Each as
    text, as `str(path)` spells it (`discover_files`)."""
    found: dict[str, None] = {}
    for pattern in patterns:
        if any(character in pattern for character in "*?["):
            matched = sorted(Path(path) for path in glob.glob(pattern, recursive=True))
            found.update(dict.fromkeys(str(path) for path in matched if path.is_file()))
        elif Path(pattern).exists():
            found.update(dict.fromkeys(discover_files([pattern])))
    return list(found)


def load_all(paths: Iterable[Path]) -> tuple[list[Interaction], list[FileError]]:
    """Interactions of every readable file, and one error line per unreadable one."""
    interactions: list[Interaction] = []
    errors: list[FileError] = []
    for path in paths:
        try:
            interactions.extend(read_cassette(path).interactions)
        except CassetteError as error:
            errors.append(FileError(error.file, error.reason))
    return interactions, errors
