"""Before a run: how much memory and time it will take, from the scenario's expected clients.

A run's memory grows with the clients it simulates: every client leaves events in the log, and the
log of every replication is held (and turned into the KPI table) at once. The estimate is

    clients   = instroom x (warm-up + horizon), with the instroom's growth, + the steady-state
                caseload the warm-up starts with (``warmup.initial_caseload``), per replication
    peak      = BASE_BYTES + BYTES_PER_CLIENT x clients x replications
    seconds   = SECONDS_PER_CLIENT x clients x replications / min(workers, replications)

BASE_BYTES, BYTES_PER_CLIENT and SECONDS_PER_CLIENT are measured by
``benchmarks/bench_memory_estimate.py`` (peak resident memory of ``simulate`` in a fresh process,
the default scenario at 1, 4 and 16 times its instroom; a line through the points, fitted by least
squares) and kept here with the date they were measured. Time depends on the machine: it is a
rough guide, memory is the figure a run is stopped on.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

from simulation.config.scenario import Scenario

# memory: measured 2026-12-02 by benchmarks/bench_memory_estimate.py (default scenario, 1 replication, horizon
# 1 year, instroom x1, x4, x16 = 35k, 139k, 556k clients: peaks 470, 732, 2,046 MB; least-squares line;
# Linux, Python 3.11). Time: the idle-machine figure of benchmarks/bench_sweep.py (2026-11-23, docs/sweeps.md:
# 2.1 s per replication of the default scenario, about 74,000 clients, model + KPIs + Parquet); the memory
# benchmark's own wall times (1.4-2.6 ms per client) were taken while other jobs filled both cores.
MEASURED_ON = "2026-12-02"
BASE_BYTES = 339e6
BYTES_PER_CLIENT = 3_061.0
SECONDS_PER_CLIENT = 2.8e-5
# share of the available memory a run may plan to use: the rest is for the system and the other processes
HEADROOM = 0.8


@dataclass(frozen=True)
class SizeEstimate:
    """The expected size of a run (see the module docstring)."""

    clients_per_replication: float
    replications: int
    workers: int
    peak_bytes: float
    seconds: float
    available_bytes: float | None

    @property
    def fits(self) -> bool:
        """True when the peak fits in HEADROOM of the available memory (or that is unknown)."""
        return self.available_bytes is None or self.peak_bytes <= HEADROOM * self.available_bytes

    def describe(self) -> str:
        """One line: clients, memory and time expected, and the memory available."""
        available = "onbekend" if self.available_bytes is None else _gb(self.available_bytes)
        clients = f"{self.clients_per_replication:,.0f}".replace(",", ".")
        return (f"ongeveer {clients} cliënten per replicatie x {self.replications} "
                f"replicatie(s): piekgeheugen ongeveer {_gb(self.peak_bytes)} (beschikbaar {available}), "
                f"tijd ongeveer {_duration(self.seconds)} met {self.workers} worker(s)")

    def advice(self) -> str:
        """What to change so that the run fits: fewer replications, a shorter horizon, or insisting."""
        room = HEADROOM * (self.available_bytes or 0.0) - BASE_BYTES
        per_rep = BYTES_PER_CLIENT * self.clients_per_replication
        fitting = max(int(room // per_rep), 0) if per_rep > 0 else self.replications
        steps = []
        if 0 < fitting < self.replications:
            steps.append(f"hoogstens {fitting} replicatie(s) (--replications {fitting})")
        steps.append("een kortere horizon (--set horizon_years=N) of een kortere inloop (--set warmup.days=N)")
        steps.append("een sweep, die één replicatie per worker tegelijk vasthoudt (minder --workers vragen minder)")
        return "om te passen: gebruik " + "; of ".join(steps) + "; of geef --force-size om toch te rekenen"


def expected_clients(scenario: Scenario) -> float:
    """Clients one replication simulates: aanmeldingen over warm-up and horizon, plus the caseload
    in care when the warm-up starts (when ``warmup.initial_caseload``): by Little's law the rate of
    beschikkingen (aanmeldingen not sent to the voorliggend veld) times the mean doorlooptijd of the
    segment's traject types (cheap: the steady state of the model itself takes minutes to build)."""
    start = scenario.start_date.year + (scenario.start_date.timetuple().tm_yday - 1) / 365.25
    t0, t1 = start - scenario.warmup.days / 365.25, start + scenario.horizon_years
    clients = 0.0
    for s, segment in scenario.segments.items():
        rate = sum(scenario.instroom_per_year(m, s) for m in scenario.municipalities)
        g, base = segment.instroom.growth, segment.instroom.base_year
        k = math.log1p(g)
        clients += rate * (t1 - t0) if g == 0 else rate * (math.exp(k * (t1 - base)) - math.exp(k * (t0 - base))) / k
        if scenario.warmup.initial_caseload:
            at_t0 = rate * math.exp(k * (t0 - base))
            mean_days = sum(t.share * t.doorlooptijd.mean for t in segment.traject_types.values())
            clients += at_t0 * (1 - segment.voorliggend_veld_share) * mean_days / 365.25
    return clients


def available_memory() -> float | None:
    """Bytes of memory available to a new process (Linux MemAvailable; else free pages), None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def estimate(scenario: Scenario, replications: int, workers: int = 1,
             available_bytes: float | None = -1.0) -> SizeEstimate:
    """The size of ``replications`` replications of ``scenario`` (``available_bytes`` default: measured now)."""
    clients = expected_clients(scenario)
    replications = max(int(replications), 1)
    parallel = max(min(int(workers), replications), 1)
    peak = BASE_BYTES + BYTES_PER_CLIENT * clients * replications
    seconds = SECONDS_PER_CLIENT * clients * replications / parallel
    available = available_memory() if available_bytes == -1.0 else available_bytes
    return SizeEstimate(clients, replications, parallel, peak, seconds, available)


class RunTooLarge(RuntimeError):
    """A run that would not fit the machine's memory (its message says what to change)."""

    def __init__(self, size: SizeEstimate):
        super().__init__(f"de run past niet in het geheugen: {size.describe()}; {size.advice()}")
        self.size = size


def check_size(scenario: Scenario, replications: int, workers: int = 1) -> SizeEstimate:
    """The estimate; raises ``RunTooLarge`` when it would not fit the available memory."""
    size = estimate(scenario, replications, workers)
    if not size.fits:
        raise RunTooLarge(size)
    return size


def check_sweep_size(scenarios: list[Scenario], workers: int) -> SizeEstimate:
    """A sweep holds one replication per worker at a time: ``workers`` processes of its largest
    scenario's replication. Raises ``RunTooLarge`` when that would not fit the available memory."""
    one = max((estimate(s, 1, available_bytes=None) for s in scenarios), key=lambda e: e.peak_bytes)
    workers = max(int(workers), 1)
    size = SizeEstimate(one.clients_per_replication, workers, workers, one.peak_bytes * workers,
                        one.seconds, available_memory())
    if not size.fits:
        raise RunTooLarge(size)
    return size


def _gb(n: float) -> str:
    return f"{n / 1e9:.1f} GB".replace(".", ",") if n >= 1e9 else f"{n / 1e6:.0f} MB"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} uur".replace(".", ",")
