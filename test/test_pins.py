"""The pinned dependency files agree: Pipfile -> Pipfile.lock -> requirements*.txt.

`Pipfile` is the source of truth, `pipenv lock` writes `Pipfile.lock`, and `pipenv requirements`
(with and without `--dev`) writes the two requirements files that Bazel and CI install. These
tests fail as soon as one of them is edited without regenerating the others.
"""

from __future__ import annotations

import json
import re
import tomllib

import pytest
from conftest import REPO


def normalize(name: str) -> str:
    """PEP 503 normalisation, so `Jinja2` and `jinja2` are the same package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirements(text: str) -> dict[str, str]:
    """Map package -> pinned version from `name==version; markers` lines."""
    pins: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^;\s]+)\s*(;.*)?", line)
        if match is None:
            raise ValueError(f"line {number} is not a `name==version` pin: {raw!r}")
        pins[normalize(match.group(1))] = match.group(3)
    return pins


def lock_pins(lock: dict, section: str) -> dict[str, str]:
    """Map package -> version for one section (`default` or `develop`) of Pipfile.lock."""
    return {
        normalize(name): entry["version"].removeprefix("==")
        for name, entry in lock[section].items()
    }


def pin_problems(pipfile: dict, lock: dict, requirements: str, requirements_dev: str) -> list[str]:
    """Every disagreement between the four files, as sentences; empty when they agree."""
    problems = []
    default, develop = lock_pins(lock, "default"), lock_pins(lock, "develop")
    for section, locked in (("packages", default), ("dev-packages", {**default, **develop})):
        for name, spec in pipfile.get(section, {}).items():
            key = normalize(name)
            if key not in locked:
                problems.append(f"Pipfile [{section}] {name} is missing from Pipfile.lock")
                continue
            wanted = spec if isinstance(spec, str) else spec.get("version", "*")
            if wanted.startswith("==") and wanted[2:] != locked[key]:
                problems.append(f"Pipfile pins {name}{wanted} but Pipfile.lock has {locked[key]}")
    expectations = (
        ("requirements.txt", requirements, default),
        ("requirements-dev.txt", requirements_dev, {**develop, **default}),
    )
    for filename, text, locked in expectations:
        pinned = parse_requirements(text)
        for key in sorted(locked.keys() - pinned.keys()):
            problems.append(f"{filename} lacks {key}=={locked[key]} from Pipfile.lock")
        for key in sorted(pinned.keys() - locked.keys()):
            problems.append(f"{filename} has {key}=={pinned[key]}, which Pipfile.lock does not")
        for key in sorted(pinned.keys() & locked.keys()):
            if pinned[key] != locked[key]:
                problems.append(
                    f"{filename} pins {key}=={pinned[key]} but Pipfile.lock has {locked[key]}"
                )
    return problems


@pytest.fixture(scope="module")
def files() -> dict:
    return {
        "pipfile": tomllib.loads((REPO / "Pipfile").read_text()),
        "lock": json.loads((REPO / "Pipfile.lock").read_text()),
        "requirements": (REPO / "requirements.txt").read_text(),
        "requirements_dev": (REPO / "requirements-dev.txt").read_text(),
    }


def test_committed_pins_agree(files: dict) -> None:
    assert pin_problems(**files) == []


def test_pipfile_declares_the_runtime_and_tool_packages(files: dict) -> None:
    runtime = {normalize(name) for name in files["pipfile"]["packages"]}
    tools = {normalize(name) for name in files["pipfile"]["dev-packages"]}
    assert {"pandas", "matplotlib", "streamlit", "numpy", "scipy", "altair"} <= runtime
    assert {"pytest", "hypothesis", "ruff", "mypy", "jupyterlab", "nbconvert", "pipenv"} <= tools
    assert files["pipfile"]["requires"]["python_version"] == "3.11"


def test_stale_requirements_are_caught(files: dict) -> None:
    pandas = lock_pins(files["lock"], "default")["pandas"]
    stale = files["requirements"].replace(f"pandas=={pandas}", "pandas==2.2.3")
    assert stale != files["requirements"]
    problems = pin_problems(**{**files, "requirements": stale})
    assert problems == [f"requirements.txt pins pandas==2.2.3 but Pipfile.lock has {pandas}"]


def test_requirement_missing_from_a_file_is_caught(files: dict) -> None:
    lines = files["requirements_dev"].splitlines()
    dropped = [line for line in lines if not line.startswith("pytest==")]
    assert len(dropped) == len(lines) - 1
    problems = pin_problems(**{**files, "requirements_dev": "\n".join(dropped)})
    assert len(problems) == 1 and problems[0].startswith("requirements-dev.txt lacks pytest==")


def test_pipfile_package_missing_from_lock_is_caught(files: dict) -> None:
    pipfile = {**files["pipfile"], "packages": {**files["pipfile"]["packages"], "left-pad": "*"}}
    problems = pin_problems(**{**files, "pipfile": pipfile})
    assert problems == ["Pipfile [packages] left-pad is missing from Pipfile.lock"]


def test_unpinned_requirement_line_is_rejected() -> None:
    with pytest.raises(ValueError, match="line 2"):
        parse_requirements("pandas==3.1.1\nnumpy>=2\n")
