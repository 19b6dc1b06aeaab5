"""One writer per output folder, leftovers of a killed run removed, outputs others can read, --help and
--version (issue 12 item 4, issue 14 item 6)."""
from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import simulation
from simulation import cli
from simulation.cli.main import build_parser, version
from simulation.experiment.store import MARKER, folder_lock, lock_path, remove_stale_temp_folders
from scenarios import BASE

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scenario_file(tmp_path):
    path = tmp_path / "klein.yaml"
    path.write_text(yaml.safe_dump(BASE, allow_unicode=True), encoding="utf-8")
    return path


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulation", *map(str, args)], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=300)


def test_a_second_writer_of_the_same_out_stops_with_a_message(scenario_file, tmp_path):
    out = tmp_path / "runs" / "klein"
    with folder_lock(out):                     # this process is writing out; a second one must not
        proc = _cli("run", scenario_file, "--replications", "1", "--quiet", "--out", out)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert str(out) in proc.stderr and "een ander proces" in proc.stderr
        assert f"pid {os.getpid()}" in proc.stderr, "the message names the process holding the folder"
        sweep = _cli("sweep", ROOT / "tests" / "data" / "sweep_smoke.yaml", "--out", out)
        assert sweep.returncode == 2 and "een ander proces" in sweep.stderr
    assert not out.exists() and not lock_path(out).exists()
    assert cli.main(["run", str(scenario_file), "--replications", "1", "--quiet", "--out", str(out)]) == 0
    assert not lock_path(out).exists(), "the lock is released when the command ends"


def test_two_processes_writing_one_out_never_crash(scenario_file, tmp_path):
    out = tmp_path / "samen"
    cmd = [sys.executable, "-m", "simulation", "run", str(scenario_file), "--replications", "2", "--quiet",
           "--out", str(out)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for code, err in results:
        assert code in (0, 2) and "Traceback" not in err, err
        assert code == 0 or ("een ander proces" in err and str(out) in err), err
    assert 0 in [code for code, _ in results]
    assert (out / "manifest.json").exists() and not lock_path(out).exists()


def test_leftovers_of_a_killed_run_are_removed_but_nothing_else(scenario_file, tmp_path, capsys):
    out = tmp_path / "klein"
    ours = tmp_path / ".klein.a1b2c3d4"              # as atomic_folder names them: marker written first
    ours.mkdir()
    (ours / MARKER).write_text("x")
    (ours / "events.parquet").write_bytes(b"half")
    empty = tmp_path / ".klein.k9_x0zz1"            # killed before the marker was written
    empty.mkdir()
    user = tmp_path / ".klein.notes123"              # the same shape of name, but the user's
    user.mkdir()
    (user / "mine.txt").write_text("keep")
    other = tmp_path / ".andere.a1b2c3d4"            # a temp folder of another output
    other.mkdir()
    (other / MARKER).write_text("x")
    assert cli.main(["run", str(scenario_file), "--replications", "1", "--quiet", "--out", str(out)]) == 0
    assert "left by an earlier run" in capsys.readouterr().err
    assert not ours.exists() and not empty.exists()
    assert (user / "mine.txt").read_text() == "keep" and other.exists()


def test_a_sigkilled_run_leaves_a_temp_folder_the_next_run_removes(scenario_file, tmp_path):
    out = tmp_path / "klein"
    code = ("import os, signal, sys; from simulation.experiment import store\n"
            "with store.atomic_folder(sys.argv[1]) as tmp:\n"
            "    (tmp / 'events.parquet').write_bytes(b'half')\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(out)], env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == -9
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".klein.")]
    assert len(left) == 1 and (left[0] / MARKER).exists()
    with folder_lock(out):
        assert remove_stale_temp_folders(out) == left
    assert not left[0].exists()


@pytest.mark.parametrize("umask,folder_mode,file_mode", [(0o022, 0o755, 0o644), (0o077, 0o700, 0o600)])
def test_outputs_follow_the_umask_not_mkdtemps_0700(scenario_file, tmp_path, umask, folder_mode, file_mode):
    out = tmp_path / "runs" / "klein"
    old = os.umask(umask)
    try:
        assert cli.main(["run", str(scenario_file), "--replications", "1", "--quiet", "--out", str(out)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == folder_mode
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == file_mode, path.name


def test_every_command_is_in_the_help_and_every_option_has_help_and_its_default():
    proc = _cli("--help")
    assert proc.returncode == 0
    for name in ("run", "validate", "schema", "notebook", "report", "sweep", "warmup", "calibrate",
                 "export-records", "check-records"):
        assert f"\n    {name} " in proc.stdout, name
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        text = sub.format_help()
        for action in sub._actions:
            if name == "report" and action.dest == "out":
                continue            # cli/report.py is rewritten on the report's branch (issue 14 item 1)
            assert action.help, f"{name} {action.option_strings or action.dest} has no help text"
            if action.option_strings and action.default not in (None, False, argparse.SUPPRESS):
                assert str(action.default) in sub.formatter_class(sub.prog)._get_help_string(action) % {
                    "default": action.default}, (name, action.dest)
        if name == "run":
            flat = " ".join(text.split())   # argparse wraps lines where it likes
            assert "(standaard: 5)" in flat and "(standaard: 1)" in flat
        # Dutch for the reader of --help: argparse's own words too (the option names stay as they are)
        for english in ("(default", "show this help", "positional arguments", "options:", " the ", " e.g. "):
            assert english not in text, (name, english)


def test_the_clis_success_lines_are_dutch(scenario_file, capsys):
    assert cli.main(["validate", str(scenario_file)]) == 0
    out = capsys.readouterr().out
    assert ": geldig scenario " in out and "gemeenten" in out and "kan geschreven worden" in out, out


def test_version():
    proc = _cli("--version")
    assert proc.returncode == 0 and proc.stdout.split()[-1] == version()
    assert version() == simulation.__version__ or version()[0].isdigit()
