"""The SimPy model: clients through toegang, trajecten and plekken.

Time is in days; day 0 is the scenario's start date. The warm-up runs on
negative days and is not logged; on day 0 a ``beginstand`` row records every
client or traject that is in the system, so the log is self-contained.

Clients who can meet a plek (or a funding rule) run as SimPy processes on the
shared clock. Clients who never can are simulated together in numpy by
``cohort.Cohort``, with the same draws and rules, so they log the same rows;
``Model(..., private_clocks=False)`` runs everybody on the shared clock instead
(the tests compare the two).

Hot-path rule: per event only plain Python (tuple appends, dict updates,
scalar inverse-CDF transforms); the DataFrame is built once at the end.
"""
from __future__ import annotations

from time import process_time
from array import array
import gc
import datetime as dt
from bisect import bisect_right
from heapq import heappop, heappush
from itertools import accumulate

import numpy as np
import simpy
from simpy.core import NORMAL, URGENT

from simulation.core import events as ev
from simulation.core.calendar import Calendar, days_in_year, next_month
from simulation.core.cohort import Cohort
from simulation.core.hooks import FlowHookFactory
from simulation.core.pools import PlekPool
from simulation.core.draws import (BLOCK, CLIENTS_PER_STREAM, EPISODE_SLOTS, EPISODES, INITIAL_CLIENT_OFFSET,
                    LANE_FIRST, LANE_SIZES, MAX_TRAJECTEN, TRAJECT_SLOTS)
from simulation.config.scenario import Scenario
from simulation.core.streams import generator


class _At(simpy.events.Event):
    """An event that fires after ``delay`` with the given priority (like simpy's Timeout)."""

    def __init__(self, env: simpy.Environment, delay: float, priority: int):
        super().__init__(env)
        self._ok, self._value = True, None
        env.schedule(self, priority, delay)


class _Started(simpy.events.Process):
    """A client's process: starts at once inside the current callback and ends silently.

    simpy's Process schedules an Initialize event to start and triggers itself when it
    ends; nobody waits for a client's process, so both events would only cost time.
    An exception in the generator propagates at once (the run stops with its traceback).
    """

    def __init__(self, env: simpy.Environment, gen):
        self.env, self.callbacks, self._generator = env, [], gen
        self._resume(_GO)

    def _resume(self, event) -> None:
        env, send = self.env, self._generator.send
        env._active_proc = self
        try:
            while True:
                event = send(event._value)
                if event.callbacks is not None:   # pending: resume when it fires
                    event.callbacks.append(self._resume)
                    break
                # already processed (e.g. a finished stacked traject): continue at once
        except StopIteration:
            self._ok, self._value, self.callbacks = True, None, None
            event = None
        self._target = event
        env._active_proc = None


class _Go:
    _ok, _value = True, None


_GO = _Go()


class _Arrival(simpy.events.Event):
    """A triggered event with one callback, scheduled by the caller (a bare timeout)."""


    def __init__(self, env, callback):
        self.env, self.callbacks, self._ok, self._value = env, [callback], True, None


def _schedule_at(env: simpy.Environment, time: float, event) -> None:
    """Schedule ``event`` at exactly ``time`` (NORMAL priority).

    ``env.schedule`` takes a delay and adds it to now; now + (time - now) can differ from
    ``time`` in the last bit, and then a client's day would depend on when the previous
    client arrived. This is the same heap entry simpy makes, at the time itself.
    """
    heappush(env._queue, (time, NORMAL, next(env._eid), event))


class _Type:
    """Pre-computed facts of one traject type for the hot path."""

    __slots__ = ("seg", "sample", "sample_verlenging", "sample_length_biased", "mean",
                 "outcome_cum", "step_down_to", "opschaling_to")


class _Client:
    __slots__ = ("id", "mun", "seg", "draws", "next_traject", "episode", "stream", "env", "extra")

    def __init__(self, cid, mun, seg, draws, stream, env):
        self.id, self.mun, self.seg, self.draws, self.stream = cid, mun, seg, draws, stream
        self.next_traject = 0   # numbers the client's trajecten (their ids), in order of toewijzing
        self.episode = 0
        self.extra = None       # draws beyond the block: {lane or episode key: list}
        self.env = env   # the shared simpy Environment, or the client's own _PrivateClock


class _Wake:
    """What a process on a private clock yields to sleep until ``time``."""

    __slots__ = ("time",)

    def __init__(self, time: float):
        self.time = time


class _PrivateProcess:
    """A stacked traject chain on a private clock: yieldable like a simpy Process."""

    __slots__ = ("gen", "triggered", "value", "waiters")

    def __init__(self, gen):
        self.gen, self.triggered, self.value, self.waiters = gen, False, None, []


class _PrivateClock:
    """The clock of one client who can never meet a plek, a ceiling or another client.

    Such a client's processes run at once, on their own small event queue, with the
    same generator code and the same ordering rules as simpy (time, then creation
    order); only the shared event heap is skipped. Rows go to the shared log with
    their own times (the log is sorted by day when the DataFrame is built).
    """

    __slots__ = ("now", "queue", "eid")

    def __init__(self, now: float):
        self.now, self.queue, self.eid = now, [], 0

    def timeout(self, delay: float) -> _Wake:
        return _Wake(self.now + delay)

    def process(self, gen) -> _PrivateProcess:
        proc = _PrivateProcess(gen)
        self._push(self.now, proc, None)
        return proc

    def _push(self, time: float, proc, value) -> None:
        self.eid += 1
        heappush(self.queue, (time, self.eid, proc, value))


class Model:
    """One replication of a scenario. ``run()`` returns the event-log rows and a state summary."""

    def __init__(self, scenario: Scenario, seed: int, replication: int = 0, private_clocks: bool = True,
                 flow: FlowHookFactory | None = None):
        self.sc, self.seed, self.replication = scenario, seed, replication
        self.warmup_days = float(scenario.warmup.days)
        self.horizon = float(scenario.horizon_days)
        self.calendar = Calendar.of(scenario)
        self.env = simpy.Environment(initial_time=-self.warmup_days)
        # the event log: 10 floats per event (events.COLUMNS) in one flat array; no Python object per row
        self.rows = array("d")
        self.log = self.rows.extend
        self.open_trajecten: dict[int, tuple] = {}   # traject -> (client, mun, seg, type, prov, start)
        self.waiting: dict[int, tuple] = {}          # traject -> (client, mun, seg, type, prov, since)
        self.in_toegang: dict[int, tuple] = {}       # client -> (mun, seg, since)
        self.in_vv: dict[int, tuple] = {}            # client -> (mun, seg, since), recidive pending
        self.left = [0, 0]   # clients who left on or after day 0: [voorliggend veld for good, uitval]
        self.n_clients = 0
        self._index()
        # funding's effects on the flow (core/hooks.py); None: no contract acts on the flow
        self.flow = flow(self) if flow is not None else None
        self.n_trajecten = 0
        # A client who can never wait (see cohort.py) is simulated off the shared event queue.
        # private_ok[mi][si]: true for clients who start in segment si of municipality mi.
        self.private_ok = [[private_clocks and self._never_waits(mi, si) for si in range(len(self.seg_names))]
                           for mi in range(len(self.mun_names))]
        self.cohort = Cohort(self)
        self.private_clients: set[int] = set()   # clients of the cohort handed to a private clock

    # -- set-up -------------------------------------------------------------------------------
    def _never_waits(self, mi: int, si: int) -> bool:
        """True when a client who starts in segment ``si`` can meet no plek and no funding rule.

        It can reach its own segment and, by opschaling, the target segments of its trajecten
        (recidive returns to the segment the client is in). Municipality ``mi`` must buy no
        plekken and hold no funding contract in any of them: a contract's flow rules (plafond,
        refusal, extra capacity, doorlooptijd factor) act only on its own municipality x segment.
        """
        reach, todo = {si}, [si]
        while todo:
            s = todo.pop()
            for ti in self.seg_types[s]:
                target = self.types[ti].opschaling_to
                if target is not None and target[0] not in reach:
                    reach.add(target[0])
                    todo.append(target[0])
        ruled = list(self.pools) + (list(self.flow.contracts) if self.flow is not None else [])
        return not any(key[0] == mi and key[2] in reach for key in ruled)

    def _index(self) -> None:
        sc = self.sc
        self.mun_names = list(sc.municipalities)
        self.seg_names = list(sc.segments)
        self.prov_names = list(sc.providers)
        seg_idx = {s: i for i, s in enumerate(self.seg_names)}
        self.type_names: list[str] = []
        self.types: list[_Type] = []
        type_idx: dict[tuple[str, str], int] = {}
        for s in self.seg_names:
            for tname in sc.segments[s].traject_types:
                type_idx[(s, tname)] = len(self.type_names)
                self.type_names.append(tname)
        self.seg_types, self.seg_type_cum = [], []
        for s in self.seg_names:
            seg = sc.segments[s]
            names = list(seg.traject_types)
            self.seg_types.append([type_idx[(s, n)] for n in names])
            self.seg_type_cum.append(list(accumulate(seg.traject_types[n].share for n in names)))
            for n in names:
                spec = seg.traject_types[n]
                t = _Type()
                t.seg = seg_idx[s]
                t.sample = spec.doorlooptijd.sampler()
                t.sample_verlenging = (spec.verlenging_doorlooptijd or spec.doorlooptijd).sampler()
                t.sample_length_biased = spec.doorlooptijd.ppf_length_biased
                t.mean = spec.doorlooptijd.mean
                o = spec.outcomes
                t.outcome_cum = list(accumulate((o.afschaling, o.step_down, o.opschaling, o.uitval, o.verlenging)))
                t.step_down_to = type_idx[(s, spec.step_down_to)] if spec.step_down_to else None
                tgt = spec.opschaling_to
                t.opschaling_to = (seg_idx[tgt.segment], type_idx[(tgt.segment, tgt.traject_type)]) if tgt else None
                self.types.append(t)
        self.seg_vv = [sc.segments[s].voorliggend_veld_share for s in self.seg_names]
        self.seg_toegang = [sc.segments[s].toegang_doorlooptijd.sampler() for s in self.seg_names]
        self.seg_stacking = [sc.segments[s].stacking_probability for s in self.seg_names]
        self.seg_max_wait = [sc.segments[s].max_wait_days for s in self.seg_names]
        self.seg_recidive = [(sc.segments[s].recidive.probability, sc.segments[s].recidive.delay.sampler())
                             for s in self.seg_names]
        # provider choice and maatwerk factor per (municipality, segment)
        self.choice: dict[tuple[int, int], tuple[list[int], list[float]]] = {}
        self.maatwerk: dict[tuple[int, int], float] = {}
        for mi, m in enumerate(self.mun_names):
            for si, s in enumerate(self.seg_names):
                provs = [self.prov_names.index(p) for p in sc.providers_for(m, s)]
                weights = [sc.providers[self.prov_names[p]].segments[s].weight for p in provs]
                total = sum(weights)
                self.choice[(mi, si)] = (provs, [c / total for c in accumulate(weights)])
        for pi, p in enumerate(self.prov_names):
            for s, ps in sc.providers[p].segments.items():
                self.maatwerk[(pi, seg_idx[s])] = ps.maatwerk_factor
        # plekken pools
        self.pools: dict[tuple[int, int, int], PlekPool] = {}
        first_year = self.calendar.year_of(-self.warmup_days)
        for pi, p in enumerate(self.prov_names):
            for m, per_seg in sc.providers[p].plekken.items():
                for s in per_seg:
                    mi, si = self.mun_names.index(m), seg_idx[s]
                    cap = sc.plekken_in_year(p, m, s, first_year)
                    self.pools[(mi, pi, si)] = PlekPool(self.env, cap)

    # -- instroom -----------------------------------------------------------------------------
    def arrival_times(self, mi: int, si: int) -> np.ndarray:
        """Poisson instroom, piecewise constant per calendar month (growth per year, seasonality)."""
        sc, m, s = self.sc, self.mun_names[mi], self.seg_names[si]
        ins = sc.segments[s].instroom
        base = sc.instroom_per_year(m, s)
        season = np.ones(12) if ins.seasonality is None else np.asarray(ins.seasonality) / np.mean(ins.seasonality)
        first = self.calendar.date(-self.warmup_days)
        starts, lengths, rates = [], [], []
        month = dt.date(first.year, first.month, 1)
        while self.calendar.day(month) < self.horizon:
            nxt = next_month(month)
            lo = max(self.calendar.day(month), -self.warmup_days)
            hi = min(self.calendar.day(nxt), self.horizon)
            rate = base * (1 + ins.growth) ** (month.year - ins.base_year) * season[month.month - 1] / days_in_year(month.year)
            starts.append(lo)
            lengths.append(hi - lo)
            rates.append(rate)
            month = nxt
        rng = generator(self.seed, self.replication, "instroom", m, s)
        counts = rng.poisson(np.asarray(rates) * np.asarray(lengths))
        times = np.repeat(starts, counts) + rng.random(counts.sum()) * np.repeat(lengths, counts)
        return np.sort(times)

    def _schedule_arrivals(self, mi: int, si: int) -> None:
        """Start each client's process at its arrival time: one timeout per client, no arrival process.

        Clients who can never wait go to the cohort instead, which needs no event per arrival.
        """
        env = self.env
        times = self.arrival_times(mi, si)
        if not len(times):
            return
        m, s = self.mun_names[mi], self.seg_names[si]
        blocks = generator(self.seed, self.replication, "client", m, s).random((len(times), BLOCK))
        base_id = (mi * len(self.seg_names) + si + 1) * CLIENTS_PER_STREAM
        self.n_clients += len(times)
        if self.private_ok[mi][si]:
            self.cohort.add(base_id + np.arange(len(times)), mi, si, blocks, (m, s), times)
            return
        times = times.tolist()
        start, stream, state = self._start, (m, s), [0]

        def arrive(_event) -> None:
            k = state[0]
            start(base_id + k, mi, si, blocks[k].tolist(), stream)
            k += 1
            state[0] = k
            if k < len(times):
                _schedule_at(env, times[k], _Arrival(env, arrive))

        _schedule_at(env, times[0], _Arrival(env, arrive))

    # -- clients ------------------------------------------------------------------------------
    def _start(self, cid: int, mi: int, si: int, draws: list[float], stream: tuple, initial=None) -> None:
        """Start a client's process now on the shared clock."""
        c = _Client(cid, mi, si, draws, stream, self.env)
        _Started(self.env, self._client(c, initial))

    def run_private_from(self, cid: int, mi: int, si: int, draws: list[float], stream: tuple, start: float,
                         episode: int, next_traject: int) -> None:
        """Run a cohort client's life from the start of ``episode`` (at day ``start``) on a private clock.

        The cohort hands over episodes with two chains at once (stacking); the generator code
        below runs them, with the same ordering rules as simpy (time, then creation order).
        The day-0 snapshot is this clock's job only if the episode starts before day 0.
        """
        clock = _PrivateClock(start)
        c = _Client(cid, mi, si, draws, stream, clock)
        c.episode, c.next_traject = episode, next_traject
        self.private_clients.add(cid)
        proc = _PrivateProcess(self._client(c))
        snapshot_due, first = start < 0, True
        queue, horizon = clock.queue, self.horizon
        time, value = clock.now, None
        while True:
            if snapshot_due and time >= 0 and not first:
                self._beginstand_of(c)
                snapshot_due = False
            first = False
            if time >= horizon:
                break   # like env.run(until=horizon): what is pending stays pending
            clock.now = time
            try:
                event = proc.gen.send(value)
            except StopIteration as stop:
                proc.triggered, proc.value = True, stop.value
                for waiter in proc.waiters:
                    clock._push(time, waiter, stop.value)
            else:
                if event.__class__ is _Wake:
                    if not queue:   # nothing else pending: this process is next, skip the heap
                        time, value = event.time, None
                        continue
                    clock._push(event.time, proc, None)
                elif event.triggered:
                    clock._push(time, proc, event.value)
                else:
                    event.waiters.append(proc)
            if not queue:
                break
            time, _, proc, value = heappop(queue)

    def fallback_draws(self, cache: dict, stream: tuple, cid: int, key: str, p: int) -> list[float]:
        """5 uniforms at position ``p`` of a per-client stream for ``key`` (beyond the pre-drawn block).

        ``cache`` keeps what was drawn, per client and key.
        """
        draws = cache.get((cid, key))
        if draws is None or len(draws) < 5 * (p + 1):
            # keyed by the client's place in its (municipality, segment) stream, not by its id: ids
            # are numbered by the positions of municipality and segment in the scenario, so adding
            # a segment would otherwise hand other segments' clients new draws (no common random numbers)
            rng = generator(self.seed, self.replication, "fallback", *stream, str(cid % CLIENTS_PER_STREAM), key)
            # regenerated from the start: the same stream gives the same prefix, only longer
            draws = cache[(cid, key)] = rng.random(5 * (p + 4)).tolist()
        return draws[5 * p:5 * p + 5]

    def _extra_draws(self, c: _Client, key: str, p: int) -> list[float]:
        if c.extra is None:
            c.extra = {}
        return self.fallback_draws(c.extra, c.stream, c.id, key, p)

    def _episode_draws(self, c: _Client) -> list[float]:
        """Uniforms of the client's current episode: vv share, toegang time, stacking, recidive, delay."""
        e = c.episode
        if e < EPISODES:
            return c.draws[e * EPISODE_SLOTS:(e + 1) * EPISODE_SLOTS]
        return self._extra_draws(c, f"episode {e}", 0)

    def _traject_draws(self, c: _Client, lane: tuple[int, int], p: int) -> list[float]:
        """Uniforms of the p-th traject in a lane: type, provider, doorlooptijd, outcome, uitval point."""
        if p < LANE_SIZES.get(lane, 0):
            first = LANE_FIRST[lane] + p * TRAJECT_SLOTS
            return c.draws[first:first + TRAJECT_SLOTS]
        return self._extra_draws(c, f"lane {lane[0]} {lane[1]}", p)

    def _client(self, c: _Client, initial: tuple | None = None):
        """A client's life: aanmelding, toegang, trajecten, voorliggend veld, possible recidive.

        ``initial`` = (segment, type, provider, start day, remaining days) for a client of the
        initial caseload, who starts in care instead of at the toegang.
        """
        env, log = c.env, self.log
        while True:
            u = self._episode_draws(c)
            if initial is not None:
                si, ti, pi, start, remaining = initial
                initial = None
                outcome = yield from self._chain(c, si, (c.episode, 0), ti, pi, (start, remaining))
            else:
                si, now = c.seg, env.now
                if now >= 0:
                    log((now, ev.AANMELDING, c.id, -1, c.mun, si, -1, -1, -1, 0.0))
                if u[0] < self.seg_vv[si]:
                    if now >= 0:
                        log((now, ev.VOORLIGGEND_VELD, c.id, -1, c.mun, si, -1, -1, ev.TOEGANG, 0.0))
                    outcome = None
                else:
                    toegang = self.seg_toegang[si](u[1])
                    if toegang > 0:
                        self.in_toegang[c.id] = (c.mun, si, now)
                        yield env.timeout(toegang)
                        del self.in_toegang[c.id]
                    if u[2] < self.seg_stacking[si]:
                        stacked = env.process(self._chain(c, si, (c.episode, 1)))
                        outcome = yield from self._chain(c, si, (c.episode, 0))
                        if not stacked.triggered:
                            outcome = yield stacked  # the client's episode ends with its last traject
                    else:
                        outcome = yield from self._chain(c, si, (c.episode, 0))
            now = env.now
            if outcome == ev.AFSCHALING and now >= 0:
                log((now, ev.VOORLIGGEND_VELD, c.id, -1, c.mun, c.seg, -1, -1, ev.AFSCHALING, 0.0))
            if outcome is not None and outcome != ev.AFSCHALING:
                if now >= 0:
                    self.left[1] += 1
                return  # uitval: the client leaves
            probability, delay = self.seg_recidive[c.seg]
            if not probability or u[3] >= probability:
                if now >= 0:
                    self.left[0] += 1
                return
            self.in_vv[c.id] = (c.mun, c.seg, now)
            yield env.timeout(delay(u[4]))
            del self.in_vv[c.id]
            c.episode += 1
            if env.now >= 0:
                log((env.now, ev.RECIDIVE, c.id, -1, c.mun, c.seg, -1, -1, -1, 0.0))

    def _choose_provider(self, mi: int, si: int, u: float) -> int:
        provs, cum = self.choice[(mi, si)]
        return provs[min(bisect_right(cum, u), len(provs) - 1)]

    def _provider_with_room(self, mi: int, si: int, current: int):
        for p in self.choice[(mi, si)][0]:
            if p == current:
                continue
            pool = self.pools.get((mi, p, si))
            if pool is None or pool.free:
                return p
        return None

    def _wait_for_plek(self, c: _Client, pool: PlekPool, tid: int, si: int, ti: int, pi: int, logged: bool):
        """Wait FIFO for a plek; after max_wait_days move to a provider with room. Returns (provider, pool)."""
        env, log = self.env, self.log
        request = pool.request()
        if request is None:
            return pi, pool
        self.waiting[tid] = (c.id, c.mun, si, ti, pi, env.now)
        if logged and env.now >= 0:
            log((env.now, ev.WACHTLIJST, c.id, tid, c.mun, si, ti, pi, -1, 0.0))
        max_wait = self.seg_max_wait[si]
        if max_wait is not None:
            yield request | env.timeout(max_wait)
            if not request.triggered:
                alt = self._provider_with_room(c.mun, si, pi)
                if alt is not None:
                    pool.cancel(request)
                    pi, pool, request = alt, self.pools.get((c.mun, alt, si)), None
                    if env.now >= 0:
                        log((env.now, ev.TOEWIJZING, c.id, tid, c.mun, si, ti, pi, ev.OVERSTAP, 0.0))
                    if pool is not None:
                        request = pool.request()  # free by construction: granted at once
        if request is not None:
            yield request
        del self.waiting[tid]
        return pi, pool

    def _chain(self, c: _Client, si: int, lane: tuple[int, int], ti: int | None = None, pi: int | None = None,
               initial: tuple[float, float] | None = None, p: int = 0):
        """One toewijzing and what follows it in the same segment; returns the final outcome code.

        Verlenging and step-down start a new traject at once at the same provider, keeping the
        plek; opschaling releases the plek and starts a new toewijzing in the target segment.
        ``lane`` and ``p``: where the trajecten of this chain take their draws (see LANE_SIZES).
        ``initial`` = (start day, remaining days) places a traject of the initial caseload.
        """
        env, log, types = c.env, self.log, self.types
        j = c.next_traject
        c.next_traject += 1
        self.n_trajecten += 1
        u = self._traject_draws(c, lane, p)
        if ti is None:
            cum = self.seg_type_cum[si]
            ti = self.seg_types[si][min(bisect_right(cum, u[0] * cum[-1]), len(cum) - 1)]
        if pi is None:
            pi = self._choose_provider(c.mun, si, u[1])
        c.seg = si
        mi, cid = c.mun, c.id
        tid = cid * 1000 + j
        assigned = env.now
        if initial is None and assigned >= 0:
            log((assigned, ev.TOEWIJZING, cid, tid, mi, si, ti, pi, -1, 0.0))
        if initial is None and self.flow is not None and self.flow.gated:   # budgetplafond, weigering
            pi = yield from self.flow.admit(c, tid, si, ti, pi, f"{lane[0]} {lane[1]} {p}")
        pool = self.pools.get((mi, pi, si))
        if pool is not None:
            pi, pool = yield from self._wait_for_plek(c, pool, tid, si, ti, pi, logged=initial is None)
        now = env.now
        if initial is not None and now == assigned:
            start, remaining = initial   # in care since before the warm-up
        else:
            start, remaining = now, None
            if now >= 0:
                log((now, ev.START_ZORG, cid, tid, mi, si, ti, pi, -1, now - assigned))
        maatwerk = self.maatwerk[(pi, si)]
        if self.flow is not None:   # funding behaviour: doorlooptijd factor of the contract
            maatwerk *= self.flow.duration_factor(c.mun, pi, si, env.now)
        sample = types[ti].sample
        open_trajecten = self.open_trajecten
        while True:
            t = types[ti]
            cum = t.outcome_cum
            outcome = ev.OUTCOMES[min(bisect_right(cum, u[3] * cum[-1]), 4)]
            if remaining is None:
                remaining = sample(u[2]) * maatwerk
                if outcome == ev.UITVAL:
                    remaining *= u[4]
            open_trajecten[tid] = (cid, mi, si, ti, pi, start)
            yield env.timeout(remaining)
            del open_trajecten[tid]
            now = env.now
            if now >= 0:
                log((now, ev.STOP_ZORG, cid, tid, mi, si, ti, pi, outcome, now - start))
            if not (outcome == ev.VERLENGING or (outcome == ev.STEP_DOWN and t.step_down_to is not None)):
                break
            if c.next_traject >= MAX_TRAJECTEN:
                outcome = ev.AFSCHALING
                break
            j = c.next_traject
            c.next_traject += 1
            self.n_trajecten += 1
            p += 1
            u = self._traject_draws(c, lane, p)
            if outcome == ev.STEP_DOWN:
                ti = t.step_down_to
                sample = types[ti].sample
            else:
                sample = t.sample_verlenging
            tid = cid * 1000 + j
            start, remaining = now, None
            if self.flow is not None and self.flow.gated:   # a continuation counts against a budgetplafond
                self.flow.count_continuation(mi, pi, si, ti, now)
            if now >= 0:  # reden marks a continuation: the client keeps the plek, no new instroom
                log((now, ev.TOEWIJZING, cid, tid, mi, si, ti, pi, outcome, 0.0))
                log((now, ev.START_ZORG, cid, tid, mi, si, ti, pi, outcome, 0.0))
        if pool is not None:
            pool.release()
        if outcome == ev.OPSCHALING:
            if c.next_traject >= MAX_TRAJECTEN:
                return ev.AFSCHALING
            target_seg, target_type = types[ti].opschaling_to
            outcome = yield from self._chain(c, target_seg, lane, target_type, p=p + 1)
        return outcome

    # -- initial caseload ---------------------------------------------------------------------
    def _steady_caseload(self, mi: int, year: int) -> np.ndarray:
        """Expected trajecten in care per traject type in a steady state (instroom of ``year``).

        Traffic equations: trajecten of a type start from the toegang (instroom x (1 - voorliggend
        veld) x (1 + stacking) x type share), from continuations (verlenging, step-down), from
        opschaling out of another segment and from recidive after afschaling; solved as one
        linear system. Each start then stays its mean doorlooptijd (an extension its own mean,
        an uitval half of a draw on average): Little's law per type.
        """
        sc, n = self.sc, len(self.types)
        A, c = np.zeros((n, n)), np.zeros(n)
        for si, s in enumerate(self.seg_names):
            seg = sc.segments[s]
            ins = seg.instroom
            per_day = sc.instroom_per_year(self.mun_names[mi], s) * (1 + ins.growth) ** (year - ins.base_year) / 365.0
            entry = (1 - seg.voorliggend_veld_share) * (1 + seg.stacking_probability)
            shares = np.diff([0.0] + self.seg_type_cum[si]) / self.seg_type_cum[si][-1]
            back = seg.recidive.probability / (1 + seg.stacking_probability)   # recidive is per episode
            for ti, share in zip(self.seg_types[si], shares):
                c[ti] = per_day * entry * share
            for ui, name in zip(self.seg_types[si], seg.traject_types):
                spec = seg.traject_types[name]
                o = spec.outcomes
                A[ui, ui] += o.verlenging
                if o.step_down:
                    A[self.types[ui].step_down_to, ui] += o.step_down
                if o.opschaling:
                    A[self.types[ui].opschaling_to[1], ui] += o.opschaling
                for ti, share in zip(self.seg_types[si], shares):
                    A[ti, ui] += o.afschaling * back * entry * share
        rates = np.linalg.solve(np.eye(n) - A, c)
        caseload = np.zeros(n)
        for si, s in enumerate(self.seg_names):
            seg = sc.segments[s]
            for ui, name in zip(self.seg_types[si], seg.traject_types):
                spec = seg.traject_types[name]
                o = spec.outcomes
                verl_mean = (spec.verlenging_doorlooptijd or spec.doorlooptijd).mean
                extensions = rates[ui] * o.verlenging          # starts of this type that are extensions
                caseload[ui] = (1 - o.uitval / 2) * ((rates[ui] - extensions) * spec.doorlooptijd.mean
                                                     + extensions * verl_mean)
        return caseload

    def _initial_caseload(self) -> None:
        """Steady-state caseload at the warm-up start: Poisson counts per traject type and provider,
        length-biased durations, each traject started a uniform fraction of its length ago.

        The counts include trajecten that continue a chain (verlenging, step-down, opschaling,
        recidive), so the warm-up starts near the level it settles at; each placed traject is
        the first of its client's new chain.
        """
        t0 = -self.warmup_days
        year = self.calendar.year_of(t0)
        for mi, m in enumerate(self.mun_names):
            expected = self._steady_caseload(mi, year)
            for si, s in enumerate(self.seg_names):
                rng = generator(self.seed, self.replication, "beginstand", m, s)
                provs, prov_cum = self.choice[(mi, si)]
                prov_shares = np.diff([0.0] + prov_cum)
                first_id = (mi * len(self.seg_names) + si + 1) * CLIENTS_PER_STREAM + INITIAL_CLIENT_OFFSET
                k = 0
                for ti in self.seg_types[si]:
                    t = self.types[ti]
                    for pi, prov_share in zip(provs, prov_shares):
                        factor = self.maatwerk[(pi, si)]
                        n = rng.poisson(expected[ti] * prov_share * factor)
                        rows = rng.random((n, 2 + BLOCK))
                        if self.private_ok[mi][si]:
                            total = np.array(list(map(t.sample_length_biased, rows[:, 0].tolist()))) * factor
                            age = rows[:, 1] * total
                            self.cohort.add(first_id + k + np.arange(n), mi, si, rows[:, 2:], (m, s), t0,
                                            (np.full(n, ti), np.full(n, pi), t0 - age, total - age))
                            k += n
                            continue
                        for row in rows.tolist():
                            total = t.sample_length_biased(row[0]) * factor
                            age = row[1] * total
                            self._start(first_id + k, mi, si, row[2:], (m, s), (si, ti, pi, t0 - age, total - age))
                            k += 1
                self.n_clients += k

    # -- bookkeeping --------------------------------------------------------------------------
    def _beginstand(self, _event) -> None:
        """The state on day 0 of every client on the shared clock (private clients log their own)."""
        log, private = self.log, self.private_clients
        for tid, (cid, mi, si, ti, pi, start) in self.open_trajecten.items():
            if cid not in private:
                log((0.0, ev.BEGINSTAND, cid, tid, mi, si, ti, pi, ev.IN_ZORG, start))
        for tid, (cid, mi, si, ti, pi, since) in self.waiting.items():
            log((0.0, ev.BEGINSTAND, cid, tid, mi, si, ti, pi, ev.IN_WACHTLIJST, since))
        for cid, (mi, si, since) in self.in_toegang.items():
            if cid not in private:
                log((0.0, ev.BEGINSTAND, cid, -1, mi, si, -1, -1, ev.IN_TOEGANG, since))
        for cid, (mi, si, since) in self.in_vv.items():
            if cid not in private:
                log((0.0, ev.BEGINSTAND, cid, -1, mi, si, -1, -1, ev.IN_VOORLIGGEND_VELD, since))

    def _beginstand_of(self, c: _Client) -> None:
        """The day-0 state of one client on a private clock, taken when its clock passes day 0."""
        log, cid = self.log, c.id
        for j in range(c.next_traject):
            row = self.open_trajecten.get(cid * 1000 + j)
            if row is not None:
                _, mi, si, ti, pi, start = row
                log((0.0, ev.BEGINSTAND, cid, cid * 1000 + j, mi, si, ti, pi, ev.IN_ZORG, start))
        if cid in self.in_toegang:
            mi, si, since = self.in_toegang[cid]
            log((0.0, ev.BEGINSTAND, cid, -1, mi, si, -1, -1, ev.IN_TOEGANG, since))
        if cid in self.in_vv:
            mi, si, since = self.in_vv[cid]
            log((0.0, ev.BEGINSTAND, cid, -1, mi, si, -1, -1, ev.IN_VOORLIGGEND_VELD, since))

    def _capacity_schedule(self):
        env = self.env
        year = self.calendar.year_of(-self.warmup_days) + 1
        while True:
            day = self.calendar.day(dt.date(year, 1, 1))
            if day >= self.horizon:
                return
            yield env.timeout(day - env.now)
            for (mi, pi, si), pool in self.pools.items():
                cap = self.sc.plekken_in_year(self.prov_names[pi], self.mun_names[mi], self.seg_names[si], year)
                if cap is not None:   # pools of funding contracts change in funding.flow
                    pool.set_capacity(cap)
            year += 1

    def run(self) -> array:
        """Simulate warm-up and horizon; returns the event log as a flat array of 10 floats per event."""
        # The model's objects form no reference cycles (gc.collect() after a run finds none),
        # so the cyclic collector's passes over the growing heap of clients only cost time.
        gc_enabled = gc.isenabled()
        gc.disable()
        try:
            self._simulate()
        finally:
            if gc_enabled:
                gc.enable()
        return self.rows

    def _simulate(self) -> None:
        env, clock = self.env, process_time
        begin = clock()
        if self.sc.warmup.initial_caseload:
            self._initial_caseload()
        # after the initial caseload has taken its plekken, before anything else happens on day 0
        _At(env, self.warmup_days, URGENT).callbacks.append(self._beginstand)
        if self.pools:
            env.process(self._capacity_schedule())
        if self.flow is not None:
            self.flow.start()
        for mi in range(len(self.mun_names)):
            for si in range(len(self.seg_names)):
                self._schedule_arrivals(mi, si)
        set_up = clock()
        self.cohort.run()
        cohort = clock()
        env.run(until=self.horizon)
        log = self.log
        for tid, (cid, mi, si, ti, pi, start) in self.open_trajecten.items():
            log((self.horizon, ev.STOP_ZORG, cid, tid, mi, si, ti, pi, ev.EINDE_HORIZON, self.horizon - start))
        # CPU seconds per phase, for benchmarks/bench_core.py
        self.timings = {"set_up": set_up - begin, "cohort": cohort - set_up, "shared_clock": clock() - cohort}

    def labels(self) -> dict[str, list[str]]:
        return {"municipality": self.mun_names, "segment": self.seg_names,
                "traject_type": self.type_names, "provider": self.prov_names}

    def clients_at_horizon(self) -> dict[str, set[int]]:
        """The ids of the clients in care, waiting (and not also in care), at the toegang, and in
        the voorliggend veld with a recidive still to come, at the horizon."""
        in_care = {v[0] for v in self.open_trajecten.values()}
        places = {"in_zorg": in_care, "wachtlijst": {v[0] for v in self.waiting.values()} - in_care,
                  "toegang": set(self.in_toegang), "voorliggend_veld_recidive": set(self.in_vv)}
        for place, ids in self.cohort.at_horizon.items():   # the cohort's clients are in none of the dicts
            for part in ids:
                places[place].update(part.tolist())
        return places

    def state_at_horizon(self) -> dict[str, int]:
        """The model's own count of clients per place at the horizon (checked against the log in tests).

        Every client in the log is in exactly one place: in care (any open traject), waiting (an
        open wait and no traject in care), at the toegang, in the voorliggend veld with a recidive
        still to come, in the voorliggend veld for good, or gone after uitval. The last two count
        clients who got there on or after day 0 (``metrics.client_places`` derives the same from the log).
        """
        counts = {place: len(ids) for place, ids in self.clients_at_horizon().items()}
        return counts | {"voorliggend_veld": self.left[0], "uitgestroomd": self.left[1]}
