"""``warmup``: Welch's moving average of the caseload from an empty start (figure + csv)."""
from __future__ import annotations

from pathlib import Path

from simulation.cli._options import positive_int, scenario_overrides
from simulation._lazy import LazyModule

warmup = LazyModule("simulation.experiment.warmup")   # with the engine: imported when the command runs, not for --help

NAME = "warmup"


def add_parser(subparsers):
    parser = subparsers.add_parser(NAME, help="Welch's moving average of the caseload from an empty start "
                                              "(figure + csv)")
    parser.add_argument("scenario", help="scenario YAML")
    parser.add_argument("--seed", type=int, default=1, help="root seed")
    parser.add_argument("--replications", type=positive_int, default=5, help="replications (>= 1)")
    parser.add_argument("--window", type=positive_int, default=30, help="moving-average half-window in days")
    parser.add_argument("--years", type=positive_int, help="horizon in years (default: the scenario's)")
    parser.add_argument("--workers", type=positive_int, default=1, help="processes; the result does not depend on it")
    parser.add_argument("--set", action="append", metavar="PATH=VALUE", help="override a field (repeatable)")
    parser.add_argument("--out", help="figure path (.png; a .csv with the series is written next to it)")
    return parser


def run(args) -> int:
    result = warmup.welch(args.scenario, seed=args.seed, replications=args.replications, window=args.window,
                   horizon_years=args.years, overrides=scenario_overrides(args.set), workers=args.workers)
    out = Path(args.out or Path("outputs") / "warmup" / f"{result.scenario.name}.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig = result.figure()
    fig.savefig(out, dpi=150)
    result.daily.to_csv(out.with_suffix(".csv"), index=False)
    found = (f"levels off after about {result.suggested_days} days" if result.suggested_days is not None
             else "does not level off within the horizon; use more years")
    print(f"{result.scenario.name}: Welch moving average (window {args.window} d, {args.replications} reps) "
          f"{found}; the scenario's warm-up is {result.scenario.warmup.days:g} days")
    print(f"written {out} and {out.with_suffix('.csv')}")
    return 0
