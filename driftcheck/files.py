"""Writing files whole or not at all: the one atomic write every layer uses.

A reader (another run, CI uploading a report, `git add`) must never see half a file,
and two writers must never share a temporary name: each write goes to a temporary file
named for this process and a random token beside the target, then is renamed over it.
`DurableWrites` does the same from many threads at once for files that must also
survive a crash (recorded cassettes): fsyncs overlapped, folder fsyncs shared.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import time
from pathlib import Path

NAME_MAX = 255  # bytes in one file name, on every file system driftcheck writes to


def _umask() -> int:
    """The process's umask, read without changing it (Linux); else all bits, so that a
    mode is always set explicitly."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o777


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


def sync_directory(folder: Path) -> None:
    """fsync a folder: a rename in it survives a crash only once the folder is synced."""
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class Closed(OSError):
    """The writes were closed (the run is stopping): no new file is started."""


class DurableWrites:
    """Atomic, durable writes from many threads at once, each fsync overlapping the others.

    `write` returns once the file is whole under its name and survives a crash: the
    temporary file fsynced, renamed, then its folder fsynced. The folder fsync is
    shared: one that starts after a rename covers it, so threads writing to one folder
    wait on a single fsync instead of one each (group commit). `close` (the run is
    stopping) refuses new files, waits briefly for those in flight and removes any
    temporary file still left, whichever thread was writing it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the temporary files
        self._synced_one = threading.Condition()  # a folder's fsync ended
        self._closed = False
        self._temporaries: set[Path] = set()
        self._asked: dict[Path, int] = {}  # per folder: renames that want a sync
        self._synced: dict[Path, int] = {}  # per folder: renames a finished sync covers
        self._syncing: set[Path] = set()
        self._folders: set[Path] = set()  # made already
        self._umask = _umask()

    def write(self, target: Path, data: bytes | str, *, mode: int | None = None) -> None:
        """Write `data` to `target` durably; on any failure no temporary file is left.

        Few system calls, each a point where the thread must win the GIL back: the folder
        is made once, the file created with its mode when the umask keeps it whole."""
        folder = target.parent
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        temporary = self._claim(target)
        try:
            self._write_synced(temporary, payload, mode)
            os.replace(temporary, target)
        except BaseException:
            _discard(temporary)
            raise
        finally:
            with self._lock:
                self._temporaries.discard(temporary)
        self._sync(folder)

    def _write_synced(self, temporary: Path, payload: bytes, mode: int | None) -> None:
        flags, created = os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode
        try:
            descriptor = os.open(temporary, flags, created)
        except FileNotFoundError:  # the folder was removed since it was made: make it again
            temporary.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(temporary, flags, created)
        try:
            if self._closed:  # closed while it was created: `close` may have swept already
                raise Closed(f"writes closed before {temporary} was written")
            view = memoryview(payload)
            while view:
                view = view[os.write(descriptor, view) :]
            if mode is not None and mode & self._umask:  # the umask took bits away: put them back
                os.fchmod(descriptor, mode)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def _claim(self, target: Path) -> Path:
        with self._lock:
            if self._closed:
                raise Closed(f"writes closed before {target} was written")
            temporary = temporary_name(target)
            self._temporaries.add(temporary)
            return temporary

    def _sync(self, folder: Path) -> None:
        """Return once a folder fsync that started after this call's rename has ended."""
        done = self._synced_one
        with done:
            wanted = self._asked[folder] = self._asked.get(folder, 0) + 1
            while self._synced.get(folder, 0) < wanted:
                if folder in self._syncing:
                    done.wait()
                    continue
                self._syncing.add(folder)
                covers = self._asked[folder]  # every rename asked so far came before this
                done.release()
                try:
                    sync_directory(folder)
                except BaseException:
                    done.acquire()  # the next waiter tries again; this one's write failed
                    self._syncing.discard(folder)
                    done.notify_all()
                    raise
                done.acquire()
                self._syncing.discard(folder)
                self._synced[folder] = max(self._synced.get(folder, 0), covers)
                done.notify_all()

    def close(self, grace: float = 1.0) -> None:
        """Refuse new files, wait up to `grace` seconds for those being written, then
        remove any temporary file left (a thread stuck past the grace, or never
        resumed because the interpreter is exiting)."""
        deadline = time.monotonic() + grace
        self._closed = True
        try:
            while self._temporaries and time.monotonic() < deadline:
                time.sleep(0.01)  # each write in flight takes one fsync
        finally:
            with self._lock:
                self._closed = True  # no claim can slip in from here
                left_behind = list(self._temporaries)
            for temporary in left_behind:
                _discard(temporary)
