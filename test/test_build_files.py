"""BUILD files declare exactly what the code imports.

Each library target must list the first-party targets and pinned packages its sources import,
and nothing else; each test target must list at least what its test file imports. Bazel would
only notice a missing dependency when the sandbox hides the module, so this keeps the graph honest.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
from conftest import REPO

# Import name -> pinned package name, where the two differ or the package is third-party.
THIRD_PARTY = {
    "altair": "altair",
    "dask": "dask",
    "distributed": "distributed",
    "hypothesis": "hypothesis",
    "IPython": "ipython",
    "ipykernel": "ipykernel",
    "jupyter_client": "jupyter-client",
    "matplotlib": "matplotlib",
    "nbclient": "nbclient",
    "nbconvert": "nbconvert",
    "nbformat": "nbformat",
    "numpy": "numpy",
    "pandas": "pandas",
    "playwright": "playwright",
    "pooch": "pooch",
    "pyarrow": "pyarrow",
    "pytest": "pytest",
    "requests": "requests",
    "scipy": "scipy",
    "streamlit": "streamlit",
    "tqdm": "tqdm",
    "traitlets": "traitlets",
}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def load_build(path: Path) -> dict[str, dict]:
    """Evaluate a BUILD file with stand-ins for its rules; return target name -> attributes."""
    package = path.parent.relative_to(REPO).as_posix()
    targets: dict[str, dict] = {}

    def rule(kind: str):
        def record(name: str, **attrs: object) -> None:
            targets[name] = {"kind": kind, **attrs}

        return record

    def pytest_test(name: str, src: str, **attrs: object) -> None:
        targets[name] = {"kind": "pytest_test", "srcs": [src], **attrs}

    names = {
        kind: rule(kind)
        for kind in (
            "py_library",
            "py_binary",
            "py_test",
            "sh_binary",
            "filegroup",
            "alias",
            "exports_files",
        )
    }
    names.update(
        pytest_test=pytest_test,
        requirement=lambda name: f"@pip//{normalize(name)}",
        glob=lambda patterns, **_: [],
        load=lambda *args, **kwargs: None,
        package=lambda **kwargs: None,
        exports_files=lambda *args, **kwargs: None,
    )
    source = re.sub(r"^load\(.*?\)\n", "", path.read_text(), flags=re.MULTILINE | re.DOTALL)
    exec(compile(source, str(path), "exec"), names)
    for attrs in targets.values():
        attrs["package"] = package
    return targets


def absolute(label: str, package: str) -> str:
    if label.startswith(":"):
        return f"//{package}{label}"
    if label.startswith("//") and ":" not in label:
        return f"{label}:{label.rsplit('/', 1)[-1]}"
    return label


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """First-party module labels and pinned packages that one Python file imports."""
    first: set[str] = set()
    third: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "fractal_governance":
                # `from package import name`: name may be a submodule.
                modules = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                modules = [node.module]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("find_spec", "import_module", "importorskip")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            # An optional or late import by name, e.g. importlib.util.find_spec("pyarrow").
            modules = [node.args[0].value]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            if parts[0] == "fractal_governance":
                first.add(module_label(parts))
            elif parts[0] in THIRD_PARTY:
                third.add(f"@pip//{normalize(THIRD_PARTY[parts[0]])}")
            elif (path.parent / f"{parts[0]}.py").is_file():
                continue  # a sibling script, e.g. conftest or another benchmark
            elif parts[0] not in sys.stdlib_module_names:
                raise AssertionError(f"{path}: unknown third-party import {module}")
    return first, third


def module_label(parts: list[str]) -> str:
    """`fractal_governance.streamlit.launcher` -> `//fractal_governance/streamlit:launcher`."""
    package = ["fractal_governance"]
    rest = parts[1:]
    if rest and (REPO / "fractal_governance" / rest[0]).is_dir():
        package.append(rest[0])
        rest = rest[1:]
    folder = REPO.joinpath(*package)
    if not rest or not (folder / f"{rest[0]}.py").is_file():
        return f"//{'/'.join(package)}:init"  # the package itself (its __init__.py)
    source = f"{'/'.join(package)}/{rest[0]}.py"
    return LIBRARY_OF.get(source, f"//{'/'.join(package)}:{rest[0]}")


def python_targets() -> list[tuple[str, dict]]:
    found = []
    builds = [
        *sorted(REPO.glob("fractal_governance/**/BUILD")),
        REPO / "benchmarks" / "BUILD",
        REPO / "tools" / "cli" / "BUILD",
        REPO / "tools" / "readme" / "BUILD",
        REPO / "test" / "BUILD",
    ]
    for build in builds:
        for name, attrs in load_build(build).items():
            if attrs["kind"] in ("py_library", "py_binary", "pytest_test"):
                found.append((f"//{attrs['package']}:{name}", attrs))
    return found


TARGETS = python_targets()
BY_LABEL = dict(TARGETS)
# Source file (relative to the repository) -> the py_library that owns it.
LIBRARY_OF = {
    f"{attrs['package']}/{src}": label
    for label, attrs in TARGETS
    if attrs["kind"] == "py_library"
    for src in attrs.get("srcs", [])
}


def closure(labels: set[str]) -> set[str]:
    """The labels and everything they depend on, transitively (first-party targets only)."""
    seen: set[str] = set()
    todo = list(labels)
    while todo:
        label = todo.pop()
        if label in seen:
            continue
        seen.add(label)
        attrs = BY_LABEL.get(label)
        if attrs:
            todo.extend(absolute(dep, attrs["package"]) for dep in attrs.get("deps", []))
    return seen


@pytest.mark.parametrize(("label", "attrs"), TARGETS, ids=[label for label, _ in TARGETS])
def test_deps_match_imports(label: str, attrs: dict) -> None:
    package = attrs["package"]
    first: set[str] = set()
    third: set[str] = set()
    for src in attrs.get("srcs", []):
        if src.startswith("//"):
            continue  # shared runner, e.g. //tools/bazel:pytest_runner.py
        more_first, more_third = imports_of(REPO / package / src)
        first |= more_first
        third |= more_third
    first.discard(label)
    if attrs.get("main"):
        first.discard(f"//{package}:{Path(attrs['main']).stem}")
    declared = {absolute(dep, package) for dep in attrs.get("deps", [])}
    # Libraries list their direct imports; binaries and tests may get them through a library.
    available = declared if attrs["kind"] == "py_library" else closure(declared)
    missing = (first | third) - available
    assert not missing, f"{label} imports but does not depend on {sorted(missing)}"
    if attrs["kind"] == "py_library" and attrs.get("srcs"):
        # A library may also depend on the library of a script it runs (listed in its data).
        runs = {
            other
            for other, other_attrs in TARGETS
            if other_attrs["package"] == package
            and set(other_attrs.get("srcs", [])) & set(attrs.get("data", []))
        }
        inits = {label for label in declared if label.endswith(":init")}
        extra = declared - first - third - runs - inits
        assert not extra, f"{label} depends on {sorted(extra)} but imports none of it"


def test_every_module_has_a_target() -> None:
    owned = {
        (REPO / attrs["package"] / src).resolve()
        for _, attrs in TARGETS
        for src in attrs.get("srcs", [])
        if not src.startswith("//")
    }
    modules = {path.resolve() for path in REPO.glob("fractal_governance/**/*.py")}
    tests = {path.resolve() for path in REPO.glob("test/test_*.py")}
    scripts = {path.resolve() for path in REPO.glob("benchmarks/*.py")}
    scripts |= {path.resolve() for path in REPO.glob("tools/readme/*.py")}
    scripts |= {path.resolve() for path in REPO.glob("tools/cli/*.py")}
    assert sorted(map(str, (modules | tests | scripts) - owned)) == []
