"""The decisions of a client's life, in scalar form (the SimPy generator) and vector form (the cohort).

Each rule is written here once per form, side by side, from the same tables
(``compiled.CompiledScenario`` / ``compiled.VectorTables``) and the same uniforms, so the
two forms give the same floats and codes. ``episode`` draws are the five uniforms of an
aanmelding (draws.EPISODE_SLOTS), ``traject`` draws the five of a traject (TRAJECT_SLOTS);
vector forms take an (n, 5) array of them.

Outcome routes come in the order of ``events.OUTCOMES`` (the scenario's Outcomes fields):
adding a route means a field there, a word in the event vocabulary and its next step below.
"""
from __future__ import annotations

from bisect import bisect_right

import numpy as np

from simulation.core import events as ev
from simulation.core.compiled import NO, CompiledScenario, TrajectType, VectorTables
from simulation.core.draws import MAX_TRAJECTEN

# slots of an episode's uniforms
E_VOORLIGGEND_VELD, E_TOEGANG, E_STACKING, E_RECIDIVE, E_RECIDIVE_DELAY = range(5)
# slots of a traject's uniforms
T_TYPE, T_PROVIDER, T_DOORLOOPTIJD, T_OUTCOME, T_UITVAL = range(5)

LAST_OUTCOME = len(ev.OUTCOMES) - 1
OUTCOME_CODES = np.array(ev.OUTCOMES)

# what follows a closed traject
END, CONTINUE, MOVE_UP = range(3)   # the chain ends; a continuation at the same provider; opschaling


# -- episode: aanmelding, toegang, stacking, recidive ---------------------------------------------
def to_voorliggend_veld(tables: CompiledScenario, segment: int, episode) -> bool:
    """The toegang sends the client to the voorliggend veld at once."""
    return episode[E_VOORLIGGEND_VELD] < tables.seg_vv[segment]


def to_voorliggend_veld_v(vt: VectorTables, segment: np.ndarray, episode: np.ndarray) -> np.ndarray:
    return episode[:, E_VOORLIGGEND_VELD] < vt.vv_share[segment]


def toegang_days(tables: CompiledScenario, segment: int, episode) -> float:
    return tables.seg_toegang[segment](episode[E_TOEGANG])


def toegang_days_v(vt: VectorTables, segment: np.ndarray, episode: np.ndarray) -> np.ndarray:
    return sample_each(vt.toegang, segment, episode[:, E_TOEGANG])


def stacked(tables: CompiledScenario, segment: int, episode) -> bool:
    """The client gets a second, simultaneous chain of trajecten."""
    return episode[E_STACKING] < tables.seg_stacking[segment]


def stacked_v(vt: VectorTables, segment: np.ndarray, episode: np.ndarray) -> np.ndarray:
    return episode[:, E_STACKING] < vt.stacking[segment]


def recidive_delay(tables: CompiledScenario, segment: int, episode) -> float | None:
    """Days until the client comes back from the voorliggend veld, or None: it stays there."""
    probability, delay = tables.seg_recidive[segment]
    if not probability or episode[E_RECIDIVE] >= probability:
        return None
    return delay(episode[E_RECIDIVE_DELAY])


def stays_v(vt: VectorTables, segment: np.ndarray, episode: np.ndarray) -> np.ndarray:
    """True where the client stays in the voorliggend veld (no recidive)."""
    probability = vt.recidive_p[segment]
    return (probability == 0) | (episode[:, E_RECIDIVE] >= probability)


def recidive_delay_v(vt: VectorTables, segment: np.ndarray, episode: np.ndarray) -> np.ndarray:
    return sample_each(vt.recidive_delay, segment, episode[:, E_RECIDIVE_DELAY])


# -- traject: type, provider, outcome, doorlooptijd --------------------------------------------------
def traject_type(tables: CompiledScenario, segment: int, traject) -> int:
    cum = tables.seg_type_cum[segment]
    return tables.seg_types[segment][min(bisect_right(cum, traject[T_TYPE] * cum[-1]), len(cum) - 1)]


def traject_type_v(vt: VectorTables, segment: np.ndarray, traject: np.ndarray) -> np.ndarray:
    x = traject[:, T_TYPE] * vt.type_total[segment]
    index = np.minimum((vt.type_cum[segment] <= x[:, None]).sum(1), vt.n_types[segment] - 1)   # bisect_right
    return vt.type_of[segment, index]


def provider(tables: CompiledScenario, municipality: int, segment: int, traject, day: float | None = None) -> int:
    """The provider drawn among those taking clients on ``day`` (None: at the start)."""
    providers, cum = tables.choice_at(municipality, segment, day)
    return providers[min(bisect_right(cum, traject[T_PROVIDER]), len(providers) - 1)]


def provider_v(vt: VectorTables, municipality: np.ndarray, segment: np.ndarray, traject: np.ndarray,
               day: np.ndarray | None = None) -> np.ndarray:
    if vt.entry_days is None or day is None:
        cum, n, of = vt.prov_cum[municipality, segment], vt.n_provs[municipality, segment], vt.prov_of
        index = np.minimum((cum <= traject[:, T_PROVIDER][:, None]).sum(1), n - 1)
        return of[municipality, segment, index]
    period = np.searchsorted(vt.entry_days, day, side="right")   # open house: the choice on each day
    cum, n = vt.prov_cum_t[period, municipality, segment], vt.n_provs_t[period, municipality, segment]
    index = np.minimum((cum <= traject[:, T_PROVIDER][:, None]).sum(1), n - 1)
    return vt.prov_of_t[period, municipality, segment, index]


def toewijzing(tables: CompiledScenario, municipality: int, segment: int, kind: int | None, chosen: int | None,
               day: float | None, traject) -> tuple[int, int, int]:
    """(segment, type, provider) of a toewijzing on ``day``: the type drawn unless given, a measure's
    ambulant alternative (``day`` None: none, e.g. the initial caseload), the provider drawn unless given."""
    if kind is None:
        kind = traject_type(tables, segment, traject)
    if day is not None and tables.has_shifts:
        segment, kind = ambulant_shift(tables, segment, kind, day, traject) or (segment, kind)
    if chosen is None:
        chosen = provider(tables, municipality, segment, traject, day)
    return segment, kind, chosen


def outcome(kind: TrajectType, traject) -> int:
    """How the traject will end (drawn at its start), a code of events.OUTCOMES."""
    cum = kind.outcome_cum
    return ev.OUTCOMES[min(bisect_right(cum, traject[T_OUTCOME] * cum[-1]), LAST_OUTCOME)]


def outcome_v(vt: VectorTables, kind: np.ndarray, traject: np.ndarray) -> np.ndarray:
    cum = vt.outcome_cum[kind]
    index = np.minimum((cum <= (traject[:, T_OUTCOME] * cum[:, -1])[:, None]).sum(1), LAST_OUTCOME)
    return OUTCOME_CODES[index]


def doorlooptijd(sample, maatwerk: float, route: int, traject) -> float:
    """Days in care: the intrinsic draw times the maatwerk factor; an uitval stops at a uniform point."""
    days = sample(traject[T_DOORLOOPTIJD]) * maatwerk
    if route == ev.UITVAL:
        days *= traject[T_UITVAL]
    return days


def doorlooptijd_v(vt: VectorTables, kind: np.ndarray, verlenging: np.ndarray, maatwerk: np.ndarray,
                   route: np.ndarray, traject: np.ndarray) -> np.ndarray:
    """As ``doorlooptijd``; ``verlenging`` marks trajecten that extend one of their type."""
    sampler = np.where(verlenging, kind + vt.n_type_codes, kind)
    days = sample_each(vt.samplers, sampler, traject[:, T_DOORLOOPTIJD]) * maatwerk
    uitval = route == ev.UITVAL
    days[uitval] *= traject[uitval, T_UITVAL]
    return days


# -- measures (scenario.maatregelen): doorlooptijd factors and ambulant instead of verblijf -------------
# The shift to an ambulant alternative takes its uniform from the low bits of the traject's type
# uniform: frac(u * 2^20) is uniform and independent of the type choice (made by the high bits) to
# 2^-20, and it draws nothing, so a measure moves no other draw of any client (common random numbers).
SHIFT_SCALE = 2.0 ** 20


def measure_factor(tables: CompiledScenario, kind: int, route: int, day: float) -> float:
    """The product of the measures' doorlooptijd factors for a traject of ``kind`` starting on ``day``."""
    factor = 1.0
    for start, f, routes in tables.type_factors[kind]:
        if day >= start and (routes is None or route in routes):
            factor *= f
    return factor


def measure_factor_v(vt: VectorTables, kind: np.ndarray, route: np.ndarray, day: np.ndarray) -> np.ndarray:
    factor = np.ones(len(kind))
    for start, f, mask, routes in vt.factor_rules:   # in the scenario's order, as the scalar form
        hit = mask[kind] & (day >= start)
        if routes is not None:
            hit &= np.isin(route, routes)
        factor = np.where(hit, factor * f, factor)
    return factor


def ambulant_shift(tables: CompiledScenario, segment: int, kind: int, day: float, traject) -> tuple[int, int] | None:
    """(segment, type) of the ambulant alternative when a measure shifts this new toewijzing, else None."""
    rule = tables.seg_shift[segment]
    if rule is None:
        return None
    start, share, kinds, target_seg, target_type = rule
    if day >= start and kind in kinds and (traject[T_TYPE] * SHIFT_SCALE) % 1.0 < share:
        return target_seg, target_type
    return None


def ambulant_shift_v(vt: VectorTables, segment: np.ndarray, kind: np.ndarray, day: np.ndarray, traject: np.ndarray,
                     new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """As ``ambulant_shift`` for the rows ``new`` (new toewijzingen): the segments and types after the shift."""
    out_seg, out_kind = segment.copy(), kind.copy()
    v = np.mod(traject[:, T_TYPE] * SHIFT_SCALE, 1.0)
    for seg, start, share, mask, target_seg, target_type in vt.shift_rules:
        hit = new & (segment == seg) & mask[kind] & (day >= start) & (v < share)
        out_seg[hit], out_kind[hit] = target_seg, target_type
    return out_seg, out_kind


# -- what follows a closed traject ------------------------------------------------------------------
def next_step(kind: TrajectType, route: int, n_trajecten: int) -> tuple[int, int]:
    """(END, CONTINUE or MOVE_UP, the chain's outcome) after a traject that ended by ``route``.

    Verlenging, and step-down where the type has a lighter one, continue at the same provider;
    opschaling moves up to another segment; past MAX_TRAJECTEN a client's story ends in afschaling.
    """
    if route == ev.VERLENGING or (route == ev.STEP_DOWN and kind.step_down_to is not None):
        step = CONTINUE
    elif route == ev.OPSCHALING:
        step = MOVE_UP
    else:
        return END, route
    if n_trajecten >= MAX_TRAJECTEN:
        return END, ev.AFSCHALING
    return step, route


def next_step_v(vt: VectorTables, kind: np.ndarray, route: np.ndarray,
                n_trajecten: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """As ``next_step`` for closed trajecten: (continues, moves up, the outcome)."""
    continues = (route == ev.VERLENGING) | ((route == ev.STEP_DOWN) & (vt.step_down_to[kind] != NO))
    moves_up = route == ev.OPSCHALING
    maxed = (continues | moves_up) & (n_trajecten >= MAX_TRAJECTEN)
    return continues & ~maxed, moves_up & ~maxed, np.where(maxed, ev.AFSCHALING, route)


def continuation(tables: CompiledScenario, kind: int, route: int) -> tuple[int, object]:
    """The type of the traject that continues one of type ``kind``, and its doorlooptijd sampler."""
    if route == ev.STEP_DOWN:
        lighter = tables.types[kind].step_down_to
        return lighter, tables.types[lighter].sample
    return kind, tables.types[kind].sample_verlenging


def continuation_type_v(vt: VectorTables, kind: np.ndarray, route: np.ndarray) -> np.ndarray:
    return np.where(route == ev.STEP_DOWN, vt.step_down_to[kind], kind)


def sample_each(samplers, key: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """samplers[key](u) per element, by the scalar functions themselves (the same floats)."""
    out = np.empty(len(uniforms))
    for value in np.unique(key).tolist():
        chosen = key == value
        out[chosen] = list(map(samplers[value], uniforms[chosen].tolist()))
    return out
