"""Every issue-16 benchmark in one run (``make bench``), its output kept as a dated record.

    python benchmarks/bench_all.py [--only peers,startup,...]

Runs the scripts below one after another, each in its own process, and writes what they print both to
the terminal and to ``outputs/bench/make-bench-<UTC time>.txt``, between a header and a footer that
name the commit, the machine, the Python and the load average at the start and at the end (the README's
"Speed and memory" quotes such a record). It stops with the failing script's exit code; the record is
written as it goes, so a failed run still shows how far it got.
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# name -> arguments; the order is the README's
SCRIPTS = {
    "peers": ["bench_peers.py"],
    "startup": ["bench_startup.py"],
    "core": ["bench_core.py"],
    "clock": ["bench_clock.py", "--rounds", "3"],
    "compare": ["bench_compare.py"],
    "app": ["bench_app.py"],
    # the slow what-if: S4 sends clients up to S1 and shares its providers' plekken (docs/app.md)
    "app_s1": ["bench_app.py", "--segment", "S1", "--variant", "plekken", "--provider", "jeugd_regio_a,jeugd_regio_b"],
    "sizes": ["bench_sizes.py"],
    "sweep": ["bench_sweep.py"],
}


def machine() -> str:
    """One line on what ran the benchmarks."""
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    mem = next((int(line.split()[1]) / 2**20 for line in _read("/proc/meminfo").splitlines()
                if line.startswith("MemTotal")), float("nan"))
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def commit() -> str:
    out = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True)
    return out.stdout.strip() or "?"


def stamp() -> str:
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, load average {load}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(SCRIPTS)}")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()] or list(SCRIPTS)
    unknown = sorted(set(chosen) - set(SCRIPTS))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(SCRIPTS)}")
    out = ROOT / "outputs" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    record = out / f"make-bench-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.txt"
    started = time.perf_counter()
    with record.open("w", encoding="utf-8") as log:
        def say(text: str) -> None:
            sys.stdout.write(text)
            sys.stdout.flush()
            log.write(text)
            log.flush()

        say(f"make bench: commit {commit()}\nmachine: {machine()}\nstart: {stamp()}\n")
        for name in chosen:
            cmd = [sys.executable, str(ROOT / "benchmarks" / SCRIPTS[name][0]), *SCRIPTS[name][1:]]
            say(f"\n=== {name}: {' '.join(cmd[1:])} ({stamp()})\n")
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for line in proc.stdout:
                say(line)
            if proc.wait() != 0:
                say(f"\n{name} failed with exit code {proc.returncode}; record: {record}\n")
                return proc.returncode
        say(f"\nend: {stamp()}; {time.perf_counter() - started:.0f} s in all\nrecord: {record}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
