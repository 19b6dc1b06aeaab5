"""The steady state the warm-up starts from: traffic equations of a growing system and its placement.

The initial state is the state on the warm-up start ``t0`` of a system that has always
received the scenario's instroom: the instroom of a segment grows by ``growth`` a year, so
it is taken as the exponential ``lambda(t0) exp(-theta a)`` for the days ``a`` before ``t0``
(theta = ln(1 + growth) / 365; the exponential runs through the yearly rates at mid-year).
What that leaves on ``t0``, per municipality:

- trajecten in zorg per (segment, traject type, verlenging or not, provider): the start
  rates ``r`` solve the traffic equations ``r = e + M r`` in which every transfer (verlenging,
  step-down, opschaling, recidive after afschaling, the toegang) is discounted by the
  Laplace transform ``E[exp(-theta D)]`` of the delay it takes; the number in zorg is
  ``r E[(1 - exp(-theta D)) / theta]`` (Little's law for a growing system) and a traject's
  (outcome, doorlooptijd, age) has the in-care density ``p_o f_o(d) exp(-theta a)``, a < d;
- clients in the voorliggend veld who will come back (recidive), with their elapsed delay,
  and clients at the toegang, with the time since their aanmelding;
- for a plek pool (municipality x provider x segment with plekken) the number in the system
  has the M/M/c stationary law with the offered load and the pool's capacity: min(N, c) in
  zorg, N - c on the wachtlijst, whose waiting ages are sums of exp(c mu) gaps (reversibility:
  the waiting clients are the last N - c arrivals, all while every plek was taken).

With growth 0 this is the stationary state of a constant instroom. The clients at the toegang on t0 are placed too (their
aanmelding ``elapsed`` days before t0). Approximations: a stacked client's two trajecten
are placed as two clients; the plek queue is M/M/c with the mean holding time (exact for exponential
doorlooptijden and no continuations), and clients who would have waited longer than the
segment's ``max_wait_days`` are not placed (they have moved to another provider). Durations are
a grid of 1024 quantile midpoints, whose mean is a little under the distribution's (0.03% for an
exponential); near saturation that is felt: at a = 65, N = 69 the wachtlijst on t0 is 1% shorter
than Erlang C's (measured over 32,000 systems: 8.38 against 8.47).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from simulation import portable_math as pm
from simulation._lazy import threadpoolctl
from simulation.config.scenario import Scenario
from simulation.core.compiled import CompiledScenario
from simulation.core.draws import BLOCK, CLIENTS_PER_STREAM, INITIAL_CLIENT_OFFSET, LANE_FIRST
from simulation.core.streams import generator

GRID = 1024          # quantile points per duration distribution
UITVAL_GRID = 32     # points of the uitval fraction
OUTCOME_SLOT = LANE_FIRST[(0, 0)] + 3   # the block column of the first traject's outcome uniform (rules.T_OUTCOME)
IN_ZORG, WACHTLIJST, VOORLIGGEND_VELD, TOEGANG = "in_zorg", "wachtlijst", "voorliggend_veld", "toegang"
_ROUTES = ("afschaling", "step_down", "opschaling", "uitval", "verlenging")   # events.OUTCOMES order


def theta_of(growth: float) -> float:
    """Exponential growth rate per day of an instroom that grows ``growth`` a year."""
    return math.log1p(growth) / 365.0


def _quantiles(dist) -> np.ndarray:
    u = (np.arange(GRID) + 0.5) / GRID
    return np.array(list(map(dist.sampler(), u.tolist())))


def _occupancy(d: np.ndarray, theta: float) -> np.ndarray:
    """(1 - exp(-theta d)) / theta: the discounted time in care of a traject of length d."""
    return d if theta == 0 else -pm.expm1(-theta * d) / theta


@dataclass
class StateSpace:
    """The traject states of one municipality: (segment, type, verlenging, provider)."""
    states: list[tuple[int, int, bool, int]] = field(default_factory=list)
    index: dict[tuple[int, int, bool, int], int] = field(default_factory=dict)

    def add(self, key) -> None:
        self.index[key] = len(self.states)
        self.states.append(key)


class SteadyState:
    """Expected initial state and its in-care distributions, per municipality (see the module docstring)."""

    def __init__(self, scenario: Scenario, tables: CompiledScenario, t0: float, start_year_fraction: float,
                 grid: dict | None = None, solve=None):
        """``grid``, ``solve(steady, municipality)``: shared grids and a memoised solve (``steady_cache``)."""
        self.sc, self.tables, self.t0, self.year_fraction = scenario, tables, t0, start_year_fraction
        self._grid: dict = {} if grid is None else grid
        self.spaces, self.rates, self.caseload, self.pending, self.entering = [], [], [], [], []
        self.toegang = []   # per municipality and segment: clients at the toegang on t0
        for municipality in range(len(tables.mun_names)):
            solved = (solve or SteadyState.solve_municipality)(self, municipality)
            for out, value in zip((self.spaces, self.rates, self.caseload, self.pending, self.entering, self.toegang),
                                  solved):
                out.append(value)

    def solve_municipality(self, municipality: int) -> tuple:
        """(space, rates, caseload, pending, entering, toegang) of one municipality."""
        tables = self.tables
        space = StateSpace()
        for segment in range(len(tables.seg_names)):
            providers, _ = tables.choice[(municipality, segment)]
            for kind in tables.seg_types[segment]:
                for ext in (False, True):
                    for provider in providers:
                        space.add((segment, kind, ext, provider))
        rates, caseload, entering = (np.zeros(len(space.states)) for _ in range(3))
        pending, toegang = np.zeros(len(tables.seg_names)), np.zeros(len(tables.seg_names))
        for growth in sorted({s.instroom.growth for s in self.sc.segments.values()}):
            r, c, q, e, g = self._solve(space, municipality, growth, self.year_fraction)
            rates, caseload, pending, entering, toegang = rates + r, caseload + c, pending + q, entering + e, toegang + g
        return space, rates, caseload, pending, entering, toegang

    # -- distributions --------------------------------------------------------------------------
    def _durations(self, kind: int, ext: bool) -> np.ndarray:
        key = (kind, ext)
        if key not in self._grid:
            segment = self.tables.types[kind].seg
            name = self.tables.type_names[kind]
            spec = self.sc.segments[self.tables.seg_names[segment]].traject_types[name]
            self._grid[key] = _quantiles((spec.verlenging_doorlooptijd or spec.doorlooptijd) if ext else spec.doorlooptijd)
        return self._grid[key]

    def _outcomes(self, kind: int) -> np.ndarray:
        cum = np.asarray(self.tables.types[kind].outcome_cum)
        return np.diff(np.concatenate([[0.0], cum])) / cum[-1]

    def _segment_delay(self, segment: int, which: str) -> np.ndarray:
        key = (which, segment)
        if key not in self._grid:
            spec = self.sc.segments[self.tables.seg_names[segment]]
            dist = spec.recidive.delay if which == "recidive" else spec.toegang_doorlooptijd
            self._grid[key] = _quantiles(dist)
        return self._grid[key]

    # -- the traffic equations ------------------------------------------------------------------
    def _solve(self, space: StateSpace, municipality: int, growth: float, year_fraction: float):
        """Start rates, caseload, pending recidive and chain entries of the segments growing at ``growth``."""
        sc, tables = self.sc, self.tables
        theta = theta_of(growth)
        n_states, n_seg = len(space.states), len(tables.seg_names)
        # unknowns: the traject states, then one aanmelding node per segment
        n = n_states + n_seg
        M, source = np.zeros((n, n)), np.zeros(n)
        for segment, name in enumerate(tables.seg_names):
            spec = sc.segments[name]
            if spec.instroom.growth != growth:
                continue
            base = sc.instroom_per_year(tables.mun_names[municipality], name) / 365.0
            source[n_states + segment] = base * (1 + growth) ** (year_fraction - spec.instroom.base_year - 0.5)
        back_delay = np.zeros(n_seg)
        for segment, name in enumerate(tables.seg_names):
            spec = sc.segments[name]
            node = n_states + segment
            vv, p = spec.voorliggend_veld_share, spec.stacking_probability
            recidive = spec.recidive.probability
            laplace_g = np.mean(pm.exp(-theta * self._segment_delay(segment, "recidive"))) if recidive else 0.0
            laplace_t = np.mean(pm.exp(-theta * self._segment_delay(segment, "toegang")))
            back_delay[segment] = laplace_g
            M[node, node] += vv * recidive * laplace_g                  # back from the voorliggend veld at once
            providers, cum = tables.choice[(municipality, segment)]
            provider_shares = np.diff([0.0] + list(cum))
            kinds = tables.seg_types[segment]
            type_shares = np.diff([0.0] + tables.seg_type_cum[segment]) / tables.seg_type_cum[segment][-1]
            for kind, type_share in zip(kinds, type_shares):
                for provider, provider_share in zip(providers, provider_shares):
                    target = space.index[(segment, kind, False, provider)]
                    M[target, node] += (1 - vv) * (1 + p) * laplace_t * type_share * provider_share
        for i, (segment, kind, ext, provider) in enumerate(space.states):
            spec = sc.segments[tables.seg_names[segment]]
            factor = tables.maatwerk[(provider, segment)]
            full = np.mean(pm.exp(-theta * factor * self._durations(kind, ext)))   # a traject that runs its course
            outcome = dict(zip(_ROUTES, self._outcomes(kind)))
            M[space.index[(segment, kind, True, provider)], i] += outcome["verlenging"] * full
            step_down = tables.types[kind].step_down_to
            if step_down is not None and outcome["step_down"]:
                M[space.index[(segment, step_down, False, provider)], i] += outcome["step_down"] * full
            if tables.types[kind].opschaling_to is not None and outcome["opschaling"]:
                target_segment, target_kind = tables.types[kind].opschaling_to
                providers, cum = tables.choice[(municipality, target_segment)]
                for target_provider, share in zip(providers, np.diff([0.0] + list(cum))):
                    M[space.index[(target_segment, target_kind, False, target_provider)], i] += (
                        outcome["opschaling"] * full * share)
            # recidive: per episode, so per chain r / (1 + stacking) (two chains end one episode)
            back = spec.recidive.probability / (1 + spec.stacking_probability)
            M[n_states + segment, i] += outcome["afschaling"] * full * back * back_delay[segment]
        rates = _solve_small(np.eye(n) - M, source)
        caseload = np.zeros(n_states)
        for i, (segment, kind, ext, provider) in enumerate(space.states):
            caseload[i] = rates[i] * self._in_care_weights(kind, ext, provider, theta)[0]
        # clients in the voorliggend veld on t0 who will come back
        pending = np.zeros(n_seg)
        for segment, name in enumerate(tables.seg_names):
            spec = sc.segments[name]
            if not spec.recidive.probability:
                continue
            exits = rates[n_states + segment] * spec.voorliggend_veld_share * spec.recidive.probability
            back = spec.recidive.probability / (1 + spec.stacking_probability)
            for i, (s, kind, ext, provider) in enumerate(space.states):
                if s == segment:
                    factor = tables.maatwerk[(provider, segment)]
                    full = np.mean(pm.exp(-theta * factor * self._durations(kind, ext)))
                    exits += rates[i] * self._outcomes(kind)[0] * full * back
            pending[segment] = exits * np.mean(_occupancy(self._segment_delay(segment, "recidive"), theta))
        # chains that enter a provider (a new toewijzing): the first traject of a chain there
        entering = np.zeros(n_states)
        for i, (segment, kind, ext, provider) in enumerate(space.states):
            if not ext:
                entering[i] = rates[i] - sum(M[i, j] * rates[j] for j in range(n_states)
                                             if space.states[j][3] == provider and space.states[j][0] == segment)
        toegang = np.zeros(n_seg)
        for segment, name in enumerate(tables.seg_names):
            vv = sc.segments[name].voorliggend_veld_share
            toegang[segment] = (rates[n_states + segment] * (1 - vv)
                                * np.mean(_occupancy(self._segment_delay(segment, "toegang"), theta)))
        return rates[:n_states], caseload, pending, entering, toegang

    def _in_care_weights(self, kind: int, ext: bool, provider: int, theta: float):
        """Atoms of (outcome, doorlooptijd) of a traject in care on t0 and their weights per start.

        Returns (total weight, cdf, durations, int8 outcome index): the in-care weight of a start of the
        state is p_o E[(1 - exp(-theta D_o)) / theta]; an uitval stops at a uniform fraction of the draw.
        """
        key = ("atoms", kind, ext, provider, theta)
        if key not in self._grid:
            segment = self.tables.types[kind].seg
            d = self.tables.maatwerk[(provider, segment)] * self._durations(kind, ext)
            probs = self._outcomes(kind)
            fractions = (np.arange(UITVAL_GRID) + 0.5) / UITVAL_GRID
            weights, durations, outcome = [], [], []
            for o, p_o in enumerate(probs):
                if p_o == 0:
                    continue
                days = np.outer(d, fractions).ravel() if _ROUTES[o] == "uitval" else d
                weights.append(p_o * _occupancy(days, theta) / len(days))
                durations.append(days)
                outcome.append(np.full(len(days), o, dtype=np.int8))
            weights = np.concatenate(weights)
            cdf = np.cumsum(weights)
            cdf /= cdf[-1]
            self._grid[key] = (weights.sum(), cdf, np.concatenate(durations), np.concatenate(outcome))
        return self._grid[key]

    # -- drawing the initial state --------------------------------------------------------------
    def draw_in_care(self, kind: int, ext: bool, provider: int, u: np.ndarray, growth: float):
        """(age, remaining, outcome index) of trajecten in care from (n, 3) uniforms."""
        theta = theta_of(growth)
        _, cdf, durations, outcome = self._in_care_weights(kind, ext, provider, theta)
        pick = np.minimum(np.searchsorted(cdf, u[:, 0], side="right"), len(cdf) - 1)
        days, chosen = durations[pick], outcome[pick]
        # age given the length: density exp(-theta a) on [0, d)
        if theta == 0:
            age = u[:, 1] * days
        else:
            age = -pm.log1p(-u[:, 1] * -pm.expm1(-theta * days)) / theta
        return age, days - age, chosen

    def draw_toegang(self, segment: int, u: np.ndarray, growth: float):
        """(elapsed, the uniform of the toegang time) of clients at the toegang on t0, from (n, 2) uniforms.

        The toegang time is a quantile point of the grid, so the segment's sampler turns the
        returned uniform into exactly that time (model and cohort draw it from the block)."""
        theta = theta_of(growth)
        g = self._segment_delay(segment, "toegang")
        cdf = np.cumsum(_occupancy(g, theta))
        cdf /= cdf[-1]
        j = np.minimum(np.searchsorted(cdf, u[:, 0], side="right"), len(g) - 1)
        days = g[j]
        elapsed = u[:, 1] * days if theta == 0 else -pm.log1p(-u[:, 1] * -pm.expm1(-theta * days)) / theta
        return elapsed, (j + 0.5) / GRID

    def draw_pending(self, segment: int, u: np.ndarray, growth: float):
        """(elapsed, remaining) recidive delays of clients in the voorliggend veld on t0, from (n, 2) uniforms."""
        theta = theta_of(growth)
        g = self._segment_delay(segment, "recidive")
        cdf = np.cumsum(_occupancy(g, theta))
        cdf /= cdf[-1]
        days = g[np.minimum(np.searchsorted(cdf, u[:, 0], side="right"), len(g) - 1)]
        elapsed = u[:, 1] * days if theta == 0 else -pm.log1p(-u[:, 1] * -pm.expm1(-theta * days)) / theta
        return elapsed, days - elapsed


def steady_caseload(scenario: Scenario, tables: CompiledScenario, municipality: int, year: int) -> np.ndarray:
    """Expected trajecten in care per traject type on 1 January of ``year`` (growing steady state)."""
    steady = SteadyState(scenario, tables, 0.0, float(year))
    out = np.zeros(len(tables.types))
    for i, (_, kind, _, _) in enumerate(steady.spaces[municipality].states):
        out[kind] += steady.caseload[municipality][i]
    return out


def _solve_small(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.linalg.solve on one BLAS thread: the system is small, and OpenBLAS's idle threads would
    spin for CPU seconds after it (measured: 0.4 s of a 0.75 s steady state)."""
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        return np.linalg.solve(a, b)


def _mmc_in_system(a: float, c: int, u: float) -> int:
    """Inverse CDF of the number in an M/M/c system (offered load a < c) at uniform u."""
    if a > 0:
        log_terms = np.arange(c + 1, dtype=np.float64) * math.log(a) - pm.log_factorials(c)
    else:
        log_terms = np.array([0.0] + [-math.inf] * c)
    top = log_terms.max()
    terms = pm.exp(log_terms - top)
    rho = a / c
    tail = terms[-1] * rho / (1 - rho)        # n > c: pi_c rho^(n-c)
    total = terms.sum() + tail
    cdf = np.cumsum(terms) / total
    if u < cdf[-1]:
        return int(np.searchsorted(cdf, u, side="right"))
    # geometric tail beyond c: P(N - c = j | N > c) = (1 - rho) rho^(j-1)
    v = (u - cdf[-1]) / (1 - cdf[-1])
    return c + 1 + int(math.floor(math.log1p(-v) / math.log(rho))) if v > 0 else c + 1


def initial_caseload(scenario: Scenario, tables: CompiledScenario, seed: int, replication: int,
                     t0: float, year_fraction: float, capacity: dict | None = None,
                     steady: SteadyState | None = None) -> Iterator[tuple]:
    """The initial state at the warm-up start, group by group, in the order it is placed.

    Yields ``(place, municipality, segment, kind, provider, first_id, blocks, since, remaining)``:
    ``place`` is IN_ZORG (``since`` the start day of the traject, ``remaining`` its days left),
    WACHTLIJST (``since`` the day the wait began; oldest first), TOEGANG (``since`` the day
    of the aanmelding, ``remaining`` the days since then; the block holds the toegang time) or VOORLIGGEND_VELD (``since``
    the day the client went there, ``remaining`` the days to its recidive; kind and provider
    -1). ``blocks`` are the clients' blocks of uniforms. ``capacity``: plekken per
    (municipality, provider, segment) pool on t0. In-care counts are Poisson per state except
    in a plek pool (M/M/c, see the module docstring). ``steady``: its SteadyState, when already solved.
    """
    capacity = capacity or {}
    steady = steady or SteadyState(scenario, tables, t0, year_fraction)
    for municipality, municipality_name in enumerate(tables.mun_names):
        space, caseload = steady.spaces[municipality], steady.caseload[municipality]
        for segment, segment_name in enumerate(tables.seg_names):
            spec = scenario.segments[segment_name]
            growth = spec.instroom.growth
            rng = generator(seed, replication, "beginstand", municipality_name, segment_name)
            providers, _ = tables.choice[(municipality, segment)]
            first_id = (municipality * len(tables.seg_names) + segment + 1) * CLIENTS_PER_STREAM + INITIAL_CLIENT_OFFSET
            placed = 0
            for provider in providers:
                states = [i for i, key in enumerate(space.states) if key[0] == segment and key[3] == provider]
                pool = capacity.get((municipality, provider, segment))
                load = float(sum(caseload[i] for i in states))
                waiting = 0
                if pool is None or not math.isfinite(pool) or load >= pool or load == 0:
                    counts = rng.poisson(caseload[states])
                else:
                    pool = int(pool)
                    in_system = _mmc_in_system(load, pool, float(rng.random()))
                    counts = rng.multinomial(min(in_system, pool), caseload[states] / load)
                    waiting = max(in_system - pool, 0)
                for i, n in zip(states, counts.tolist()):
                    _, kind, ext, _ = space.states[i]
                    u = rng.random((n, 3 + BLOCK))
                    age, remaining, outcome = steady.draw_in_care(kind, ext, provider, u, growth)
                    blocks = u[:, 3:].copy()
                    blocks[:, OUTCOME_SLOT] = _outcome_uniform(tables.types[kind].outcome_cum, outcome, u[:, 2])
                    yield IN_ZORG, municipality, segment, kind, provider, first_id + placed, blocks, t0 - age, remaining
                    placed += n
                if waiting:
                    entering = np.array([max(steady.entering[municipality][i], 0.0) for i in states])
                    holding = load / entering.sum()
                    ages = np.cumsum(rng.exponential(holding / pool, waiting))[::-1]   # oldest first
                    max_wait = spec.max_wait_days
                    if max_wait is not None:
                        ages = ages[ages <= max_wait]
                    kinds = np.array([space.states[i][1] for i in states])
                    u = rng.random((len(ages), 1 + BLOCK))
                    chosen = kinds[np.minimum(np.searchsorted(np.cumsum(entering) / entering.sum(), u[:, 0],
                                                              side="right"), len(kinds) - 1)]
                    for k in range(len(ages)):   # one group per client keeps the FIFO order
                        yield (WACHTLIJST, municipality, segment, int(chosen[k]), provider, first_id + placed,
                               u[k:k + 1, 1:], np.array([t0 - ages[k]]), np.array([math.nan]))
                        placed += 1
            n = rng.poisson(steady.toegang[municipality][segment])
            if n:   # at the toegang: an ordinary client whose aanmelding was ``elapsed`` days before t0
                u = rng.random((n, 2 + BLOCK))
                elapsed, toegang_uniform = steady.draw_toegang(segment, u, growth)
                blocks = u[:, 2:].copy()
                vv = spec.voorliggend_veld_share
                blocks[:, 0] = vv + (1 - vv) * blocks[:, 0]      # rules.E_VOORLIGGEND_VELD: not sent there
                blocks[:, 1] = toegang_uniform                   # rules.E_TOEGANG
                yield TOEGANG, municipality, segment, -1, -1, first_id + placed, blocks, t0 - elapsed, elapsed
                placed += n
            n = rng.poisson(steady.pending[municipality][segment])
            if n:
                u = rng.random((n, 2 + BLOCK))
                elapsed, remaining = steady.draw_pending(segment, u, growth)
                yield VOORLIGGEND_VELD, municipality, segment, -1, -1, first_id + placed, u[:, 2:], t0 - elapsed, remaining
                placed += n


def _outcome_uniform(outcome_cum, outcome: np.ndarray, v: np.ndarray) -> np.ndarray:
    """A uniform that rules.outcome turns into ``outcome`` (index into events.OUTCOMES), spread by ``v``."""
    cum = np.concatenate([[0.0], np.asarray(outcome_cum, dtype=float)])
    lo, hi = cum[outcome], cum[outcome + 1]
    # inside the interval, away from its edges (rules.outcome bisects on u * total)
    return (lo + (0.001 + 0.998 * v) * (hi - lo)) / cum[-1]
