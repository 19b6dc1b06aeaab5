"""The SimPy engine: one replication of clients through toegang, trajecten and plekken.

Time is in days; day 0 is the scenario's start date. The warm-up runs on negative days
and is not logged; on day 0 a ``beginstand`` row records every client or traject that is
in the system, so the log is self-contained.

A client's life (``_client``): aanmelding at the toegang; the voorliggend veld, or after
the toegang lead time a beschikking for one chain of trajecten (two with stacking); each
chain (``_chain``) is a toewijzing (traject type and provider, ``rules.py``), a wait for a
plek when the municipality buys plekken there (``_wait_for_plek``), care for the
doorlooptijd, then verlenging, step-down, opschaling, uitval or afschaling; after
afschaling a possible recidive starts a new episode.

Clients who can meet a plek (or a funding rule) run as SimPy processes on the shared
clock. Clients who never can are simulated together in numpy by ``cohort.Cohort``, with
the same rules, so they log the same rows; ``Model(..., private_clocks=False)`` runs
everybody on the shared clock instead (the tests compare the two).

Hot-path rule: per event only plain Python (tuple appends, dict updates, scalar
inverse-CDF transforms); the DataFrame is built once at the end.
"""
from __future__ import annotations

import gc
from array import array
from time import process_time

import numpy as np

from simulation.config.scenario import Scenario
from simulation.core import events as ev
from simulation.core import rules
from simulation.core.calendar import Calendar
from simulation.core.cohort import Cohort
from simulation.core.compiled import CompiledScenario
from simulation.core.draws import Client, ClientDraws
from simulation.core.hooks import EngineView, FlowHookFactory
from simulation.core.instroom import arrival_times
from simulation.core.ledger import Ledger
from simulation.core.pools import PlekPool, Sites, bought_pools, yearly_capacity
from simulation.core.private_clock import PrivateClock
from simulation.core.simpy_internals import URGENT, At, Environment, StartedProcess
from simulation.core.snapshot import beginstand_of_client, beginstand_shared, clients_at_horizon, state_at_horizon
from simulation.core.entry import place_initial_caseload, schedule_arrivals
from simulation.core.steady_state import IN_ZORG, TOEGANG, VOORLIGGEND_VELD

# the compiled tables the engine exposes under their own names
_TABLE_NAMES = ("mun_names", "seg_names", "prov_names", "type_names", "types", "seg_types", "seg_type_cum",
                "seg_vv", "seg_toegang", "seg_stacking", "seg_max_wait", "seg_recidive", "choice", "maatwerk")


class Model:
    """One replication of a scenario. ``run()`` returns the event-log rows and a state summary."""

    def __init__(self, scenario: Scenario, seed: int, replication: int = 0, private_clocks: bool = True,
                 flow: FlowHookFactory | None = None):
        self.sc, self.seed, self.replication = scenario, seed, replication
        self.warmup_days = float(scenario.warmup.days)
        self.horizon = float(scenario.horizon_days)
        self.calendar = Calendar.of(scenario)
        self.env = Environment(initial_time=-self.warmup_days)
        self.tables = CompiledScenario(scenario)
        for name in _TABLE_NAMES:
            setattr(self, name, getattr(self.tables, name))
        self.ledger = Ledger()
        self.rows, self.log, self.left = self.ledger.rows, self.ledger.log, self.ledger.left
        self.draws = ClientDraws(seed, replication)
        self.open_trajecten: dict[int, tuple] = {}   # traject -> (client, mun, seg, type, prov, start)
        self.waiting: dict[int, tuple] = {}          # traject -> (client, mun, seg, type, prov, since)
        self.in_toegang: dict[int, tuple] = {}       # client -> (mun, seg, since)
        self.in_vv: dict[int, tuple] = {}            # client -> (mun, seg, since), recidive pending
        self.n_clients = 0
        self.pools = bought_pools(scenario, self.mun_names, self.seg_names, self.prov_names, self.env,
                                  self.calendar.year_of(-self.warmup_days))
        # funding's effects on the flow (core/hooks.py); None: no contract acts on the flow
        view = EngineView(self.sc, self.calendar, self.horizon, self.warmup_days, seed, replication, self.env, self.log,
                          self.waiting, self.mun_names, self.prov_names, self.seg_names, self.types, self.type_names,
                          self.pools, self.choice)
        self.flow = flow(view) if flow is not None else None
        self.gated_keys = self.flow.gated_keys if self.flow is not None and self.flow.gated else frozenset()
        self.sites = Sites(self.pools, self.maatwerk, self.gated_keys,
                           self.flow.acting_keys if self.flow is not None else frozenset())
        # A client who can never wait (see cohort.py) is simulated off the shared event queue.
        # private_ok[municipality][segment]: true for clients who start in that segment there.
        self.private_ok = [[private_clocks and self._never_waits(mi, si) for si in range(len(self.seg_names))]
                           for mi in range(len(self.mun_names))]
        # built after the flow hook, which may change the provider choice
        self.cohort = Cohort(self.tables.arrays(), self.draws, self.ledger, self.horizon, self.run_private_from)
        self.private_clients: set[int] = set()   # clients of the cohort handed to a private clock

    @property
    def n_trajecten(self) -> int:
        return self.ledger.n_trajecten

    # -- set-up -------------------------------------------------------------------------------
    def _never_waits(self, municipality: int, segment: int) -> bool:
        """True when a client who starts in ``segment`` can meet no plek and no funding rule.

        It can reach its own segment and, by opschaling, the target segments of its trajecten
        (recidive returns to the segment the client is in). The municipality must buy no
        plekken and hold no funding contract that acts on the flow in any of them: a contract's flow
        rules (plafond, refusal, extra capacity, doorlooptijd factor) act only on its own municipality
        x segment, and a contract that only pays (pxq, traject, population ...) changes nothing.
        """
        reach = self.tables.reach(segment)
        ruled = list(self.pools) + (list(self.flow.acting_keys) if self.flow is not None else [])
        return not any(key[0] == municipality and key[2] in reach for key in ruled)

    # -- instroom -----------------------------------------------------------------------------
    def arrival_times(self, municipality: int, segment: int) -> np.ndarray:
        """Poisson instroom of one municipality and segment, by index (see instroom.arrival_times)."""
        return arrival_times(self.sc, self.calendar, self.seed, self.replication, self.mun_names[municipality],
                             self.seg_names[segment], -self.warmup_days, self.horizon)

    # -- clients ------------------------------------------------------------------------------
    def _start(self, cid: int, mi: int, si: int, draws, stream: tuple, initial=None, first: int = 0) -> None:
        """Start a client's process now on the shared clock (its draws: ``draws[first:first + BLOCK]``)."""
        StartedProcess(self.env, self._client(Client(cid, mi, si, draws, stream, self.env, first), initial))

    def run_private_from(self, cid: int, municipality: int, segment: int, draws, stream: tuple,
                         start: float, episode: int, next_traject: int) -> None:
        """Run a cohort client's life from the start of ``episode`` (at day ``start``) on a private clock.

        The cohort hands over episodes with two chains at once (stacking); the generator code
        below runs them, with the same ordering rules as simpy (time, then creation order).
        The day-0 snapshot is this clock's job only if the episode starts before day 0.
        """
        clock = PrivateClock(start)
        client = Client(cid, municipality, segment, draws, stream, clock)
        client.episode, client.next_traject = episode, next_traject
        self.private_clients.add(cid)
        on_day_zero = (lambda: beginstand_of_client(self, client)) if start < 0 else None
        clock.run(self._client(client), self.horizon, on_day_zero)

    def _client(self, c: Client, initial: tuple | None = None):
        """A client's life: aanmelding, toegang, trajecten, voorliggend veld, possible recidive.

        ``initial`` = (place, segment, type, provider, since, remaining days) for a client of the initial
        state (steady_state.initial_caseload): in care, on a wachtlijst, in the voorliggend veld waiting to
        come back or at the toegang. Short names in this hot path: c client, si segment, ti type, pi provider.
        """
        env, log, tables = c.env, self.log, self.tables
        if initial is not None and initial[0] == VOORLIGGEND_VELD:   # waiting to come back (recidive)
            since, remaining = initial[4], initial[5]
            initial = None
            self.in_vv[c.id] = (c.mun, c.seg, since)
            yield remaining   # a delay: see simpy_internals.StartedProcess
            del self.in_vv[c.id]
            c.episode += 1
            if env.now >= 0:
                log((env.now, ev.RECIDIVE, c.id, -1, c.mun, c.seg, -1, -1, -1, 0.0))
        while True:
            episode = self.draws.episode(c)
            if initial is not None and initial[0] == TOEGANG:
                # at the toegang since ``since``: its aanmelding and voorliggend veld are behind it
                si, since = c.seg, initial[4]
                initial = None
                toegang = rules.toegang_days(tables, si, episode) - (env.now - since)
                self.in_toegang[c.id] = (c.mun, si, since)
                yield max(toegang, 0.0)
                del self.in_toegang[c.id]
                if rules.stacked(tables, si, episode):
                    stacked = env.chain_process(self._chain(c, si, (c.episode, 1)))
                    outcome = yield from self._chain(c, si, (c.episode, 0))
                    if not stacked.triggered:
                        outcome = yield stacked
                else:
                    outcome = yield from self._chain(c, si, (c.episode, 0))
            elif initial is not None:
                place, si, ti, pi, since, remaining = initial
                initial = None
                if place == IN_ZORG:
                    outcome = yield from self._chain(c, si, (c.episode, 0), ti, pi, (since, remaining))
                else:   # on a wachtlijst since ``since``
                    outcome = yield from self._chain(c, si, (c.episode, 0), ti, pi, waiting_since=since)
            else:
                si, now = c.seg, env.now
                if now >= 0:
                    log((now, ev.AANMELDING, c.id, -1, c.mun, si, -1, -1, -1, 0.0))
                if rules.to_voorliggend_veld(tables, si, episode):
                    if now >= 0:
                        log((now, ev.VOORLIGGEND_VELD, c.id, -1, c.mun, si, -1, -1, ev.TOEGANG, 0.0))
                    outcome = None
                else:
                    toegang = rules.toegang_days(tables, si, episode)
                    if toegang > 0:
                        self.in_toegang[c.id] = (c.mun, si, now)
                        yield toegang
                        del self.in_toegang[c.id]
                    if rules.stacked(tables, si, episode):
                        stacked = env.chain_process(self._chain(c, si, (c.episode, 1)))
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
            delay = rules.recidive_delay(tables, c.seg, episode)
            if delay is None:
                if now >= 0:
                    self.left[0] += 1
                return
            self.in_vv[c.id] = (c.mun, c.seg, now)
            yield delay
            del self.in_vv[c.id]
            c.episode += 1
            if env.now >= 0:
                log((env.now, ev.RECIDIVE, c.id, -1, c.mun, c.seg, -1, -1, -1, 0.0))

    def _provider_with_room(self, mi: int, si: int, current: int):
        for provider in self.tables.choice_at(mi, si, self.env.now)[0]:
            if provider == current:
                continue
            pool = self.pools.get((mi, provider, si))
            if pool is None or pool.free:
                return provider
        return None

    def _wait_for_plek(self, c: Client, pool: PlekPool, request, tid: int, si: int, ti: int, pi: int, logged: bool,
                       since: float | None = None):
        """Wait FIFO for a plek (``request``: the pool's event); after max_wait_days move to a provider
        with room. Returns (provider, pool).

        ``since``: the day the wait began, for a client of the initial state already waiting."""
        env, log = self.env, self.log
        since = env.now if since is None else since
        self.waiting[tid] = (c.id, c.mun, si, ti, pi, since)
        if logged and env.now >= 0:
            log((env.now, ev.WACHTLIJST, c.id, tid, c.mun, si, ti, pi, -1, 0.0))
        max_wait = self.seg_max_wait[si]
        if max_wait is not None:
            yield request | env.timeout(max(max_wait - (env.now - since), 0.0))
            if not request.triggered:
                alternative = self._provider_with_room(c.mun, si, pi)
                if alternative is not None:
                    pool.cancel(request)
                    pi, pool, request = alternative, self.pools.get((c.mun, alternative, si)), None
                    if env.now >= 0:
                        log((env.now, ev.TOEWIJZING, c.id, tid, c.mun, si, ti, pi, ev.OVERSTAP, 0.0))
                    if pool is not None:
                        request = pool.request()  # free by construction: granted at once
        if request is not None:
            yield request
        del self.waiting[tid]
        return pi, pool

    def _chain(self, c: Client, si: int, lane: tuple[int, int], ti: int | None = None, pi: int | None = None,
               initial: tuple[float, float] | None = None, p: int = 0, waiting_since: float | None = None):
        """One toewijzing and what follows it in the same segment; returns the final outcome code.

        Long because it is the hot path of a traject, kept in one frame for speed. Verlenging and
        step-down start a new traject at once at the same provider, keeping the plek; opschaling
        releases the plek and starts a new toewijzing in the target segment. ``lane`` and ``p``:
        where the trajecten of this chain take their draws (see draws.LANE_SIZES). ``initial`` =
        (start day, remaining days) places a traject of the initial caseload; ``waiting_since``
        a client of the initial state on the wachtlijst since that day. Short names: si
        segment, ti traject type, pi provider, u the traject's uniforms (hot loop).
        """
        env, log, tables, ledger, sites = c.env, self.log, self.tables, self.ledger, self.sites
        j = c.next_traject
        c.next_traject += 1
        ledger.n_trajecten += 1
        u = self.draws.traject(c, lane, p)
        now = env.now
        si, ti, pi = rules.toewijzing(tables, c.mun, si, ti, pi, now if initial is None else None, u)
        c.seg = si
        mi, cid = c.mun, c.id
        tid = cid * 1000 + j
        fresh = initial is None and waiting_since is None
        assigned = now if waiting_since is None else waiting_since
        if fresh and assigned >= 0:
            log((assigned, ev.TOEWIJZING, cid, tid, mi, si, ti, pi, -1, 0.0))
        pool, gated, maatwerk, flow_acts = sites[(mi, pi, si)]
        if fresh and gated:   # budgetplafond, weigering, extra capacity
            pi = yield from self.flow.admit(c, tid, si, ti, pi, f"{lane[0]} {lane[1]} {p}")
            pool, gated, maatwerk, flow_acts = sites[(mi, pi, si)]
        if pool is not None:
            request = pool.request()
            if request is not None:   # all plekken taken: wait (a generator only then)
                pi, pool = yield from self._wait_for_plek(c, pool, request, tid, si, ti, pi, logged=fresh,
                                                          since=waiting_since)
                _, gated, maatwerk, flow_acts = sites[(mi, pi, si)]
        now = env.now
        if initial is not None and now == assigned:
            start, remaining = initial   # in care since before the warm-up
        else:
            start, remaining = now, None
            if now >= 0:
                log((now, ev.START_ZORG, cid, tid, mi, si, ti, pi, -1, now - assigned))
        if flow_acts:   # funding behaviour: doorlooptijd factor of the contract
            maatwerk *= self.flow.duration_factor(mi, pi, si, now)
        types, has_factors, open_trajecten = tables.types, tables.has_factors, self.open_trajecten
        sample = types[ti].sample
        while True:
            kind = types[ti]
            outcome = rules.outcome(kind, u)
            if remaining is None:   # with the measures' doorlooptijd factors, by the traject's start day
                factor = maatwerk * rules.measure_factor(tables, ti, outcome, start) if has_factors else maatwerk
                remaining = rules.doorlooptijd(sample, factor, outcome, u)
            open_trajecten[tid] = (cid, mi, si, ti, pi, start)
            yield remaining
            del open_trajecten[tid]
            now = env.now
            if now >= 0:
                log((now, ev.STOP_ZORG, cid, tid, mi, si, ti, pi, outcome, now - start))
            step, outcome = rules.next_step(kind, outcome, c.next_traject)
            if step != rules.CONTINUE:
                break
            j = c.next_traject
            c.next_traject += 1
            ledger.n_trajecten += 1
            p += 1
            u = self.draws.traject(c, lane, p)
            ti, sample = rules.continuation(tables, ti, outcome)
            tid = cid * 1000 + j
            start, remaining = now, None
            if gated:   # a continuation counts against a budgetplafond
                self.flow.count_continuation(mi, pi, si, ti, now)
            if now >= 0:  # reden marks a continuation: the client keeps the plek, no new instroom
                log((now, ev.TOEWIJZING, cid, tid, mi, si, ti, pi, outcome, 0.0))
                log((now, ev.START_ZORG, cid, tid, mi, si, ti, pi, outcome, 0.0))
        if pool is not None:
            pool.release()
        if step == rules.MOVE_UP:
            target_seg, target_type = tables.types[ti].opschaling_to
            outcome = yield from self._chain(c, target_seg, lane, target_type, p=p + 1)
        return outcome

    # -- the run ------------------------------------------------------------------------------
    def run(self) -> array:
        """Simulate warm-up and horizon; returns the event log as a flat array of 10 floats per event."""
        # The model's objects form no reference cycles (gc.collect() after a run finds none),
        # so the cyclic collector's passes over the growing heap of clients only cost time.
        gc_enabled = gc.isenabled()
        gc.disable()
        try:
            self._simulate()
            # What is still pending at the horizon is never run: drop it now, while the cyclic
            # collector is off, so its processes, generators and clients are freed by reference
            # counting instead of being traversed by the next collections.
            self.env._queue.clear()
        finally:
            if gc_enabled:
                gc.enable()
        return self.rows

    def _simulate(self) -> None:
        env, clock = self.env, process_time
        begin = clock()
        if self.sc.warmup.initial_caseload:
            place_initial_caseload(self)
        # after the initial caseload has taken its plekken, before anything else happens on day 0
        At(env, self.warmup_days, URGENT).callbacks.append(lambda _event: beginstand_shared(self))
        if self.pools:
            env.process(yearly_capacity(env, self.pools, self.sc, self.calendar,
                                        (self.mun_names, self.prov_names, self.seg_names),
                                        self.calendar.year_of(-self.warmup_days), self.horizon))
        if self.flow is not None:
            self.flow.start()
        for mi in range(len(self.mun_names)):
            for si in range(len(self.seg_names)):
                schedule_arrivals(self, mi, si)
        set_up = clock()
        self.cohort.run()
        cohort = clock()
        env.run_until(self.horizon)
        log = self.log
        for tid, (cid, mi, si, ti, pi, start) in self.open_trajecten.items():
            log((self.horizon, ev.STOP_ZORG, cid, tid, mi, si, ti, pi, ev.EINDE_HORIZON, self.horizon - start))
        # CPU seconds per phase, for benchmarks/bench_core.py
        self.timings = {"set_up": set_up - begin, "cohort": cohort - set_up, "shared_clock": clock() - cohort}

    # -- results ------------------------------------------------------------------------------
    def labels(self) -> dict[str, list[str]]:
        return {"municipality": self.mun_names, "segment": self.seg_names,
                "traject_type": self.type_names, "provider": self.prov_names}

    def clients_at_horizon(self) -> dict[str, set[int]]:
        """The ids of the clients per place at the horizon (see snapshot.clients_at_horizon)."""
        return clients_at_horizon(self)

    def state_at_horizon(self) -> dict[str, int]:
        """The model's own count of clients per place at the horizon (see snapshot.state_at_horizon)."""
        return state_at_horizon(self)
