"""Architecture rules of the house as tests (ARCHITECTURE.md; issue 8, items 1 and 3).

Read from the source with :mod:`ast` (nothing is imported, no dependency):

(a) no import cycle between iomodel modules, counting every import in a
    module (top level, inside functions, under ``TYPE_CHECKING``);
(b) no module uses another module's private name: neither
    ``from x import _name`` nor ``obj._name`` where ``obj`` is not ``self`` /
    ``cls`` and ``_name`` is not defined in the same module (a namedtuple's
    own ``_replace``, ``_fields``, ``_asdict``, ``_make`` and
    ``_field_defaults`` are public API);
(c) no public module is shadowed by a same-named attribute of its parent
    package (``iomodel.impact`` a function while ``iomodel/impact.py`` exists).

Each test fails with a message listing every offender, file and line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "iomodel"

#: The documented API of namedtuples (their leading underscore avoids clashes with field names).
NAMEDTUPLE_API = frozenset({"_replace", "_fields", "_asdict", "_make", "_field_defaults"})


# --------------------------------------------------------------------------- reading the package
@dataclass
class Module:
    name: str  # dotted, e.g. "iomodel.optimize.lp"
    path: Path = field(repr=False)
    is_package: bool = field(repr=False)
    tree: ast.Module = field(repr=False)
    rel: str = field(repr=False)  # path for messages

    @property
    def package(self) -> str:
        """The package relative imports start from."""
        return self.name if self.is_package else self.name.rpartition(".")[0]


def read_package(package_dir: Path) -> dict[str, Module]:
    """Every module of the package under ``package_dir``, by dotted name."""
    root = package_dir.parent
    out: dict[str, Module] = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if any(not (p.isidentifier()) for p in parts):
            continue
        if not all((root.joinpath(*parts[:k]) / "__init__.py").is_file() for k in range(1, len(parts))):
            continue  # not inside a package (e.g. a data folder)
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        out[name] = Module(name, path, is_package, tree, str(path.relative_to(root)))
    return out


def _resolve(mod: Module, node: ast.ImportFrom) -> str:
    """The absolute module name a ``from ... import`` statement reads from."""
    if node.level == 0:
        return node.module or ""
    base = mod.package.split(".")
    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(mod: Module, modules: dict[str, Module]) -> Iterator[tuple[str, int]]:
    """``(imported module, line)`` for every import of a package module, anywhere in ``mod``."""
    for node in ast.walk(mod.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(mod, node)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in modules:
                    yield sub, node.lineno
                elif target in modules:
                    yield target, node.lineno


# --------------------------------------------------------------------------- (a) cycles
def import_cycles(modules: dict[str, Module]) -> list[str]:
    """One line per strongly connected component of the import graph, with a cycle and its import lines."""
    graph: dict[str, dict[str, int]] = {name: {} for name in modules}
    for name, mod in modules.items():
        for target, line in imports_of(mod, modules):
            if target != name:
                graph[name].setdefault(target, line)
    # Tarjan's strongly connected components (iterative)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    comps: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    comps.append(sorted(comp))
    out = []
    for comp in comps:
        members = set(comp)
        # a shortest cycle through the first member, by breadth-first search inside the component
        first = comp[0]
        prev: dict[str, str] = {}
        queue, seen, end = [first], {first}, None
        while queue and end is None:
            v = queue.pop(0)
            for w in sorted(graph[v]):
                if w == first:
                    end = v
                    break
                if w in members and w not in seen:
                    seen.add(w)
                    prev[w] = v
                    queue.append(w)
        path = [end]
        while path[-1] != first:
            path.append(prev[path[-1]])
        path = [*path[::-1], first]
        hops = " -> ".join(f"{b} ({modules[a].rel}:{graph[a][b]})" for a, b in pairwise(path))
        out.append(f"cycle among {comp}: {path[0]} -> {hops}")
    return out


# --------------------------------------------------------------------------- (b) private names
def _defined_names(tree: ast.Module) -> set[str]:
    """Every name a module defines: functions, classes, assigned names and attributes, slots."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__slots__" for t in targets) and node.value is not None:
                for const in ast.walk(node.value):
                    if isinstance(const, ast.Constant) and isinstance(const.value, str):
                        names.add(const.value)
    return names


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _namedtuple_classes(modules: dict[str, Module]) -> set[str]:
    """Names of the namedtuple classes the package defines."""
    out: set[str] = set()
    for mod in modules.values():
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.ClassDef):
                for base in node.bases:
                    if (isinstance(base, ast.Name) and base.id == "NamedTuple") or (
                        isinstance(base, ast.Attribute) and base.attr == "NamedTuple"
                    ):
                        out.add(node.name)
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                func = node.value.func
                fname = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if fname in ("namedtuple", "NamedTuple"):
                    out.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return out


def _namedtuple_values(tree: ast.Module, classes: set[str]) -> set[str]:
    """Variable names bound to namedtuples: loop targets over ``.itertuples()``, results of namedtuple calls."""

    def makes_namedtuple(value: ast.AST) -> bool:
        if not isinstance(value, ast.Call):
            return False
        f = value.func
        if isinstance(f, ast.Name):
            return f.id in classes
        return isinstance(f, ast.Attribute) and f.attr in ("_make", "_replace")

    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.For | ast.comprehension):
            it = node.iter
            if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and it.func.attr == "itertuples":
                out.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Assign) and makes_namedtuple(node.value):
            out.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return out


def private_uses(modules: dict[str, Module]) -> list[str]:
    """Every use of another module's private name, as ``file:line: text``."""
    classes = _namedtuple_classes(modules)
    out = []
    for mod in modules.values():
        defined = _defined_names(mod.tree)
        nt_values = _namedtuple_values(mod.tree, classes)
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if _is_private(alias.name):
                        src = _resolve(mod, node)
                        out.append((mod.rel, node.lineno, f"from {src} import {alias.name}"))
            elif isinstance(node, ast.Attribute) and _is_private(node.attr):
                obj = node.value
                if isinstance(obj, ast.Name) and obj.id in ("self", "cls"):
                    continue
                if node.attr in defined:
                    continue
                if node.attr in NAMEDTUPLE_API and (
                    (isinstance(obj, ast.Name) and (obj.id in nt_values or obj.id in classes))
                    or (isinstance(obj, ast.Call) and isinstance(obj.func, ast.Name) and obj.func.id in classes)
                ):
                    continue
                out.append((mod.rel, node.lineno, ast.unparse(node)))
    return [f"{rel}:{line}: {text}" for rel, line, text in sorted(set(out))]


# --------------------------------------------------------------------------- (c) shadowing
def _top_level_bindings(tree: ast.Module) -> Iterator[tuple[ast.stmt, str, str | None]]:
    """``(statement, bound name, module it names or None)`` for the package's module-level bindings."""
    body = list(tree.body)
    while body:
        node = body.pop(0)
        if isinstance(node, ast.If | ast.Try | ast.With):
            for block in ("body", "orelse", "finalbody", "handlers"):
                for sub in getattr(node, block, []):
                    body.extend(sub.body if isinstance(sub, ast.ExceptHandler) else [sub])
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                yield node, alias.asname or alias.name, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.asname or alias.name.partition(".")[0], None
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node, node.name, None
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        yield node, n.id, None


def shadowed_modules(modules: dict[str, Module]) -> list[str]:
    """Public submodules hidden behind a same-named attribute of their parent package."""
    out = []
    for pkg in (m for m in modules.values() if m.is_package):
        subs = {
            name.rpartition(".")[2]
            for name in modules
            if name.rpartition(".")[0] == pkg.name and not name.rpartition(".")[2].startswith("_")
        }
        for node, bound, imported in _top_level_bindings(pkg.tree):
            if bound not in subs:
                continue
            if isinstance(node, ast.ImportFrom):
                # ``from . import x`` (or ``from pkg import x``) binds the module itself
                if _resolve(pkg, node) == pkg.name and imported == bound:
                    continue
                what = f"from {_resolve(pkg, node)} import {imported}" + (f" as {bound}" if imported != bound else "")
            else:
                what = ast.unparse(node).splitlines()[0]
            out.append(
                f"{pkg.rel}:{node.lineno}: {pkg.name}.{bound} is bound by `{what}`, hiding module {pkg.name}.{bound}"
            )
    return sorted(out)


# --------------------------------------------------------------------------- the rules
@pytest.fixture(scope="module")
def package() -> dict[str, Module]:
    return read_package(PACKAGE_DIR)


def test_no_import_cycles(package):
    cycles = import_cycles(package)
    assert not cycles, "import cycles between iomodel modules (imports must run one way):\n  " + "\n  ".join(cycles)


def test_no_module_uses_another_modules_private_names(package):
    uses = private_uses(package)
    assert not uses, (
        "private names used outside the module that defines them (use a public API, e.g. IOTable.arrays):\n  "
        + "\n  ".join(uses)
    )


def test_no_module_is_shadowed_by_its_package(package):
    shadowed = shadowed_modules(package)
    assert not shadowed, "modules hidden by a same-named package attribute (rename one):\n  " + "\n  ".join(shadowed)


# --------------------------------------------------------------------------- the checkers catch what they should
def _write(root: Path, files: dict[str, str]) -> dict[str, Module]:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return read_package(root / "pkg")


def test_checkers_on_a_synthetic_package(tmp_path):
    mods = _write(
        tmp_path,
        {
            "pkg/__init__.py": "from . import b\nfrom .a import a_func as c\nfrom .a import helper\n",
            "pkg/a.py": (
                "from collections import namedtuple\n"
                "P = namedtuple('P', 'x y')\n"
                "def a_func():\n    from .b import B\n    return B\n"
                "def helper(t):\n"
                "    p = P(1, 2)\n"
                "    q = p._replace(x=3)\n"
                "    return t._secret(), P._fields, q._asdict(), t._own\n"
                "class K:\n    _own = 1\n    def m(self):\n        return self._hidden, obj.__dict__\n"
            ),
            "pkg/b.py": "from .a import _private\nclass B:\n    def _secret(self):\n        return 1\n",
            "pkg/c.py": "from . import a\nfrom pkg import b\n",
            "pkg/sub/__init__.py": "",
            "pkg/sub/d.py": "from .. import c\nfrom ..c import a\n",
        },
    )
    assert set(mods) == {"pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.sub", "pkg.sub.d"}
    assert sorted(imports_of(mods["pkg.sub.d"], mods)) == [("pkg.c", 1), ("pkg.c", 2)]
    cycles = import_cycles(mods)
    assert len(cycles) == 1 and "['pkg.a', 'pkg.b']" in cycles[0], cycles
    assert "pkg/a.py:4" in cycles[0] and "pkg/b.py:1" in cycles[0]  # the import inside a function counts
    uses = private_uses(mods)
    assert uses == ["pkg/a.py:9: t._secret", "pkg/b.py:1: from pkg.a import _private"], uses
    shadowed = shadowed_modules(mods)
    assert shadowed == ["pkg/__init__.py:2: pkg.c is bound by `from pkg.a import a_func as c`, hiding module pkg.c"]
