"""Commands for looking: `shape` (inferred shapes) and `fixtures --variants` (edge-case
fixtures from reality)."""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from driftcheck.config import Config
from driftcheck.core.domain_rules import clear_enums
from driftcheck.core.model import EndpointSet, FileError
from driftcheck.core.slugs import group_sides
from driftcheck.core.variants import Cover, Variant, cover
from driftcheck.errors import InputError
from driftcheck.files import write_atomic
from driftcheck.jsonio import dumps_indented
from driftcheck.run.recordings import Recordings, known_endpoint, recorded_bodies
from driftcheck.sources import scan
from driftcheck.sources.cassettes import discover

PathLike = str | os.PathLike[str]


def shape_paths(
    paths: Sequence[PathLike],
    reading: scan.Settings | None = None,
    scrubbed: Sequence[str] = (),
) -> tuple[EndpointSet, list[FileError]]:
    """Infer shapes per endpoint from cassette files and folders (slugs collapsed); no
    enum values under the `scrubbed` body keys."""
    scanned = scan.scan(discover(paths), reading or scan.Settings())
    (endpoints,), _, _ = group_sides([(scanned.census, scanned.shapes)])
    return clear_enums(endpoints, scrubbed), scanned.errors


@dataclass(frozen=True, slots=True)
class WrittenVariants:
    """What `fixtures --variants` wrote: each file with its variant, the cover they make,
    how many bodies were recorded, and other `<name>.*.json` files already in the folder
    (a fixtures glob picks them up too, written from older recordings or by hand)."""

    files: tuple[tuple[Path, Variant], ...]
    cover: Cover
    recorded: int
    others: tuple[Path, ...]


def write_variants(config: Config, name: str, out: Path) -> WrittenVariants:
    """Write the fewest recorded bodies (edited copies) that show every variation of the
    endpoint as `<name>.<n>.json` files in `out`."""
    recordings = Recordings(config)  # read once, to know the name and to find its files
    recorded, bodies = recorded_bodies(config, known_endpoint(config, name, recordings), recordings)
    if not bodies:
        raise InputError(f"endpoint `{name}` recorded no successful JSON body to copy")
    made = cover(bodies, recorded.shape)
    written: list[tuple[Path, Variant]] = []
    for variant in made.variants:
        path = out / f"{name}.{variant.name}.json"
        try:
            write_atomic(path, dumps_indented(variant.value))
        except OSError as error:
            raise InputError(f"cannot write {path}: {error.strerror or error}") from None
        written.append((path, variant))
    mine = {path for path, _ in written}
    others = tuple(sorted(p for p in out.glob(f"{glob.escape(name)}.*.json") if p not in mine))
    return WrittenVariants(tuple(written), made, len(bodies), others)
