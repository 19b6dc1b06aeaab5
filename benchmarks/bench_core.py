"""Benchmark of the simulation core (not a test): prints figures and ratios.

    python benchmarks/bench_core.py [params/noord-limburg.yaml] [--replications 3]

- clients and trajecten simulated per second for one replication of the scenario
  (warm-up included: it is simulated too);
- the model's cost per client against a bare SimPy M/M/c loop (simpy.Resource,
  Poisson arrivals, exponential stays) with the same number of clients; and, since most
  clients never wait and run in the numpy cohort, the same ratio for the clients who go
  through the shared SimPy clock alone;
- where the model's time goes: set-up, cohort, shared clock;
- peak memory (max RSS) of a process that runs one replication and builds its
  event log and KPIs.

Each measurement runs in a fresh process so peak memory is its own. Times are CPU
time of that process (time.process_time), so other load on the machine matters less.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bare_mmc(n_clients: int, servers: int = 50, rho: float = 0.9, seed: int = 1) -> float:
    """Seconds for a bare SimPy M/M/c loop that serves ``n_clients`` clients."""
    import numpy as np

    rng = np.random.default_rng(seed)
    mean_stay = 100.0
    rate = rho * servers / mean_stay
    gaps = rng.exponential(1 / rate, n_clients).tolist()
    stays = rng.exponential(mean_stay, n_clients).tolist()
    return bare_mmc_loop(gaps, stays, servers)[0]


def bare_mmc_loop(gaps: list, stays: list, servers: int) -> tuple[float, list]:
    """(CPU seconds, waits) of the bare SimPy M/M/c loop over given inter-arrival gaps and stays
    (simpy.Resource, one process per client); also the peer of benchmarks/bench_peers.py."""
    import simpy

    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=servers)
    waits = []

    def client(stay):
        arrived = env.now
        with desk.request() as req:
            yield req
            waits.append(env.now - arrived)
            yield env.timeout(stay)

    def source():
        for gap, stay in zip(gaps, stays):
            yield env.timeout(gap)
            env.process(client(stay))

    start = time.process_time()
    env.process(source())
    env.run()
    return time.process_time() - start, waits


def heap_mmc_loop(gaps: list, stays: list, servers: int) -> tuple[float, list]:
    """(CPU seconds, waits) of the same M/M/c as ``bare_mmc_loop`` as a plain-Python heapq event loop:
    the floor without SimPy (one heap entry per arrival and departure, no objects per event); the
    heap floor of benchmarks/bench_clock.py and bench_peers.py."""
    from collections import deque
    from heapq import heappop, heappush

    n_clients = len(gaps)
    start = time.process_time()
    heap, queue, waits = [(gaps[0], 0, -1)], deque(), []
    free, arrived = servers, 0
    while heap:
        now, seq, who = heappop(heap)
        if who < 0:   # an arrival; the next one is scheduled at once, as the bare loop's source does
            k = arrived
            arrived += 1
            if arrived < n_clients:
                heappush(heap, (now + gaps[arrived], arrived, -1))
            if free:
                free -= 1
                waits.append(0.0)
                heappush(heap, (now + stays[k], seq, k))
            else:
                queue.append((now, k))
        elif queue:   # a departure hands its server to the first in line
            since, k = queue.popleft()
            waits.append(now - since)
            heappush(heap, (now + stays[k], k + n_clients, k))
        else:
            free += 1
    return time.process_time() - start, waits


def one_replication(path: str, seed: int) -> dict:
    """Run in a child process: time the model, the log and the KPIs of one replication."""
    from simulation.core import events as ev
    from simulation.analysis.kpis import kpis
    from simulation.experiment.runner import build_model
    from simulation.config.scenario import load_scenario

    scenario = load_scenario(path)
    start = time.process_time()
    model = build_model(scenario, seed, 0)
    rows = model.run()
    t_model = time.process_time() - start
    frame = ev.to_frame(rows, 0, scenario.start_date, model.labels())
    t_frame = time.process_time() - start - t_model
    kpis(frame, scenario)
    t_kpis = time.process_time() - start - t_model - t_frame
    return {
        "clients": model.n_clients,
        "cohort": model.cohort.n_clients,
        "handed_over": len(model.private_clients),
        "phases": model.timings,
        "trajecten": model.n_trajecten,
        "events_logged": len(rows) // len(ev.COLUMNS),
        "model_s": t_model, "frame_s": t_frame, "kpis_s": t_kpis,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "params" / "noord-limburg.yaml"))
    parser.add_argument("--replications", type=int, default=3, help="timed repeats (fresh process each)")
    parser.add_argument("--child", choices=["model", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--clients", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    if args.child == "model":
        print(json.dumps(one_replication(args.scenario, args.seed)))
        return
    if args.child == "bare":
        seconds = bare_mmc(args.clients, seed=args.seed)
        print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
        return

    runs = [_child([args.scenario, "--child", "model", "--seed", str(s + 1)]) for s in range(args.replications)]
    best = min(runs, key=lambda r: r["model_s"])
    bare = min((_child([args.scenario, "--child", "bare", "--clients", str(best["clients"]), "--seed", str(s + 1)])
                for s in range(args.replications)), key=lambda r: r["seconds"])
    total = best["model_s"] + best["frame_s"] + best["kpis_s"]
    per_client_model = best["model_s"] / best["clients"]
    per_client_bare = bare["seconds"] / best["clients"]
    shared = best["clients"] - best["cohort"]
    phases = best["phases"]

    def line(label: str, value: str, note: str = "") -> None:
        print(f"  {label:<38}{value:>12}{note}")

    print(f"scenario: {args.scenario} (best of {args.replications}, one replication, one core)")
    line("clients simulated (warm-up incl.)", f"{best['clients']:,}")
    line("  in the cohort (never wait)", f"{best['cohort']:,}",
         f"   ({best['handed_over']:,} moved to a private clock for a stacked episode)")
    line("  on the shared SimPy clock", f"{shared:,}")
    line("trajecten simulated", f"{best['trajecten']:,}")
    line("events logged", f"{best['events_logged']:,}")
    line("model run", f"{best['model_s']:.2f} s")
    line("  set-up (instroom, beginstand)", f"{phases['set_up']:.2f} s")
    line("  cohort", f"{phases['cohort']:.2f} s")
    line("  shared SimPy clock", f"{phases['shared_clock']:.2f} s")
    line("event log DataFrame", f"{best['frame_s']:.2f} s")
    line("KPIs", f"{best['kpis_s']:.2f} s")
    line("total per replication", f"{total:.2f} s", "   (target < 3 s)")
    line("clients per second (model)", f"{best['clients'] / best['model_s']:,.0f}")
    line("trajecten per second (model)", f"{best['trajecten'] / best['model_s']:,.0f}")
    line("clients per second (bare M/M/c)", f"{best['clients'] / bare['seconds']:,.0f}")
    line("cost per client, model / bare", f"{per_client_model / per_client_bare:.2f} x", "   (target <= 2)")
    if shared:
        # the clients who do go through SimPy, against the same bare loop: the model's own event overhead
        line("  shared-clock clients only / bare", f"{phases['shared_clock'] / shared / per_client_bare:.2f} x")
    line("peak memory, one replication", f"{best['peak_mb']:.0f} MB", "   (target < 1024 MB)")
    line("peak memory, bare loop", f"{bare['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
