"""The run-size estimate (experiment/size.py) against the measured peak memory (not a test).

    python benchmarks/bench_memory_estimate.py [--scales 1 4 16] [--replications 1] [--horizon 1]

Each point runs ``simulate`` on the default scenario (params/noord-limburg.yaml) with its instroom
times the scale, in a fresh process, and reads that process's peak resident memory
(``resource.getrusage``: ru_maxrss) and wall time. Prints per scale the expected clients, the
estimate, the measured peak and their ratio (the estimate must be within 30%), and a least-squares
line peak = base + bytes x clients (and seconds per client) through the points: the figures
experiment/size.py keeps as BASE_BYTES, BYTES_PER_CLIENT and SECONDS_PER_CLIENT.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "params" / "noord-limburg.yaml"


def scaled_scenario(scale: float, horizon: int):
    """The default scenario with every segment's instroom times ``scale`` and the given horizon."""
    from simulation.config.scenario import load_scenario, scenario_from_dict

    raw = load_scenario(SCENARIO, overrides={"horizon_years": horizon}).model_dump(mode="json", exclude_none=True)
    for segment in raw["segments"].values():
        per_year = segment["instroom"]["per_year"]
        segment["instroom"]["per_year"] = ({m: v * scale for m, v in per_year.items()} if isinstance(per_year, dict)
                                           else per_year * scale)
    return scenario_from_dict(raw, source=f"default x{scale:g}")


def child(scale: float, horizon: int, replications: int) -> None:
    """In a fresh process: simulate, then print the peak memory and the time as JSON."""
    from simulation.experiment.runner import simulate
    from simulation.experiment.size import estimate

    scenario = scaled_scenario(scale, horizon)
    size = estimate(scenario, replications, available_bytes=None)
    start = time.perf_counter()
    result = simulate(scenario, seed=1, replications=replications, force_size=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    print(json.dumps({"scale": scale, "clients": size.clients_per_replication, "estimate": size.peak_bytes,
                      "estimate_s": size.seconds, "peak": peak, "wall": wall, "events": len(result.events),
                      "replications": replications}))


def measure(scale: float, horizon: int, replications: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, __file__, "--child", str(scale), "--horizon", str(horizon),
                          "--replications", str(replications)], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def fit(points: list[dict]) -> tuple[float, float, float]:
    """Least-squares base and bytes per client (over clients x replications), and seconds per client."""
    x = [p["clients"] * p["replications"] for p in points]
    y = [p["peak"] for p in points]
    n, mx, my = len(x), sum(x) / len(x), sum(y) / len(y)
    slope = sum((a - mx) * (b - my) for a, b in zip(x, y)) / sum((a - mx) ** 2 for a in x) if n > 1 else my / mx
    seconds = sum(p["wall"] for p in points) / sum(x)
    return my - slope * mx, slope, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 4, 16])
    parser.add_argument("--replications", type=int, default=1)
    parser.add_argument("--horizon", type=int, default=1)
    parser.add_argument("--child", type=float)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.horizon, args.replications)
        return
    points = []
    print(f"{'scale':>5} {'clients':>10} {'events':>10} {'estimate MB':>12} {'peak MB':>9} {'ratio':>6} "
          f"{'est. s':>7} {'wall s':>7}")
    for scale in args.scales:
        p = measure(scale, args.horizon, args.replications)
        points.append(p)
        print(f"{scale:>5g} {p['clients']:>10,.0f} {p['events']:>10,} {p['estimate'] / 1e6:>12,.0f} "
              f"{p['peak'] / 1e6:>9,.0f} {p['estimate'] / p['peak']:>6.2f} {p['estimate_s']:>7.1f} {p['wall']:>7.1f}",
              flush=True)
    base, per_client, seconds = fit(points)
    print(f"fit: BASE_BYTES = {base:.3g}, BYTES_PER_CLIENT = {per_client:.4g}, SECONDS_PER_CLIENT = {seconds:.3g}")
    worst = max(abs(p["estimate"] / p["peak"] - 1) for p in points)
    print(f"worst estimate error {worst:.0%} ({'within' if worst <= 0.3 else 'NOT within'} 30%)")


if __name__ == "__main__":
    main()
