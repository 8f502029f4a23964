"""The repository around a test module: modules it imports from, and its conftest.py files.

`from tests.consts import BASE_URL` is resolved by reading `tests/consts.py` with `ast`
relative to the repository root (or the test's own folder and its parents, as pytest's
rootdir import mode puts them on `sys.path`); a fixture a test takes is looked up in the
module, then in each `conftest.py` from the test's folder up to the root. Nothing is
imported or executed, and no file outside the root is read.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

from driftcheck.sources.mocks.names import class_attribute, lookup
from driftcheck.sources.mocks.scopes import Fixture, Module, Param, Target
from driftcheck.sources.regular import NotReadable, is_regular, read_regular

MAX_IMPORT_HOPS = 16  # re-exports followed through `__init__.py` files, and cycles cut
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages", "venv", "env"})


class Repository:
    """Parsed modules of one repository, each read once."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._modules: dict[Path, Module | None] = {}
        self._hops = 0
        self._files: dict[tuple[tuple[str, ...], int, Path | None], Path | None] = {}
        self._unread: dict[Path, str] = {}  # why a module could not be read

    def label(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def module_at(self, path: Path, source: bytes | None = None) -> Module | None:
        """The parsed module at `path` (None when it cannot be read or parsed)."""
        key = path.resolve()
        if key not in self._modules:
            self._modules[key] = self._parse(key, source)
        return self._modules[key]

    def why_unread(self, path: Path) -> str:
        """Why `module_at(path)` is None: not a regular file, unreadable, or not Python."""
        return self._unread.get(path.resolve(), "invalid Python: cannot be parsed")

    def _parse(self, path: Path, source: bytes | None) -> Module | None:
        """A FIFO named like a module is refused, never opened blocking."""
        try:
            text = read_regular(path) if source is None else source
            tree = ast.parse(text, filename=str(path))
        except NotReadable as error:
            self._unread[path] = str(error)
            return None
        except (OSError, SyntaxError, ValueError):
            return None
        return Module(self.label(path), path, tree, self)

    def resolve(self, dotted: str, module: Module) -> Target | None:
        """What `pkg.consts.BASE_URL` (or `.consts.BASE_URL`) names, read from its module."""
        if self._hops >= MAX_IMPORT_HOPS:
            return None
        self._hops += 1
        try:
            return self._resolve(dotted, module)
        except (RecursionError, MemoryError):  # an imported module too deep to parse
            return None  # is not blamed on the test that imports it: the name is unknown
        finally:
            self._hops -= 1

    def _resolve(self, dotted: str, module: Module) -> Target | None:
        level = len(dotted) - len(dotted.lstrip("."))
        parts = dotted.lstrip(".").split(".")
        for cut in range(len(parts) - 1, -1, -1):
            if cut == 0 and level == 0:
                break
            found = self._module_file(parts[:cut], level, module)
            if found is None:
                continue
            other = self.module_at(found)
            if other is None:
                return None
            return _member(other, parts[cut:])
        return None

    def module_of(self, dotted: str, module: Module) -> Module | None:
        """The module that defines the last name of `pkg.helpers.load_fixture`."""
        level = len(dotted) - len(dotted.lstrip("."))
        parts = dotted.lstrip(".").split(".")[:-1]
        if not parts and not level:
            return None
        found = self._module_file(parts, level, module)
        return self.module_at(found) if found is not None else None

    def _module_file(self, parts: list[str], level: int, module: Module) -> Path | None:
        key = (tuple(parts), level, module.path)
        if key not in self._files:
            self._files[key] = self._find_module_file(parts, level, module)
        return self._files[key]

    def _find_module_file(self, parts: list[str], level: int, module: Module) -> Path | None:
        for folder in self._search_path(level, module):
            base = folder.joinpath(*parts)
            for candidate in (base.parent / f"{base.name}.py", base / "__init__.py"):
                if parts and is_regular(candidate) and self._inside(candidate):
                    return candidate
            if not parts and is_regular(base / "__init__.py"):
                return base / "__init__.py"
        return None

    def _search_path(self, level: int, module: Module) -> Iterator[Path]:
        here = (module.path or self.root / module.label).resolve().parent
        if level:
            for _ in range(level - 1):
                here = here.parent
            yield here
            return
        while self._inside(here):
            yield here
            if here == self.root:
                break
            here = here.parent
        yield self.root / "src"

    def _inside(self, path: Path) -> bool:
        return path == self.root or self.root in path.parents

    def fixture(self, name: str, module: Module) -> Fixture | None:
        """The fixture `name` from the nearest conftest.py above the module."""
        if module.path is None:
            return None
        folder = module.path.resolve().parent
        while self._inside(folder):
            conftest = folder / "conftest.py"
            if conftest != module.path.resolve() and is_regular(conftest):
                found = self.module_at(conftest)
                if found is not None and name in found.fixtures:
                    return found.fixtures[name]
            if folder == self.root:
                break
            folder = folder.parent
        return None


def _member(module: Module, names: list[str]) -> Target | None:
    """`NAME` or `Class.NAME` at the top of a module."""
    if not names:
        return None
    head, rest = names[0], names[1:]
    if rest and head in module.top.classes:
        return class_attribute(module.top.classes[head], rest[0])
    if rest:
        return None
    found = lookup(head, 10**9, module.top)
    return None if isinstance(found, Param) else found


def test_files(root: Path) -> list[Path]:
    """Test modules and conftest.py files under `root`, skipping virtualenvs, hidden
    folders and installed packages. Symlinked folders are not entered (`self -> .` would
    loop); a FIFO named like a test module is listed here, and refused when read."""
    found: list[Path] = []
    for folder, folders, files in os.walk(root, followlinks=False):
        here = Path(folder)
        folders[:] = sorted(
            name
            for name in folders
            if not name.startswith(".")
            and name not in SKIPPED_FOLDERS
            and not is_regular(here / name / "pyvenv.cfg")
        )
        found.extend(here / name for name in sorted(files) if _is_test_file(name))
    return found


def _is_test_file(name: str) -> bool:
    return name == "conftest.py" or (
        name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))
    )
