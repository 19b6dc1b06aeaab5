"""Benchmark (not a test): how long ``import simulation`` and the command line's ``--help`` take to start.

    python benchmarks/bench_startup.py [--runs 7] [--against REV]

Each command runs in a fresh process, the commands interleaved (the order rotates every round), ``--runs``
times; the table gives the medians of wall time, CPU time (user + system, os.wait4) and peak memory
(max RSS). ``python -c pass`` is the interpreter's own floor. The bytecode is compiled once before the
timed runs, into a temporary PYTHONPYCACHEPREFIX (as after an install; nothing is written into the
checkout). The heaviest imports come from one ``python -X importtime -m simulation --help``: the
third-party packages the project imports, by their cumulative import time, and the project's own modules.

With ``--against REV`` the same commands also run on REV's code (a temporary git worktree), interleaved
with this checkout's, and the table adds REV's medians and the ratio of the medians.

Target (issue 16 goal 4): under 0.3 s each. tests/unit/test_startup.py checks, without timing anything,
that these commands do not import pandas, scipy, pyarrow, matplotlib or papermill.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 0.3
COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "import simulation": ["-c", "import simulation"],
    "python -m simulation --help": ["-m", "simulation", "--help"],
    "python -m simulation run --help": ["-m", "simulation", "run", "--help"],
    "python -m simulation sweep --help": ["-m", "simulation", "sweep", "--help"],
}


def _environment(cache: str, tree: Path = ROOT) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    env["PYTHONPATH"] = os.pathsep.join([str(tree), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def run_once(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall seconds, CPU seconds and peak MB of one fresh ``python ARGS`` (in the tree first on PYTHONPATH)."""
    start = time.perf_counter()
    tree = env["PYTHONPATH"].split(os.pathsep)[0]
    proc = subprocess.Popen([sys.executable, *args], cwd=tree, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"python {' '.join(args)} failed: {proc.stderr.read().decode()[-2000:]}")
    proc.stderr.close()
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "mb": usage.ru_maxrss / 1024}


def import_summary(env: dict[str, str], top: int = 8) -> tuple[list[tuple[str, float]], float, int]:
    """(third-party package, cumulative ms) imported by the project or the command, heaviest first; the
    project's own modules' total self time (ms) and their number, from ``-X importtime -m simulation --help``."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "simulation", "--help"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stderr
    rows = []
    for line in out.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            own, cumulative, name = line[len("import time:"):].split("|")
            rows.append((int(own), int(cumulative), (len(name) - len(name.lstrip())) // 2, name.strip()))
    heavy: dict[str, float] = {}
    for i, (_, cumulative, depth, name) in enumerate(rows):
        # importtime prints a module after what it imported: its importer is the next row one level up
        parent = next((r[3] for r in rows[i + 1:] if r[2] < depth), "")
        if not name.startswith("simulation") and (parent.startswith("simulation") or depth == 0):
            package = name.split(".")[0]
            heavy[package] = heavy.get(package, 0.0) + cumulative / 1000
    own = [r for r in rows if r[3].startswith("simulation")]
    return sorted(heavy.items(), key=lambda kv: -kv[1])[:top], sum(r[0] for r in own) / 1000, len(own)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each command (default 7)")
    parser.add_argument("--against", metavar="REV", help="also run the commands on this commit's code, interleaved")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        trees = [ROOT]
        if args.against:
            trees.append(Path(tmp) / "old")
            subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(trees[1]), args.against], cwd=ROOT,
                           check=True)
        try:
            envs = [_environment(str(Path(tmp) / f"pyc{i}"), tree) for i, tree in enumerate(trees)]
            for env in envs:
                for command in COMMANDS.values():   # compile the bytecode once (untimed)
                    run_once(command, env)
            results = [{name: [] for name in COMMANDS} for _ in trees]
            names = list(COMMANDS)
            for r in range(args.runs):
                for name in names[r % len(names):] + names[:r % len(names)]:
                    for i, env in enumerate(envs):
                        results[i][name].append(run_once(COMMANDS[name], env))
            heavy, own_ms, own_modules = import_summary(envs[0])
        finally:
            if args.against:
                subprocess.run(["git", "worktree", "remove", "--force", str(trees[1])], cwd=ROOT, check=False)

    print(f"start-up, {args.runs} interleaved runs each, fresh process, bytecode compiled (medians)")
    extra = f"{'CPU s ' + args.against:>16}{'new/old':>9}" if args.against else ""
    print(f"  {'command':<36}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}{extra}   CPU / target {TARGET_S} s")
    for name, runs in results[0].items():
        wall, cpu, mb = (statistics.median(run[k] for run in runs) for k in ("wall", "cpu", "mb"))
        note = "" if name == "python -c pass" else f"   {cpu / TARGET_S:.2f} x"
        if args.against:
            old = statistics.median(run["cpu"] for run in results[1][name])
            note = f"{old:>16.3f}{cpu / old:>8.2f}x" + note
        print(f"  {name:<36}{wall:>8.3f}{cpu:>8.3f}{mb:>9.0f}{note}")
    print(f"  target: under {TARGET_S} s each (issue 16 goal 4); wall time includes waiting for a core on a loaded "
          "machine, CPU time does not")
    print("heaviest imports of python -m simulation --help (one -X importtime run, cumulative ms):")
    print("  " + ", ".join(f"{package} {ms:.0f}" for package, ms in heavy))
    print(f"  the project's own {own_modules} modules: {own_ms:.0f} ms (self time)")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
