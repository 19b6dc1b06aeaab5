"""Every command in the README's code blocks is run here, or checked as far as it can be in a test, so an
example cannot rot.

The commands run in a scratch folder whose ``params/`` holds links to the repository's files (what a command
writes stays there), with ``.venv/bin/python`` replaced by this interpreter and the long parameters made
small (one replication, one year). ``make`` targets are dry-run (``make -n``) and every ``python -m
simulation`` line they expand to is parsed by the CLI's own parser; ``make test`` is what CI runs
(``.ci/run``). A notebook or papermill command is checked (the notebook, its parameters, the kernel), not
run: ``tests/functional/test_notebooks.py`` and ``make test``'s nbval run the notebooks. A README command
that none of the rules below knows fails ``test_every_readme_command_is_known``.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from simulation.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
SMALL = [(r"--replications \d+", "--replications 1"), (r"horizon_years=\d+", "horizon_years=1"),
         (r"REPLICATIONS=\d+", "REPLICATIONS=1")]
PY_SMALL = [(r"replications=\d+", "replications=2"), (r'"horizon_years": \d+', '"horizon_years": 1')]


def _blocks(language: str) -> list[str]:
    return [m.group(1) for m in re.finditer(rf"^```{language}\n(.*?)^```", README, re.M | re.S)]


def _commands(block: str) -> list[str]:
    """The shell commands of a block: continuation lines joined, comments and blank lines dropped."""
    joined = re.sub(r"\\\n\s*", " ", block)
    return [shlex.join(shlex.split(line, comments=True)) for line in joined.splitlines()
            if shlex.split(line, comments=True)]


def _kind(command: str) -> str:
    words = shlex.split(command, comments=True)
    if words[0] == "make":
        return "make"
    if words[0] == "conda" or words[:2] == ["pip", "install"]:
        return "install"
    if words[:3] == [".venv/bin/python", "-m", "simulation"]:
        return "notebook" if words[3] == "notebook" else "cli"
    if words[0] == ".venv/bin/papermill":
        return "papermill"
    return "unknown"


BASH = [c for block in _blocks("bash") for c in _commands(block)]


def test_every_readme_command_is_known():
    assert len(BASH) >= 10, BASH
    unknown = [c for c in BASH if _kind(c) == "unknown"]
    assert not unknown, f"README commands no rule of tests/functional/test_readme.py runs or checks: {unknown}"


@pytest.fixture
def sandbox(tmp_path):
    (tmp_path / "params").mkdir()
    for entry in (ROOT / "params").iterdir():
        (tmp_path / "params" / entry.name).symlink_to(entry)
    for name in ("notebooks", "sweeps"):
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    for pattern, small in SMALL:
        command = re.sub(pattern, small, command)
    argv = shlex.split(command, comments=True)
    argv = [sys.executable] + argv[1:] if argv[0] == ".venv/bin/python" else argv
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def _parse(argv: list[str]) -> None:
    try:
        build_parser().parse_args(argv)
    except SystemExit as exc:
        pytest.fail(f"the CLI refuses {' '.join(argv)} (exit {exc.code})")


@pytest.mark.parametrize("block", [i for i, b in enumerate(_blocks("bash")) if any(
    _kind(c) == "cli" for c in _commands(b))])
def test_cli_examples_run(block, sandbox):
    """The CLI examples of one block, in order, small: each exits 0 (a later one may read what an earlier wrote)."""
    for command in _commands(_blocks("bash")[block]):
        if _kind(command) != "cli":
            continue
        proc = _run(command, sandbox)
        assert proc.returncode == 0, f"{command}\n{proc.stderr[-3000:]}"
        assert "Traceback" not in proc.stderr, proc.stderr


def test_error_example_prints_what_the_readme_shows(sandbox):
    (console,) = _blocks("console")
    lines = console.rstrip("\n").splitlines()
    assert lines[0].startswith("$ ")
    proc = _run(lines[0][2:], sandbox)
    assert proc.returncode != 0
    assert (proc.stdout + proc.stderr).rstrip("\n").splitlines() == lines[1:]


def test_python_example_runs(sandbox):
    (code,) = _blocks("python")
    for pattern, small in PY_SMALL:
        code = re.sub(pattern, small, code)
    assert "replications=2" in code and '"horizon_years": 1' in code
    checked = code + "\nassert len(result.events) and len(result.kpis)\nprint('ok')\n"
    proc = _run(".venv/bin/python -c " + shlex.quote(checked), sandbox)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stderr[-3000:]


@pytest.mark.parametrize("command", [c for c in BASH if _kind(c) == "make"])
def test_make_examples_expand_to_commands_the_cli_accepts(command, sandbox):
    words = shlex.split(command, comments=True)
    if words[1] == "test":
        assert "make test" in (ROOT / ".ci" / "run").read_text(), "CI runs make test"
    for word in words[2:]:
        name, _, value = word.partition("=")
        assert re.search(rf"^{name} \?=", MAKEFILE, re.M), f"{command}: the Makefile has no variable {name}"
        if name == "SCENARIO":
            assert (ROOT / value).is_file(), f"{command}: no scenario {value}"
    proc = subprocess.run(["make", "-n", "-C", str(ROOT), *words[1:]], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    expanded = re.sub(r"\\\n\s*", " ", proc.stdout)
    lines = [line for line in expanded.splitlines() if "-m simulation " in line]
    if words[1] == "run":
        assert lines, proc.stdout
    for line in lines:
        argv = shlex.split(line.split("-m simulation ", 1)[1])
        _parse(argv)
        for word in words[2:]:
            name, _, value = word.partition("=")
            if name in ("SEED", "REPLICATIONS") and argv[0] == "run":
                assert f"--{name.lower()} {value}" in line, f"{command}: {name} does not reach {line}"


@pytest.mark.parametrize("command", [c for c in BASH if _kind(c) == "install"])
def test_install_examples_match_what_make_and_environment_yml_do(command):
    if command.startswith("pip install"):
        options = set(command.split()[2:])
        assert any(options <= set(line.split()) for line in MAKEFILE.splitlines() if "pip install" in line), (
            f"make install runs no pip install with {options}")
    else:
        assert "environment.yml" in command and "conda activate jeugd-wmo-simulatie" in command
        assert "name: jeugd-wmo-simulatie" in (ROOT / "environment.yml").read_text()


@pytest.mark.parametrize("command", [c for c in BASH if _kind(c) in ("notebook", "papermill")])
def test_notebook_examples_name_a_notebook_its_parameters_and_the_kernel(command):
    words = shlex.split(command, comments=True)
    if words[0] == ".venv/bin/papermill":
        notebook = ROOT / words[1]
        params = {words[i + 1]: words[i + 2] for i, word in enumerate(words) if word == "-p"}
        kernel = words[words.index("-k") + 1]
        assert f"--name {kernel} " in MAKEFILE, f"{command}: make install installs no kernel {kernel}"
    else:
        _parse(words[3:])
        (notebook,) = sorted((ROOT / "notebooks").glob(f"{words[4]}_*.ipynb"))
        params = dict(words[i + 1].split("=", 1) for i, word in enumerate(words) if word == "--set")
    assert notebook.is_file(), command
    cells = json.loads(notebook.read_text())["cells"]
    (parameters,) = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    names = set(re.findall(r"^(\w+)\s*=", "".join(parameters["source"]), re.M))
    assert set(params) <= names, f"{command}: {set(params) - names} are no parameters of {notebook.name}"
