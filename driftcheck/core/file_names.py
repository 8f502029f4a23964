"""A side's file names, compact: each folder once, each file's own name as bytes (pure).

A scan of a hundred thousand per-test cassettes holds every file's name for as long as
a report may cite one (a finding's location, an endpoint's files, a note). As `str`
objects that was about 150 bytes a file, the largest part of what the main process
grew by per file; here it is the name's own bytes and a few more. Names are read
back exactly as given (`surrogatepass` keeps any `str`, undecodable bytes included).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

_CODEC = "utf-8"
_ERRORS = "surrogatepass"  # any `str` round-trips, lone surrogates (undecodable bytes) too


class FileNames(Sequence[str]):
    """File paths in order, as folders (each held once) and file names (one buffer)."""

    __slots__ = ("_ends", "_folder_of", "_folders", "_known", "_names")

    def __init__(self, paths: Iterable[str] = ()) -> None:
        self._folders: list[str] = []  # distinct folders, "" or ending in the separator
        self._known: dict[str, int] = {}  # folder: its position in `_folders`
        self._folder_of = array("I")  # per file, its folder's position
        self._names = bytearray()  # every file's own name, encoded, one after another
        self._ends = array("Q")  # per file, where its name ends in `_names`
        self.extend(paths)

    def append(self, path: str) -> None:
        folder, separator, name = path.rpartition("/")
        folder += separator
        number = self._known.get(folder)
        if number is None:
            number = self._known[folder] = len(self._folders)
            self._folders.append(folder)
        self._folder_of.append(number)
        self._names += name.encode(_CODEC, _ERRORS)
        self._ends.append(len(self._names))

    def extend(self, paths: Iterable[str]) -> None:
        if isinstance(paths, Stretch):  # copied as bytes, no name built on the way
            for index in range(paths.start, paths.end):
                self._copy(paths.names, index)
            return
        for path in paths:
            self.append(path)

    def _copy(self, other: FileNames, index: int) -> None:
        folder = other._folders[other._folder_of[index]]
        number = self._known.get(folder)
        if number is None:
            number = self._known[folder] = len(self._folders)
            self._folders.append(folder)
        self._folder_of.append(number)
        self._names += other._names[other._ends[index - 1] if index else 0 : other._ends[index]]
        self._ends.append(len(self._names))

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("file position out of range")
        return self._at(index)

    def _at(self, index: int) -> str:
        start = self._ends[index - 1] if index else 0
        name = self._names[start : self._ends[index]].decode(_CODEC, _ERRORS)
        return self._folders[self._folder_of[index]] + name

    def __iter__(self) -> Iterator[str]:
        return (self._at(index) for index in range(len(self)))

    def __eq__(self, other: object) -> bool:
        """Equal to the same names in the same order, as these or as any list or tuple."""
        if isinstance(other, FileNames | Stretch | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __repr__(self) -> str:
        return f"FileNames({list(self)!r})"

    def __reduce__(self) -> tuple[type[FileNames], tuple[list[str]]]:
        return FileNames, (list(self),)


class Stretch(Sequence[str]):
    """Consecutive files of a `FileNames` (`start` to `end`), each name built only when
    asked: a pool's run of files, named in full only while it is sent to a worker (it
    pickles as a list)."""

    __slots__ = ("end", "names", "start")

    def __init__(self, names: FileNames, start: int, end: int) -> None:
        self.names, self.start, self.end = names, start, end

    def __len__(self) -> int:
        return self.end - self.start

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            start, end, step = index.indices(len(self))
            if step == 1:
                return Stretch(self.names, self.start + start, self.start + max(start, end))
            return [self.names[self.start + i] for i in range(start, end, step)]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("file position out of range")
        return self.names[self.start + index]

    def __iter__(self) -> Iterator[str]:
        return (self.names[index] for index in range(self.start, self.end))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Stretch | FileNames | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Stretch({list(self)!r})"

    def __reduce__(self) -> tuple[type[list[str]], tuple[list[str]]]:
        return list, (list(self),)
