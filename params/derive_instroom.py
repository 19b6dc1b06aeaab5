"""Derive the instroom (aanmeldingen per year) of every segment from the 2019 client counts.

Note 004 par. 6 (../shared/seeds/004_070bb43b6d600216.txt) gives, per segment, the number
of clients served in 2019 (not unique across segments). The scenario gives the rest:
voorliggend-veld share, doorlooptijden, outcomes, stacking, recidive, provider mix.
This script turns a count into the instroom that makes the model serve that many
distinct clients in the first simulated year.

The formula (per segment s; rates per day, W = 365 days, year Y rates grow by
(1 + growth)^(Y - base_year)):

    unique clients in 2022 = caseload on 1 Jan 2022 + care spells starting in 2022 - double counts
                           = E21 * E[D] + I21 * E[D_in]                      (in care on 1 Jan)
                           + E22 * W - (E22 - E21) * E[toegang] + I22 * W    (new spells in 2022)
                           - r * (1 - vv) * (A * E22 + A_in * I22) * E[(W - G - toegang)+]

  - a *spell* is an uninterrupted period of care of one client in the segment: a chain of
    trajecten (verlenging and step-down continue it), or two chains at once (stacking);
  - E_Y = care spells per day that start from an aanmelding: (1 - vv) * (instroom + recidive);
    recidive R = r * (instroom * (vv + (1 - vv) A) + I * A_in) / (1 - r (vv + (1 - vv) A)),
    with A the chance that a spell ends in afschaling and r the recidive probability;
  - I_Y = spells per day that enter by opschaling from another segment (e.g. S1 -> S2 at 18-);
  - E[D] = mean spell length: expected chain length (from the outcome probabilities, solved
    as a Markov chain over traject types) x the mean maatwerk factor of the provider mix;
    with stacking, a fraction p of spells lasts max(L1, L2), taken as E[L] (1 + Gini) of a
    lognormal with the chain's mean and cv;
  - the last line removes clients counted twice because they returned (recidive) within
    the same year: G is the recidive delay.

The caseload on 1 Jan 2022 is taken at the 2021 rate; the model starts its warm-up (2021) in
the steady state of the growing system (core/steady_state.py), with recidive returns and
opschaling spells at their stationary share (see _Segment.recidive_in_care and
inflow_in_care). What the formula misses (the younger caseload of a growing system, second
returns, waiting for plekken) is corrected by a per-segment factor measured by simulation (CALIBRATION, 0.99-1.06; `--calibrate`). The target is the 2019 count
grown to 2022: count_2019 x (1 + growth)^3 (004 par. 6: youth 5%, Wmo 3% a year). The
formula is linear in the instroom, so it is solved directly; segments fed by opschaling
are solved after their sources (a fixed-point iteration).

Usage:
    python params/derive_instroom.py [scenario.yaml]           # print the derivation
    python params/derive_instroom.py [scenario.yaml] --check   # exit 1 if per_year differs > 0.5%
    python params/derive_instroom.py [scenario.yaml] --write   # put the derived per_year into the file
    python params/derive_instroom.py [scenario.yaml] --calibrate  # simulate; print new CALIBRATION
"""
from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulation.config.scenario import Scenario, load_scenario  # noqa: E402

DEFAULT_SCENARIO = ROOT / "params" / "noord-limburg.yaml"
TOLERANCE = 0.005
W = 365.0                    # days in the first simulated year (2022)
FIRST_YEAR = 2022

# Clients per segment in 2019, Noord-Limburg, 004 par. 6 (also in shared/data/noord_limburg_2019_segments.csv).
COUNTS_2019 = {"S1": 448, "S2": 372, "S3": 646, "S4": 8251,
               "S1a": 629, "S1b": 2191, "S2a": 1111, "S2b": 1035, "S3a": 7341, "S3b": 45}

# Warm-up calibration: target / simulated unique clients in 2022 when the instroom is the
# formula's alone. The formula is a steady state at the 2021 rate, as the model's start is
# (core/steady_state.py: the warm-up starts in the steady state of the growing system). The
# caseload of a growing system is younger and smaller than the formula's, most in the segments
# with long spells (S1, S2, S3a: 3-6% fewer clients), which the factors above 1 add back.
# Measured with `python params/derive_instroom.py --calibrate` (see CALIBRATION_RUN); 1.0 = no
# correction. Re-measure after changing the scenario's assumptions or the model's warm-up.
CALIBRATION = {"S1": 1.03, "S2": 1.059, "S3": 1.024, "S4": 1.014,
               "S1a": 1.014, "S1b": 1.006, "S2a": 1.015, "S2b": 1.016, "S3a": 1.04, "S3b": 0.99}
CALIBRATION_RUN = {"seed": 20220101, "replications": 60, "standalone_replications": 300}


def target_2022(scenario: Scenario, segment: str) -> float:
    """The 2019 count grown to 2022 with the segment's instroom growth."""
    ins = scenario.segments[segment].instroom
    return COUNTS_2019[segment] * (1 + ins.growth) ** (FIRST_YEAR - ins.base_year)


# -- chains of trajecten -----------------------------------------------------------------------

@dataclass
class Chain:
    """Moments of the chain length (days, maatwerk factor 1) and how it ends, per starting type."""
    mean: dict[str, float]
    second: dict[str, float]
    afschaling: dict[str, float]
    opschaling: dict[str, dict[tuple[str, str], float]]   # start type -> (segment, type) -> chance


def _moments(dist) -> tuple[float, float]:
    """Mean and second moment of a duration distribution."""
    cv = getattr(dist, "cv", 0.0)
    return dist.mean, dist.mean ** 2 * (1 + cv ** 2)


def chain(scenario: Scenario, segment: str) -> Chain:
    """Solve the chain of trajecten as an absorbing Markov chain.

    States are (type, first or extension): a verlenging draws its doorlooptijd from
    verlenging_doorlooptijd, a step-down starts the lighter type afresh. Uitval ends a
    traject at a uniform fraction of its doorlooptijd (mean 1/2, second moment 1/3).
    """
    types = scenario.segments[segment].traject_types
    states = [(t, ext) for t in types for ext in (False, True)]
    index = {s: i for i, s in enumerate(states)}
    n = len(states)
    P = np.zeros((n, n))
    t_mean, t_second, t_full = np.zeros(n), np.zeros(n), np.zeros(n)
    absorb_afs = np.zeros(n)
    targets = sorted({(tt.opschaling_to.segment, tt.opschaling_to.traject_type)
                      for tt in types.values() if tt.opschaling_to is not None})
    absorb_op = np.zeros((n, len(targets)))
    for (name, ext), i in index.items():
        spec = types[name]
        o = spec.outcomes
        dist = (spec.verlenging_doorlooptijd or spec.doorlooptijd) if ext else spec.doorlooptijd
        m, m2 = _moments(dist)
        t_full[i] = m
        t_mean[i] = m * (1 - o.uitval / 2)
        t_second[i] = m2 * (1 - o.uitval + o.uitval / 3)
        P[i, index[(name, True)]] += o.verlenging
        if o.step_down:
            P[i, index[(spec.step_down_to, False)]] += o.step_down
        absorb_afs[i] = o.afschaling
        if o.opschaling:
            tgt = (spec.opschaling_to.segment, spec.opschaling_to.traject_type)
            absorb_op[i, targets.index(tgt)] = o.opschaling
    fundamental = np.linalg.inv(np.eye(n) - P)
    mean = fundamental @ t_mean
    # L = T + L_next; T is independent of the next link given that the traject continues
    second = fundamental @ (t_second + 2 * t_full * (P @ mean))
    afs = fundamental @ absorb_afs
    ops = fundamental @ absorb_op
    first = {t: index[(t, False)] for t in types}
    return Chain(mean={t: float(mean[i]) for t, i in first.items()},
                 second={t: float(second[i]) for t, i in first.items()},
                 afschaling={t: float(afs[i]) for t, i in first.items()},
                 opschaling={t: {tgt: float(ops[i, k]) for k, tgt in enumerate(targets)} for t, i in first.items()})


def provider_mix(scenario: Scenario, segment: str, municipality: str | None = None) -> dict[str, float]:
    """Chance of each provider for a client of the municipality (None: population-weighted region)."""
    muns = [municipality] if municipality else list(scenario.municipalities)
    pop = sum(scenario.municipalities[m].population for m in muns)
    mix: dict[str, float] = {}
    for m in muns:
        provs = scenario.providers_for(m, segment)
        total = sum(scenario.providers[p].segments[segment].weight for p in provs)
        for p in provs:
            share = scenario.providers[p].segments[segment].weight / total
            mix[p] = mix.get(p, 0.0) + share * scenario.municipalities[m].population / pop
    return mix


def maatwerk_moments(scenario: Scenario, segment: str) -> tuple[float, float]:
    mix = provider_mix(scenario, segment)
    f = {p: scenario.providers[p].segments[segment].maatwerk_factor for p in mix}
    return sum(w * f[p] for p, w in mix.items()), sum(w * f[p] ** 2 for p, w in mix.items())


def expected_max_of_two(mean: float, second: float) -> float:
    """E[max(L1, L2)] of two independent lengths, approximated as lognormal: mean x (1 + Gini)."""
    cv2 = max(second / mean ** 2 - 1, 1e-12)
    sigma = math.sqrt(math.log1p(cv2))
    return mean * (1 + (2 * NormalDist().cdf(sigma / math.sqrt(2)) - 1))


def positive_part_mean(dist, shift: float, points: int = 4000) -> float:
    """E[(W - shift - X)+] for a duration distribution X, by its quantile function."""
    u = (np.arange(points) + 0.5) / points
    return float(np.mean([max(W - shift - dist.ppf(x), 0.0) for x in u]))


# -- the derivation ----------------------------------------------------------------------------

YEARS = (FIRST_YEAR - 1, FIRST_YEAR)


@dataclass
class Derivation:
    segment: str
    count_2019: int
    target_2022: float
    spell_days: float            # E[D] of spells that start from an aanmelding
    inflow_spell_days: float     # E[D_in] of spells entering by opschaling (0 if none)
    afschaling: float            # A: chance that a spell ends in afschaling
    care_per_aanmelding: float   # care spells per new aanmelding, recidive included: E / instroom
    inflow_2022: float           # I22 per year
    calibration: float           # warm-up calibration factor (CALIBRATION)
    per_year: float              # derived instroom in the base year, calibration included
    yaml_per_year: float

    @property
    def difference(self) -> float:
        return self.yaml_per_year / self.per_year - 1 if self.per_year else math.inf


class _Segment:
    """The facts of one segment the formula needs, computed once."""

    def __init__(self, scenario: Scenario, name: str):
        seg = scenario.segments[name]
        self.name, self.seg = name, seg
        self.chain = chain(scenario, name)
        self.vv, self.r, self.p = seg.voorliggend_veld_share, seg.recidive.probability, seg.stacking_probability
        self.growth, self.base_year = seg.instroom.growth, seg.instroom.base_year
        self.toegang = seg.toegang_doorlooptijd.mean
        self.f1, self.f2 = maatwerk_moments(scenario, name)
        shares = {t: tt.share for t, tt in seg.traject_types.items()}
        self.A = sum(w * self.chain.afschaling[t] for t, w in shares.items())
        mean = sum(w * self.chain.mean[t] for t, w in shares.items()) * self.f1
        second = sum(w * self.chain.second[t] for t, w in shares.items()) * self.f2
        self.chain_days = mean
        self.D = (1 - self.p) * mean + self.p * expected_max_of_two(mean, second)
        self.D_second = second * (self.D / mean) ** 2      # keep the chain's cv for the spell
        self.overlap = positive_part_mean(seg.recidive.delay, self.toegang) if self.r else 0.0
        # opschaling per chain started from an aanmelding: (segment, type) -> chance
        self.op_own: dict[tuple[str, str], float] = {}
        for t, w in shares.items():
            for tgt, chance in self.chain.opschaling[t].items():
                self.op_own[tgt] = self.op_own.get(tgt, 0.0) + w * chance

    def instroom(self, per_year: float, year: int) -> float:
        """Aanmeldingen per day in a year."""
        return per_year * (1 + self.growth) ** (year - self.base_year) / 365.0

    def inflow(self, inflow_y: dict) -> tuple[float, float, float]:
        """Spells per day entering by opschaling, their chance of afschaling and mean length."""
        rates = {t: rate for (s, t), rate in inflow_y.items() if s == self.name}
        total = sum(rates.values())
        if not total:
            return 0.0, 0.0, 0.0
        afs = sum(rate * self.chain.afschaling[t] for t, rate in rates.items()) / total
        days = sum(rate * self.chain.mean[t] for t, rate in rates.items()) / total * self.f1
        return total, afs, days

    def rates(self, per_year: float, year: int, inflow_y: dict) -> tuple[float, float]:
        """New aanmeldingen and stationary recidive aanmeldingen, per day."""
        lam = self.instroom(per_year, year)
        I, A_in, _ = self.inflow(inflow_y)
        leave_to_vv = self.vv + (1 - self.vv) * self.A      # chance an aanmelding ends in the voorliggend veld
        recidive = self.r * (lam * leave_to_vv + I * A_in) / (1 - self.r * leave_to_vv)
        return lam, recidive

    def care(self, per_year: float, year: int, inflow_y: dict) -> float:
        """E: care spells per day that start from an aanmelding (new or recidive), stationary."""
        lam, recidive = self.rates(per_year, year, inflow_y)
        return (1 - self.vv) * (lam + recidive)

    def unique_2022(self, per_year: float, inflow: dict) -> float:
        """Expected distinct clients in care in 2022 for a given instroom (the formula above)."""
        (lam21, rec21), (lam22, rec22) = (self.rates(per_year, y, inflow[y]) for y in YEARS)
        e21, e22 = (1 - self.vv) * (lam21 + rec21), (1 - self.vv) * (lam22 + rec22)
        i21, _, _ = self.inflow(inflow[YEARS[0]])
        i22, a_in, _ = self.inflow(inflow[YEARS[1]])
        caseload = (1 - self.vv) * (lam21 * self.D + rec21 * self.recidive_in_care) + i21 * self.inflow_in_care(inflow)
        starts = (1 - self.vv) * (lam22 * W + rec22 * self.recidive_starting) - (e22 - e21) * self.toegang + i22 * W
        twice = self.r * (1 - self.vv) * (self.A * e22 + a_in * i22) * self.overlap
        return caseload + starts - twice

    # The model's warm-up starts on 1 Jan 2021 in the steady state of the growing system
    # (core/steady_state.py): trajecten in care, clients in the voorliggend veld waiting to return
    # (recidive) and spells that entered by opschaling are all placed. So recidive spells and
    # opschaling spells are in care on 1 Jan 2022 at their stationary share, and recidive returns
    # run at their stationary rate through 2022.
    @property
    def recidive_in_care(self) -> float:
        """Days-weighted recidive spells in care on 1 Jan: the stationary mean spell length."""
        return self.D if self.r else 0.0

    @property
    def recidive_starting(self) -> float:
        """Days-weighted recidive returns in 2022: all W days at the stationary rate."""
        return W if self.r else 0.0

    def inflow_in_care(self, inflow: dict) -> float:
        """E[D_in]: opschaling spells in care on 1 Jan, at the stationary mean length."""
        return self.inflow(inflow[YEARS[0]])[2]


def derive(scenario: Scenario, iterations: int = 50, calibration: dict[str, float] | None = None
           ) -> tuple[dict[str, Derivation], dict]:
    """The instroom per segment that reproduces the grown 2019 counts in 2022 (and the opschaling flows)."""
    calibration = CALIBRATION if calibration is None else calibration
    segs = {s: _Segment(scenario, s) for s in scenario.segments}
    per_year = {s: 0.0 for s in segs}
    inflow: dict[int, dict] = {y: {} for y in YEARS}
    for _ in range(iterations):
        # the formula is linear in the instroom: unique = a * per_year + b
        for s, g in segs.items():
            b = g.unique_2022(0.0, inflow)
            a = g.unique_2022(1.0, inflow) - b
            per_year[s] = max((target_2022(scenario, s) - b) / a, 0.0) * calibration.get(s, 1.0)
        # opschaling flows those instroom values imply (chains from aanmeldingen and from inflow)
        new = {y: {} for y in YEARS}
        for y in YEARS:
            for s, g in segs.items():
                chains = g.care(per_year[s], y, inflow[y]) * (1 + g.p)
                flows = {tgt: chains * c for tgt, c in g.op_own.items()}
                for (s_in, t_in), rate in inflow[y].items():
                    if s_in == s:
                        for tgt, c in g.chain.opschaling[t_in].items():
                            flows[tgt] = flows.get(tgt, 0.0) + rate * c
                for tgt, rate in flows.items():
                    new[y][tgt] = new[y].get(tgt, 0.0) + rate
        inflow = new
    out = {}
    for s, g in segs.items():
        per = per_year[s]
        e22 = g.care(per, YEARS[1], inflow[YEARS[1]])
        i22, _, d_in = g.inflow(inflow[YEARS[1]])
        lam22 = g.instroom(per, YEARS[1])
        yaml_value = scenario.segments[s].instroom.per_year
        out[s] = Derivation(
            segment=s, count_2019=COUNTS_2019[s], target_2022=target_2022(scenario, s),
            spell_days=g.D, inflow_spell_days=d_in, afschaling=g.A,
            care_per_aanmelding=e22 / lam22 if lam22 else 0.0, inflow_2022=i22 * 365.0,
            calibration=calibration.get(s, 1.0), per_year=per, yaml_per_year=float(yaml_value) if not isinstance(yaml_value, dict) else math.nan)
    return out, inflow


def plekken_bought(scenario: Scenario, municipality: str, year: int = FIRST_YEAR) -> dict[tuple[str, str], int]:
    """(provider, segment) -> plekken the municipality buys in ``year``: the providers section or plekken contracts."""
    from simulation.config.pricing import for_year
    out = {(p, s): scenario.plekken_in_year(p, municipality, s, year)
           for p, prov in scenario.providers.items() for s in prov.plekken.get(municipality, {})}
    for c in (scenario.funding.contracts if scenario.funding is not None else []):
        if c.municipality == municipality:
            for _, _, count in c.plekken_phases(scenario):
                out[(c.provider, c.segment)] = int(for_year(count, year))
    return out


def plek_loads(scenario: Scenario, inflow: dict, per_year: dict[str, float], municipality: str = "Venlo",
               year: int = FIRST_YEAR) -> dict[tuple[str, str], float]:
    """Expected concurrent trajecten of a municipality per (provider, segment) with plekken, mid-year.

    A chain keeps its plek through verlenging and step-down: load = chains per day x chance of
    the provider x mean chain length at that provider (Little's law).
    """
    share = scenario.municipalities[municipality].population / sum(
        m.population for m in scenario.municipalities.values())
    loads = {}
    for p, s in plekken_bought(scenario, municipality, year):
        prov = scenario.providers[p]
        g = _Segment(scenario, s)
        mid = inflow[year] if year in inflow else {}
        chains = g.care(per_year[s], year, mid) * (1 + g.p) * (1 + g.growth) ** -0.5  # mid-year rate
        i, _, _ = g.inflow(mid)
        mix = provider_mix(scenario, s, municipality)
        mean = sum(tt.share * g.chain.mean[t] for t, tt in g.seg.traject_types.items())
        f = prov.segments[s].maatwerk_factor
        loads[(p, s)] = (chains + i) * share * mix[p] * mean * f
    return loads


# -- comparison with CBS (docs/doorlooptijden.md) ----------------------------------------------

# CBS Beleidsinformatie Jeugd 2021 (../shared/data/cbs_jeugdhulp_2021.md): stock on 1 January /
# new trajecten started in the year, per hulpvorm; the model's youth segments that match them.
CBS_2021 = {"S4": ("ambulant at the provider", 1.01), "S3": ("daghulp at the provider", 1.28),
            "S1+S2": ("with verblijf", 1.98)}
CBS_GROUPS = {"S4": ("S4",), "S3": ("S3",), "S1+S2": ("S1", "S2")}


def cbs_trajecten(trajecten):
    """Merge the model's trajecten as CBS does: one CBS traject per run of a client's trajecten in the
    same segment at the same provider that overlap or follow on (a verlenging, a step-down, a stacked
    traject at the same provider). Takes ``analysis.tables.traject_table``; returns replication,
    segment, start (first start) and stop (last stop)."""
    keys = ["replication", "client", "segment", "provider"]
    t = trajecten.sort_values(keys + ["start"], kind="stable")[keys + ["start", "stop"]].reset_index(drop=True)
    group = t.groupby(keys, observed=True, sort=False)
    reach = group["stop"].cummax()
    previous = reach.groupby([t[k] for k in keys], observed=True, sort=False).shift()
    first = previous.isna() | (t["start"] > previous + 1.0)     # a gap of more than a day: a new CBS traject
    run = first.cumsum()
    return t.groupby(run).agg(replication=("replication", "first"), segment=("segment", "first"),
                              start=("start", "first"), stop=("stop", "max")).reset_index(drop=True)


def stock_per_new(events, groups=None, merged: bool = True) -> dict[str, float]:
    """Stock in care on day 0 (1 January) / trajecten started in the first year, per group of segments.

    With ``merged`` the trajecten are counted on CBS's definition (``cbs_trajecten``), else as
    the model logs them (every verlenging and step-down a new traject)."""
    from simulation.analysis.tables import traject_table
    t = traject_table(events)
    t = cbs_trajecten(t) if merged else t
    out = {}
    for name, segs in (groups or CBS_GROUPS).items():
        g = t[t["segment"].isin(segs)]
        new = int(((g["start"] >= 0) & (g["start"] < W)).sum())
        out[name] = int((g["start"] < 0).sum()) / new if new else math.nan
    return out


SMALL = 200   # segments with fewer clients get their own, longer run (their noise per replication is large)


def standalone(scenario: Scenario, max_count: int = SMALL) -> set[str]:
    """Small segments without opschaling in or out: they can be simulated alone with the same clients."""
    linked = set()
    for s, seg in scenario.segments.items():
        for tt in seg.traject_types.values():
            if tt.opschaling_to is not None and tt.outcomes.opschaling > 0:
                linked |= {s, tt.opschaling_to.segment}
    return {s for s in scenario.segments if s not in linked and COUNTS_2019[s] < max_count}


def segments_only(data: dict, segments: set[str]) -> dict:
    """A scenario dict cut to ``segments``: their providers, plekken and funding contracts only."""
    out = dict(data)
    out["segments"] = {s: v for s, v in data["segments"].items() if s in segments}
    out["providers"] = {p: {**v, "segments": {s: x for s, x in v["segments"].items() if s in segments},
                            "plekken": {m: {s: x for s, x in ps.items() if s in segments}
                                        for m, ps in (v.get("plekken") or {}).items()}}
                        for p, v in data["providers"].items() if set(v["segments"]) & segments}
    if data.get("funding"):
        out["funding"] = {**data["funding"],
                          "contracts": [c for c in data["funding"]["contracts"] if c["segment"] in segments]}
    return out


def simulated_unique_2022(scenario: Scenario, seed: int, replications: int, segments: set[str] | None = None):
    """Mean and standard error of the simulated unique clients per segment in 2022 (horizon cut to 1 year).

    With ``segments``, only those segments (and their providers) are simulated; the random
    streams are keyed by municipality and segment, so they see the same clients as in the full run.
    """
    from simulation import simulate
    from simulation.analysis.kpis import kpis
    data = scenario.model_dump(mode="json")
    data["horizon_years"] = 1
    if segments is not None:
        data = segments_only(data, segments)
    result = simulate(data, seed=seed, replications=replications)
    k = kpis(result.events, result.scenario, by=("segment",))
    g = k[k["year"] == FIRST_YEAR].groupby("segment", observed=True)["unieke_clienten"]
    return g.mean(), g.std(ddof=1) / np.sqrt(g.count())


def calibrate(scenario: Scenario) -> dict[str, float]:
    """Simulate the scenario as derived and print new CALIBRATION factors (old x target / simulated)."""
    run = CALIBRATION_RUN
    mean, se = simulated_unique_2022(scenario, run["seed"], run["replications"])
    alone = standalone(scenario)
    if alone:
        m2, s2 = simulated_unique_2022(scenario, run["seed"], run["standalone_replications"], alone)
        mean.update(m2), se.update(s2)
    result, _ = derive(scenario)
    new = {}
    print(f"\n{'segment':8}{'target':>9}{'simulated':>10}{'se':>7}{'ratio':>7}{'old':>7}{'new':>7}")
    for s, d in result.items():
        ratio = mean[s] / d.target_2022
        new[s] = round(float(d.calibration / ratio), 3)
        print(f"{s:8}{d.target_2022:9.1f}{mean[s]:10.1f}{se[s] / d.target_2022:7.2%}{ratio:7.3f}"
              f"{d.calibration:7.3f}{new[s]:7.3f}")
    print("\nCALIBRATION = " + repr(new))
    return new


def write_per_year(path: Path, result: dict[str, Derivation]) -> None:
    """Replace the number after ``per_year:`` in each segment block, keeping the comments."""
    lines, segment, in_segments = path.read_text(encoding="utf-8").splitlines(keepends=True), None, False
    for k, line in enumerate(lines):
        if line.startswith("segments:"):
            in_segments = True
        elif line[:1].isalpha():
            in_segments = False
        match = re.match(r"^  (\w+):\s*(#.*)?$", line)
        if in_segments and match:
            segment = match.group(1)
        number = re.match(r"^(\s+per_year:\s*)([0-9.]+)", line)
        if in_segments and number and segment in result:
            lines[k] = number.group(1) + f"{result[segment].per_year:.1f}" + line[number.end():]
    path.write_text("".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO))
    parser.add_argument("--check", action="store_true", help="exit 1 if a per_year in the file differs > 0.5%%")
    parser.add_argument("--write", action="store_true", help="write the derived per_year values into the file")
    parser.add_argument("--calibrate", action="store_true",
                        help="simulate the file as it is and print new CALIBRATION factors (takes minutes)")
    args = parser.parse_args(argv)
    if args.calibrate:
        calibrate(load_scenario(args.scenario))
        return 0
    if args.write:
        write_per_year(Path(args.scenario), derive(load_scenario(args.scenario))[0])
    scenario = load_scenario(args.scenario)
    result, inflow = derive(scenario)
    print(f"Instroom derived for {args.scenario}: unique clients 2022 = count_2019 x (1+growth)^3\n")
    header = (f"{'segment':8}{'count19':>8}{'target22':>9}{'E[D] d':>8}{'E[Din]':>7}{'A':>6}"
              f"{'care/aanm':>10}{'inflow22':>9}{'calib':>6}{'per_year':>10}{'in yaml':>9}{'diff':>8}")
    print(header)
    print("-" * len(header))
    bad = []
    for s, d in result.items():
        flag = "" if abs(d.difference) <= TOLERANCE else "  <-- update"
        if flag:
            bad.append(s)
        print(f"{s:8}{d.count_2019:8d}{d.target_2022:9.1f}{d.spell_days:8.0f}{d.inflow_spell_days:7.0f}"
              f"{d.afschaling:6.2f}{d.care_per_aanmelding:10.3f}{d.inflow_2022:9.1f}{d.calibration:6.3f}{d.per_year:10.1f}"
              f"{d.yaml_per_year:9.1f}{d.difference:8.1%}{flag}")
    per_year = {s: d.per_year for s, d in result.items()}
    loads = plek_loads(scenario, inflow, per_year)
    if loads:
        print("\nVenlo plekken: expected concurrent trajecten in 2022 (mid-year) and the plekken bought")
        bought_in = plekken_bought(scenario, "Venlo")
        for (p, s), load in loads.items():
            bought = bought_in[(p, s)]
            print(f"  {p:24}{s:5} load {load:7.1f}   plekken {bought:5d}   load/plekken {load / bought:5.2f}")
    if args.check and bad:
        print(f"\nper_year in the file differs from the derivation by more than {TOLERANCE:.1%}: {bad}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
