"""The two locks: requirements.lock is what the app and its workers import (the production image
installs only it), requirements-dev.lock the tools of tests and lint on top of it."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("config", "households", "imports", "monitoring", "alerts", "assistance")
DEV_TOOLS = {
    "pytest",
    "pytest-django",
    "pytest-timeout",
    "playwright",
    "ruff",
    "import-linter",
    "time-machine",
}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock: str) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", (ROOT / lock).read_text(), flags=re.MULTILINE)
    return {normalise(name): version for name, version in found}


def declared(group: list[str]) -> dict[str, str]:
    result = {}
    for requirement in group:
        name, _, version = requirement.partition("==")
        assert version, f"{requirement}: pyproject.toml pins every dependency"
        result[normalise(re.sub(r"\[.*\]", "", name))] = version
    return result


def test_pyproject_pins_are_the_locked_versions_and_dev_tools_stay_out_of_the_runtime_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert not set(runtime) & set(dev), "a package is pinned in both locks"
    for name, version in declared(project["dependencies"]).items():
        assert runtime.get(name) == version, name
    for name, version in declared(project["optional-dependencies"]["dev"]).items():
        assert {**runtime, **dev}.get(name) == version, name
    assert set(dev) >= DEV_TOOLS
    assert not DEV_TOOLS & set(runtime)


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def settings_modules() -> set[str]:
    """Apps, middleware, backends … that settings name as dotted strings."""
    from django.conf import settings

    values = [*settings.INSTALLED_APPS, *settings.MIDDLEWARE, *settings.AUTHENTICATION_BACKENDS]
    return {value.split(".")[0] for value in values}


def test_every_third_party_module_the_app_imports_is_in_the_runtime_lock():
    runtime = pins("requirements.lock")
    distributions = packages_distributions()
    modules = settings_modules()
    for package in APP_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            modules |= imported_modules(path)
    missing = {}
    for module in sorted(modules - set(sys.stdlib_module_names) - set(APP_PACKAGES)):
        owners = {normalise(d) for d in distributions.get(module, [])}
        assert owners, f"{module}: imported by the app but not installed"
        if not owners & set(runtime):
            missing[module] = owners
    assert not missing, f"imported by the app, missing from requirements.lock: {missing}"
