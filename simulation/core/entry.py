"""How clients enter a replication: the instroom's arrivals, and the steady state at the warm-up start.

Clients who can meet a plek or a funding rule start as processes on the shared clock; the others
go to the numpy cohort (``cohort.Cohort``). The state itself is ``steady_state.initial_caseload``.
"""
from __future__ import annotations

from array import array

import numpy as np

from simulation.core import events as ev
from simulation.core.calendar import days_in_year
from simulation.core.draws import BLOCK, CLIENTS_PER_STREAM
from simulation.core.rules import E_RECIDIVE, E_VOORLIGGEND_VELD
from simulation.core.simpy_internals import Arrival, schedule_at
from simulation.core.steady_cache import SteadyStateCache
from simulation.core.steady_state import IN_ZORG, TOEGANG, VOORLIGGEND_VELD, WACHTLIJST, SteadyState, initial_caseload
from simulation.core.streams import generator


def schedule_arrivals(model, mi: int, si: int) -> None:
    """Start each client's process at its arrival time: one timeout per client, no arrival process.

    Clients who can never wait go to the cohort instead, which needs no event per arrival.
    """
    env = model.env
    times = model.arrival_times(mi, si)
    if not len(times):
        return
    stream = (model.mun_names[mi], model.seg_names[si])
    blocks = generator(model.seed, model.replication, "client", *stream).random((len(times), BLOCK))
    base_id = (mi * len(model.seg_names) + si + 1) * CLIENTS_PER_STREAM
    model.n_clients += len(times)
    if model.private_ok[mi][si]:
        model.cohort.add(base_id + np.arange(len(times)), mi, si, blocks, stream, times)
        return
    times = times.tolist()
    start, state, log, left = model._start, [0], model.log, model.left
    flat = array("d")   # the same floats as one flat array: no numpy view per client, cheaper slices
    flat.frombytes(blocks.tobytes())
    # who goes to the voorliggend veld at the aanmelding and stays there (rules.to_voorliggend_veld,
    # rules.recidive_delay None): the two rows its process would log, without the process
    probability = model.seg_recidive[si][0]
    gone = (blocks[:, E_VOORLIGGEND_VELD] < model.seg_vv[si]) & (
        (blocks[:, E_RECIDIVE] >= probability) if probability else True)
    gone = gone.tolist()

    def arrive(_event) -> None:
        k = state[0]
        if not gone[k]:
            start(base_id + k, mi, si, flat, stream, None, k * BLOCK)
        elif env.now >= 0:
            log((env.now, ev.AANMELDING, base_id + k, -1, mi, si, -1, -1, -1, 0.0))
            log((env.now, ev.VOORLIGGEND_VELD, base_id + k, -1, mi, si, -1, -1, ev.TOEGANG, 0.0))
            left[0] += 1
        k += 1
        state[0] = k
        if k < len(times):   # the processed event goes back on the heap: one object per stream, not per client
            arrival.callbacks = [arrive]
            schedule_at(env, times[k], arrival)

    arrival = Arrival(env, arrive)
    schedule_at(env, times[0], arrival)


STEADY_STATES = SteadyStateCache()   # the process's one store of steady states (``steady_cache``)


def steady_state(scenario, tables, t0: float, year_fraction: float) -> SteadyState:
    """The ``SteadyState`` at the warm-up start, from ``STEADY_STATES``: it depends on neither seed nor
    replication, and per municipality only on its own figures and the segments, so a process solves a
    municipality once for all the replications it runs and for every shard that holds the same
    municipality or a copy of it (in the what-if page's workers half a replication's CPU)."""
    return STEADY_STATES.steady_state(scenario, tables, t0, year_fraction)


def place_initial_caseload(model) -> None:
    """The steady state at the warm-up start (steady_state.initial_caseload), placed: trajecten
    in zorg, clients on a plek wachtlijst and clients in the voorliggend veld who will come
    back; in the cohort for clients who can never wait, else as processes on the shared clock."""
    t0 = -model.warmup_days
    date = model.calendar.date(t0)
    year_fraction = date.year + (date.timetuple().tm_yday - 1 + t0 - np.floor(t0)) / days_in_year(date.year)
    capacity = {key: pool.capacity for key, pool in model.pools.items()}
    steady = steady_state(model.sc, model.tables, t0, year_fraction)
    groups = initial_caseload(model.sc, model.tables, model.seed, model.replication, t0, year_fraction, capacity,
                              steady)
    for place, municipality, segment, kind, provider, first_id, blocks, since, remaining in groups:
        n = len(blocks)
        if not n:
            continue
        model.n_clients += n
        stream = (model.mun_names[municipality], model.seg_names[segment])
        ids = first_id + np.arange(n)
        if model.private_ok[municipality][segment]:
            if place == IN_ZORG:
                model.cohort.add(ids, municipality, segment, blocks, stream, t0,
                                (np.full(n, kind), np.full(n, provider), since, remaining))
            elif place == TOEGANG:   # an ordinary client who arrived before t0
                model.cohort.add(ids, municipality, segment, blocks, stream, since)
            else:   # VOORLIGGEND_VELD (a wachtlijst needs a pool, which the cohort never meets)
                model.cohort.add(ids, municipality, segment, blocks, stream, t0 + remaining,
                                pending=since)
            continue
        for k, row in enumerate(blocks):
            if place == IN_ZORG:
                initial = (IN_ZORG, segment, kind, provider, float(since[k]), float(remaining[k]))
            elif place == TOEGANG:
                initial = (TOEGANG, segment, -1, -1, float(since[k]), None)
            elif place == WACHTLIJST:
                initial = (WACHTLIJST, segment, kind, provider, float(since[k]), None)
            else:
                initial = (VOORLIGGEND_VELD, segment, -1, -1, float(since[k]), float(remaining[k]))
            model._start(int(ids[k]), municipality, segment, row, stream, initial)
