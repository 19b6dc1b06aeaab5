"""The install files agree: requirements.lock pins every dependency pyproject names, make and
environment.yml install from it, and the distribution's name, licence and citation match."""
from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from simulation.experiment.provenance import DISTRIBUTION

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK_TEXT = (ROOT / "requirements.lock").read_text()


def _lock_entries(text: str) -> list[dict]:
    """One dict per pinned requirement of a pip requirements file with hashes (continuation lines joined)."""
    logical = re.sub(r"\\\n\s*", " ", text)
    entries = []
    for line in logical.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        spec, *hashes = [part.strip() for part in line.split("--hash=")]
        entries.append({"requirement": Requirement(spec), "hashes": hashes})
    return entries


LOCK = _lock_entries(LOCK_TEXT)
PINNED = {}
for _entry in LOCK:
    PINNED.setdefault(canonicalize_name(_entry["requirement"].name), []).append(_entry)


def _declared() -> list[Requirement]:
    project = PYPROJECT["project"]
    names = list(project["dependencies"]) + list(PYPROJECT["build-system"]["requires"])
    for extra in ("dev", "dask"):
        names += project["optional-dependencies"][extra]
    return [Requirement(n) for n in names]


def _version(entry) -> str:
    (spec,) = entry["requirement"].specifier
    return spec.version


def test_every_lock_entry_is_pinned_exactly_with_hashes():
    assert len(LOCK) > 50
    for entry in LOCK:
        specs = list(entry["requirement"].specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"{entry['requirement']} is not pinned with =="
        assert entry["hashes"] and all(h.startswith("sha256:") for h in entry["hashes"]), entry["requirement"]
        assert not entry["requirement"].url, "the lock holds no direct URLs or local paths"


def test_lock_pins_every_dependency_pyproject_names_at_a_version_it_allows():
    for req in _declared():
        name = canonicalize_name(req.name)
        assert name in PINNED, f"{req.name} is in pyproject.toml but not in requirements.lock: run `make lock`"
        for entry in PINNED[name]:
            assert req.specifier.contains(_version(entry), prereleases=True), (
                f"requirements.lock pins {req.name}=={_version(entry)}, pyproject asks {req.specifier}: run `make lock`")


def test_lock_holds_what_the_extras_of_a_dependency_pull_in():
    # dask[distributed] must bring distributed; read from the installed dask's own metadata
    for req in _declared():
        if not req.extras:
            continue
        try:
            requires = metadata.requires(req.name) or []
        except metadata.PackageNotFoundError:
            pytest.skip(f"{req.name} not installed here")
        for text in requires:
            dep = Requirement(text)
            if dep.marker and any(dep.marker.evaluate({**default_environment(), "extra": e}) for e in req.extras) \
                    and not dep.marker.evaluate({**default_environment(), "extra": ""}):
                assert canonicalize_name(dep.name) in PINNED, f"{req}: {dep.name} missing from requirements.lock"


def test_the_project_itself_is_not_in_the_lock():
    assert canonicalize_name(PYPROJECT["project"]["name"]) not in PINNED
    assert "-e " not in LOCK_TEXT


def test_make_installs_from_the_lock_with_hashes_then_the_project_without_dependencies():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^LOCK := requirements\.lock$", makefile, re.M)
    install = makefile[makefile.index("$(STAMP): pyproject.toml $(LOCK)"):makefile.index("install: $(STAMP)")]
    assert "pip install --quiet --require-hashes -r $(LOCK)" in install
    assert "--no-deps --no-build-isolation -e ." in install
    lock_rule = makefile[makefile.index("\nlock:"):]
    assert "--generate-hashes" in lock_rule and "--extra dev --extra dask" in lock_rule
    assert "--custom-compile-command 'make lock'" in lock_rule and "#    make lock" in LOCK_TEXT


def test_environment_yml_installs_the_same_lock_on_the_same_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict))
    assert pip_section == ["--require-hashes", "-r requirements.lock"]
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python"))
    makefile = (ROOT / "Makefile").read_text()
    locked_for = re.search(r"--python-version (\S+)", makefile).group(1)
    assert python == f"python={locked_for}"
    assert env["name"] == PYPROJECT["project"]["name"]


def test_an_environment_installed_by_make_has_exactly_the_locked_versions():
    stamp = Path(sys.prefix) / ".installed"
    if not stamp.exists() or stamp.read_text() != LOCK_TEXT:
        pytest.skip("this environment was not installed from this requirements.lock by `make install`")
    env = default_environment()
    for name, entries in PINNED.items():
        wanted = [e for e in entries if e["requirement"].marker is None or e["requirement"].marker.evaluate(env)]
        if wanted:
            assert metadata.version(name) == _version(wanted[0]), name


def test_distribution_name_is_ours_and_used_for_provenance():
    assert PYPROJECT["project"]["name"] == DISTRIBUTION == "jeugd-wmo-simulatie"
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pytest.skip("the project is not installed under its distribution name here")
    assert dist.version == PYPROJECT["project"]["version"]


def test_license_and_citation_agree_with_pyproject():
    assert PYPROJECT["project"]["license"] == "MIT"
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License") and "Copyright (c) 2026" in licence
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    assert {"message", "title", "authors"} <= set(citation)
    assert str(citation["version"]) == PYPROJECT["project"]["version"]
    assert citation["license"] == "MIT"
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog and f"## [{PYPROJECT['project']['version']}]" in changelog
