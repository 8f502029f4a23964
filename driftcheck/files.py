"""Writing files whole or not at all: the one atomic write every layer uses.

A reader (another run, CI uploading a report, `git add`) must never see half a file,
and two writers must never share a temporary name: each write goes to a temporary file
named for this process and a random token beside the target, then is renamed over it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

NAME_MAX = 255  # bytes in one file name, on every file system driftcheck writes to


def temporary_name(target: Path) -> Path:
    """A hidden name beside `target` that no other writer, in any process, will pick.

    A long target name is shortened in it (a 240-byte name is valid, and the temporary
    one must be too); the process id and random token keep it unique."""
    token = f".{os.getpid()}.{os.urandom(4).hex()}.tmp"
    name = target.name
    room = NAME_MAX - 1 - len(token.encode())
    while len(os.fsencode(name)) > room:  # by characters: never half a UTF-8 sequence
        name = name[: max(len(name) - 8, 0)]
    return target.with_name(f".{name}{token}")


def write_output(target: Path, data: bytes | str) -> None:
    """Write a file the user named (`--output`): whole, or in place where a rename would
    destroy what is there.

    A FIFO, a device, /dev/stdout (anything that is not a regular file, symlinks
    followed) is written in place: renaming over it would replace it with a file. A
    symlink to a regular file is left a symlink: its target is written atomically.
    """
    try:
        is_regular = stat.S_ISREG(os.stat(target).st_mode)
    except FileNotFoundError:  # nothing there yet, or a symlink to nothing: created
        is_regular = True
    if not is_regular:
        payload = data.encode("utf-8") if isinstance(data, str) else data
        with open(target, "wb") as stream:
            stream.write(payload)
        return
    write_atomic(Path(os.path.realpath(target)) if target.is_symlink() else target, data)


def write_atomic(
    target: Path, data: bytes | str, *, durable: bool = False, mode: int | None = None
) -> None:
    """Write `data` to `target` via a temporary file and a rename.

    `durable` fsyncs before the rename, for files that must survive a crash (committed
    cassettes); caches and reports skip it. On any failure — an OSError, or Ctrl-C /
    SIGTERM raised as an exception at any point — the temporary file is removed and the
    error raised; the target is untouched (or, past the rename, whole and new).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_name(target)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with open(temporary, "xb") as stream:
            stream.write(payload)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        _discard(temporary)
        raise


def _discard(path: Path) -> None:
    """Remove `path` even when a second signal's exception lands during the removal (the
    user pressing Ctrl-C twice): retry, then raise that exception."""
    pending: BaseException | None = None
    while True:
        try:
            with contextlib.suppress(OSError):
                os.unlink(path)
            break
        except BaseException as error:  # re-raised below, after the removal
            pending = error
    if pending is not None:
        raise pending
