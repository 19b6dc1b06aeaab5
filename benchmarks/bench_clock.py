"""Benchmark of the shared SimPy clock on the slow path (not a test): prints figures, ratios and targets.

    python benchmarks/bench_clock.py [--rounds 5] [--against /work/main]

The slow path: a scenario in which every client runs on the shared SimPy clock, none in the
numpy cohort. It is built from params/noord-limburg.yaml by giving every municipality plekken
in every segment at every provider that serves it there (``providers.*.plekken``, AMPLE plekken
each, so no new pool ever fills), except where a funding contract already buys plekken for that
municipality, provider and segment (Venlo's youth S3 and S4 keep their contracts' plekken). A
client who can meet a plek never goes to the numpy cohort (``Model._never_waits``). The log is
not the default's: the initial caseload at a pool is drawn from the pool's M/M/c law
(steady_state.initial_caseload), which also costs set-up time in proportion to AMPLE.

In one process, interleaved over ``--rounds`` rounds, CPU time (time.process_time) per client of:

- bare SimPy: the M/M/c loop of benchmarks/bench_core.py (simpy.Resource, c=50, rho=0.9) with
  as many clients as the replication simulates;
- ``Model.run``: building the model and running one replication (set-up with the initial
  caseload, then the shared clock), no event log;
- ``simulate()``: the whole call, one replication (model, event-log DataFrame, KPIs);
- heap floor: the same M/M/c as a plain-Python heapq event loop (no SimPy, no objects per event).

Targets (issue 16, goal 3): ``simulate()`` <= 2x bare SimPy, ``Model.run`` <= 1.5x.
``--against PATH`` runs this benchmark in fresh processes alternately with ``PYTHONPATH=PATH``
(for instance a checkout of main) and with this checkout, one round each, and prints the
medians of both side by side.
"""
from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import bare_mmc, heap_mmc_loop  # noqa: E402  (benchmarks/ is not a package)

AMPLE = 2_500   # plekken per municipality, provider and segment: over twice the most ever in care at once (1,103)
TARGETS = {"model": 1.5, "simulate": 2.0}


def slow_path_raw(path: Path) -> dict:
    """The scenario at ``path`` (YAML) with plekken for every municipality x segment, as a dict."""
    import yaml

    raw = copy.deepcopy(yaml.safe_load(path.read_text(encoding="utf-8")))
    municipalities = list(raw["municipalities"])
    contracted = {(c["municipality"], c["provider"], c["segment"])
                  for c in (raw.get("funding") or {}).get("contracts", []) if c.get("plekken") is not None}
    for name, provider in raw["providers"].items():
        plekken = provider.setdefault("plekken", {})
        for municipality in provider.get("municipalities") or municipalities:
            for segment in provider["segments"]:
                if (municipality, name, segment) not in contracted:
                    plekken.setdefault(municipality, {}).setdefault(segment, AMPLE)
    return raw


def heap_mmc(n_clients: int, servers: int = 50, rho: float = 0.9, seed: int = 1) -> float:
    """Seconds for the M/M/c of ``bare_mmc`` as a plain-Python heapq loop: the floor without SimPy."""
    import numpy as np

    rng = np.random.default_rng(seed)
    mean_stay = 100.0
    gaps = rng.exponential(mean_stay / (rho * servers), n_clients).tolist()
    stays = rng.exponential(mean_stay, n_clients).tolist()
    return heap_mmc_loop(gaps, stays, servers)[0]


def _cpu(function) -> tuple[float, object]:
    gc.collect()
    start = time.process_time()
    result = function()
    return time.process_time() - start, result


def one_round(scenario, seed: int) -> dict:
    """One interleaved round: CPU seconds of each contender, and the replication's client count."""
    import warnings

    from simulation.experiment.runner import build_model, simulate

    def model_run():
        model = build_model(scenario, seed, 0)
        model.run()
        return model.n_clients, model.cohort.n_clients, model.timings

    t_model, (clients, cohort, phases) = _cpu(model_run)
    t_bare, _ = _cpu(lambda: bare_mmc(clients, seed=seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_simulate, _ = _cpu(lambda: simulate(scenario, seed=seed, force_size=True))
    t_heap, _ = _cpu(lambda: heap_mmc(clients, seed=seed))
    return {"clients": clients, "cohort": cohort, "phases": phases,
            "bare": t_bare, "model": t_model, "simulate": t_simulate, "heap": t_heap}


def summarise(rounds: list[dict]) -> dict:
    """Medians of the seconds and of the per-round ratios to bare SimPy."""
    out = {"clients": rounds[0]["clients"], "cohort": rounds[0]["cohort"], "rounds": len(rounds)}
    for key in ("bare", "model", "simulate", "heap"):
        out[key] = statistics.median(r[key] for r in rounds)
        out[key + "_ratio"] = statistics.median(r[key] / r["bare"] for r in rounds)
    for phase in ("set_up", "shared_clock"):
        out[phase] = statistics.median(r["phases"][phase] for r in rounds)
    return out


def report(summary: dict, label: str = "") -> None:
    n = summary["clients"]
    print(f"slow path{label}: {n:,} clients per replication, {summary['cohort']:,} in the numpy cohort; "
          f"medians of {summary['rounds']} interleaved rounds, CPU time")
    print(f"  {'':<34}{'s / replication':>16}{'us / client':>13}{'/ bare SimPy':>14}{'target':>9}")
    names = (("bare", "bare SimPy M/M/c"), ("model", "Model.run"), ("set_up", "  set-up (initial caseload)"),
             ("shared_clock", "  shared SimPy clock"), ("simulate", "simulate() (model, log, KPIs)"),
             ("heap", "plain-Python heap floor"))
    for key, name in names:
        ratio = summary.get(key + "_ratio", summary[key] / summary["bare"])
        target = f"<= {TARGETS[key]}x" if key in TARGETS else ""
        print(f"  {name:<34}{summary[key]:>16.2f}{summary[key] / n * 1e6:>13.1f}{ratio:>13.2f}x{target:>9}")
    print(f"  simulate() / heap floor: {summary['simulate'] / summary['heap']:.1f}x; "
          f"Model.run / heap floor: {summary['model'] / summary['heap']:.1f}x")


def against(other: str, rounds: int, scenario: str) -> None:
    """Alternate fresh processes of this benchmark on ``other``'s code and on this checkout."""
    results: dict[str, list[dict]] = {other: [], str(ROOT): []}
    for _ in range(rounds):
        for tree in results:
            env = dict(os.environ, PYTHONPATH=tree)
            out = subprocess.run([sys.executable, __file__, scenario, "--rounds", "1", "--json"], env=env,
                                 cwd=ROOT, capture_output=True, text=True, check=True)
            results[tree].append(json.loads(out.stdout.strip().splitlines()[-1])["rounds"][0])
    for tree, got in results.items():
        report(summarise(got), f" ({tree})")
    old, new = summarise(results[other]), summarise(results[str(ROOT)])
    print("this checkout / other: " + ", ".join(
        f"{key} {new[key] / old[key]:.2f}x" for key in ("model", "set_up", "shared_clock", "simulate")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "params" / "noord-limburg.yaml"))
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds in this process")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--against", metavar="PATH", help="also run the code at PATH (alternating processes)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.against:
        against(args.against, args.rounds, args.scenario)
        return
    from simulation.config.scenario import scenario_from_dict

    scenario = scenario_from_dict(slow_path_raw(Path(args.scenario)), source="slow path")
    rounds = [one_round(scenario, args.seed) for _ in range(args.rounds)]
    if args.json:
        print(json.dumps({"rounds": rounds}))
        return
    report(summarise(rounds))


if __name__ == "__main__":
    main()
