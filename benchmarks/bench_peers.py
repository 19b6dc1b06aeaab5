"""Benchmark (not a test): the project's model against its peers on one M/M/c workload, in one run.

    python benchmarks/bench_peers.py [--clients 200000] [--rounds 3]

The workload is the issue's: c = 50 servers (plekken), rho = 0.9, Poisson arrivals, exponential
stays, 200,000 clients, FIFO (the model simulates its warm-up too, a few % more clients: the ratios are
per client). The contenders:

- ``model``: the project's ``Model.run`` on an M/M/c scenario (tests/scenarios.py ``mmc_scenario``:
  one municipality, segment and provider with 50 plekken, one year that holds the clients, a warm-up
  from empty); every client goes through the shared SimPy clock (the slow path). Only ``Model.run`` is
  timed; its mean wait comes from the event log (start_zorg, the year after the warm-up);
- ``simpy``: a bare SimPy loop (simpy.Resource, one process per client), the yardstick of the ratios;
- ``ciw``: Ciw (a queueing-network library on its own event loop), the same network;
- ``heap``: the plain-Python floor, the Kiefer-Wolfowitz recursion over a heap of the servers' free times
  (start = max(arrival, earliest free server)); no event list at all.

Each contender runs in a fresh process (so none inherits another's heap or garbage), the contenders
interleaved in every round (the order rotates), each timed by its own CPU time (time.process_time) around
the simulation alone, so other load on this shared machine matters less. The table gives medians over
the rounds; a ratio is the median of the per-round ratios to bare SimPy in the same round. The mean waits
(in units of the mean stay) are printed next to Erlang C's value (simulation/analysis/queueing.py); the
peers' means skip the first 5% of clients (they start empty).
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import bare_mmc_loop, heap_mmc_loop  # noqa: E402  (benchmarks/ is not a package)

SERVERS, RHO = 50, 0.9
CONTENDERS = ("model", "simpy", "ciw", "heap")
TARGET_MODEL = 1.5   # issue 16 goal 3: the model alone <= 1.5 x bare SimPy per client on the slow path


def _draws(clients: int, seed: int) -> tuple[list[float], list[float]]:
    """Interarrival gaps and stays in units of the mean stay (rate c rho), shared by simpy and heap."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return rng.exponential(1 / (SERVERS * RHO), clients).tolist(), rng.exponential(1.0, clients).tolist()


def _mean_after_warmup(waits: list[float]) -> float:
    skip = len(waits) // 20
    return statistics.fmean(waits[skip:])


def run_simpy(clients: int, seed: int) -> dict:
    gaps, stays = _draws(clients, seed)
    cpu_s, waits = bare_mmc_loop(gaps, stays, SERVERS)
    return {"cpu_s": cpu_s, "clients": len(waits), "mean_wait": _mean_after_warmup(waits)}


def run_heap(clients: int, seed: int) -> dict:
    gaps, stays = _draws(clients, seed)
    cpu_s, waits = heap_mmc_loop(gaps, stays, SERVERS)
    return {"cpu_s": cpu_s, "clients": len(waits), "mean_wait": _mean_after_warmup(waits)}


def run_ciw(clients: int, seed: int) -> dict:
    import ciw

    network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate=SERVERS * RHO)],
                                 service_distributions=[ciw.dists.Exponential(rate=1.0)],
                                 number_of_servers=[SERVERS])
    ciw.seed(seed)
    start = time.process_time()
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(clients, method="Arrive")
    seconds = time.process_time() - start
    records = sorted(sim.get_all_records(), key=lambda r: r.arrival_date)
    waits = [r.waiting_time for r in records]
    return {"cpu_s": seconds, "clients": len(waits), "mean_wait": _mean_after_warmup(waits)}


def run_model(clients: int, seed: int) -> dict:
    """The project's engine on the M/M/c scenario whose year holds ``clients`` arrivals."""
    sys.path.insert(0, str(ROOT / "tests"))
    from scenarios import mmc_scenario

    from simulation.core import events as ev
    from simulation.experiment.runner import build_model

    mean_stay = SERVERS * RHO * 365.0 / clients   # days: one year holds ``clients`` arrivals
    relaxation = mean_stay / (SERVERS * (1 - RHO ** 0.5) ** 2)   # as tests/validation/test_queueing.py
    scenario = mmc_scenario(SERVERS, RHO, mean_stay, warmup_days=max(20 * relaxation, 50 * mean_stay))
    model = build_model(scenario, seed, 0)
    start = time.process_time()
    rows = model.run()
    seconds = time.process_time() - start
    frame = ev.to_frame(rows, 0, scenario.start_date, model.labels())
    waits = frame.loc[frame["event"] == "start_zorg", "wacht_dagen"].to_numpy() / mean_stay
    return {"cpu_s": seconds, "clients": model.n_clients, "mean_wait": float(waits.mean()),
            "cohort": model.cohort.n_clients}


RUNNERS = {"model": run_model, "simpy": run_simpy, "ciw": run_ciw, "heap": run_heap}


def _child(name: str, clients: int, seed: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", name, "--clients", str(clients), "--seed", str(seed)],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200_000, help="clients per run (default 200,000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = RUNNERS[args.child](args.clients, args.seed)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    from simulation.analysis.queueing import erlang_c, erlang_wait

    runs: dict[str, list[dict]] = {name: [] for name in CONTENDERS}
    for r in range(args.rounds):
        order = CONTENDERS[r % len(CONTENDERS):] + CONTENDERS[:r % len(CONTENDERS)]
        for name in order:
            runs[name].append(_child(name, args.clients, args.seed + r))
    report(runs, args.clients, args.rounds, erlang_wait(SERVERS, SERVERS * RHO, 1.0), erlang_c(SERVERS, SERVERS * RHO))


def report(runs: dict[str, list[dict]], clients: int, rounds: int, theory_wait: float, p_wait: float) -> None:
    print(f"M/M/c, c = {SERVERS}, rho = {RHO}, {clients:,} clients, {rounds} interleaved rounds, fresh process each, "
          "CPU seconds (medians)")
    print(f"  Erlang C: P(wait > 0) = {p_wait:.4f}, mean wait = {theory_wait:.4f} x the mean stay")
    print(f"  {'contender':<10}{'CPU s':>8}{'us/client':>11}{'/ bare SimPy':>14}{'mean wait':>11}"
          f"{'/ Erlang C':>12}{'peak MB':>9}")
    bare = runs["simpy"]
    for name in CONTENDERS:
        ok = [(run, base) for run, base in zip(runs[name], bare) if "error" not in run and "error" not in base]
        if not ok:
            print(f"  {name:<10} not run: {runs[name][0].get('error', 'bare SimPy failed')}")
            continue
        cpu = statistics.median(run["cpu_s"] for run, _ in ok)
        per_client = statistics.median(run["cpu_s"] / run["clients"] for run, _ in ok) * 1e6
        ratio = statistics.median((run["cpu_s"] / run["clients"]) / (base["cpu_s"] / base["clients"]) for run, base in ok)
        wait = statistics.median(run["mean_wait"] for run, _ in ok)
        peak = statistics.median(run["peak_mb"] for run, _ in ok)
        print(f"  {name:<10}{cpu:>8.2f}{per_client:>11.2f}{ratio:>13.2f}x{wait:>11.4f}{wait / theory_wait:>12.3f}{peak:>9.0f}")
    print(f"  target: the model <= {TARGET_MODEL} x bare SimPy per client (issue 16 goal 3); "
          "the model's mean wait is one year after its warm-up, the peers' all but the first 5% of clients")


if __name__ == "__main__":
    main()
