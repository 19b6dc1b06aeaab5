"""``warmup``: Welch's moving average of the caseload from an empty start (figure + csv)."""
from __future__ import annotations

from pathlib import Path

from simulation.cli._options import positive_int, scenario_overrides
from simulation._lazy import LazyModule

warmup = LazyModule("simulation.experiment.warmup")   # with the engine: imported when the command runs, not for --help

NAME = "warmup"


def add_parser(subparsers):
    parser = subparsers.add_parser(NAME, help="voortschrijdend gemiddelde (Welch) van het bestand cliënten vanuit een lege start "
                                              "(figuur + csv)")
    parser.add_argument("scenario", help="scenario (YAML)")
    parser.add_argument("--seed", type=int, default=1, help="basisseed")
    parser.add_argument("--replications", type=positive_int, default=5, help="replicaties (>= 1)")
    parser.add_argument("--window", type=positive_int, default=30, help="halve venster van het voortschrijdend gemiddelde, in dagen")
    parser.add_argument("--years", type=positive_int, help="horizon in jaren (standaard: die van het scenario)")
    parser.add_argument("--workers", type=positive_int, default=1, help="processen; de uitkomst hangt er niet van af")
    parser.add_argument("--set", action="append", metavar="PATH=VALUE", help="overschrijf een veld (herhaalbaar)")
    parser.add_argument("--out", help="pad van de figuur (.png; een .csv met de reeks komt ernaast)")
    return parser


def run(args) -> int:
    result = warmup.welch(args.scenario, seed=args.seed, replications=args.replications, window=args.window,
                   horizon_years=args.years, overrides=scenario_overrides(args.set), workers=args.workers)
    out = Path(args.out or Path("outputs") / "warmup" / f"{result.scenario.name}.png")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig = result.figure()
    fig.savefig(out, dpi=150)
    result.daily.to_csv(out.with_suffix(".csv"), index=False)
    found = (f"vlakt af na ongeveer {result.suggested_days} dagen" if result.suggested_days is not None
             else "vlakt niet af binnen de horizon; neem meer jaren")
    print(f"{result.scenario.name}: voortschrijdend gemiddelde (Welch; venster {args.window} d, {args.replications} "
          f"replicaties) {found}; de inloopperiode van het scenario is {result.scenario.warmup.days:g} dagen")
    print(f"geschreven: {out} en {out.with_suffix('.csv')}")
    return 0
