"""Clients who can never wait, simulated together in numpy arrays.

A client cannot be held up by anybody else when its municipality buys no plekken in any
segment the client can reach (its own, or one reached by opschaling) and no funding rule
gates admissions. Its whole life then follows from its own draws, so it needs no place on
the shared event queue. The cohort runs the lives of all such clients at once, in rounds:
an episode at a time (aanmelding, toegang, a chain of trajecten, voorliggend veld,
recidive), and within an episode a traject at a time. It uses the same draws, formulas and
rules (``rules.py``) as the SimPy processes in ``model.py``, so the event log holds the same rows as if
these clients had run there (tested in tests/functional/test_private_clocks.py).

An episode with two chains at once (stacking) is handed back to the engine, which runs the
client's generator code from that episode on, on a private clock (``private_clock.py``).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from simulation.core import events as ev
from simulation.core import rules
from simulation.core.compiled import NO, VectorTables
from simulation.core.draws import EPISODE_SLOTS, EPISODES, LANE_FIRST, LANE_SIZES, TRAJECT_SLOTS, ClientDraws
from simulation.core.ledger import Ledger


class Cohort:
    """The clients of one replication who can never wait; ``run()`` logs their lives.

    ``hand_over(client, municipality, segment, draws, stream, start, episode, next_traject)``
    runs a stacked episode and the rest of that client's life elsewhere (a private clock).
    """

    def __init__(self, tables: VectorTables, draws: ClientDraws, ledger: Ledger, horizon: float,
                 hand_over: Callable[..., None]):
        self.tables, self.source, self.ledger, self.horizon = tables, draws, ledger, horizon
        self.hand_over = hand_over
        self.parts: list[dict] = []            # clients as added: arrays per field
        self.chunks: list[np.ndarray] = []     # log rows, (n, 10) each, in causal order per client
        self.handover: list[tuple] = []        # (client row, episode start, episode) of stacked episodes
        # clients still in care, at the toegang or awaiting recidive at the horizon: arrays of ids
        self.at_horizon: dict[str, list[np.ndarray]] = {"in_zorg": [], "toegang": [], "voorliggend_veld_recidive": []}
        self.n_clients = 0

    def add(self, cid, mun, seg, draws, stream, start, initial=None, pending=None) -> None:
        """Clients of one stream: ids, first episode start, the per-client block of uniforms.

        ``initial`` = (type, provider, start day, remaining days) arrays for clients of the
        initial caseload, who start in care at ``start`` instead of at the toegang.
        ``pending``: for clients of the initial state in the voorliggend veld, the days they went
        there; they come back (recidive) at ``start`` and begin their episode 1 there.
        """
        n = len(cid)
        if n == 0:
            return
        part = {"cid": np.asarray(cid, dtype=np.int64), "mun": np.full(n, mun), "seg": np.full(n, seg),
                "draws": np.asarray(draws, dtype=float), "stream": [stream] * n,
                "t": np.broadcast_to(np.asarray(start, dtype=float), (n,)).copy()}
        if initial is not None:
            kind, provider, begun, remaining = initial
            part["initial"] = (np.asarray(kind), np.asarray(provider), np.asarray(begun, dtype=float),
                               np.asarray(remaining, dtype=float))
        if pending is not None:
            part["pending"] = np.asarray(pending, dtype=float)
        self.parts.append(part)
        self.n_clients += n

    # -- helpers --------------------------------------------------------------------------------
    def _emit(self, mask, day, event, k, tid, seg, kind, provider, reden, value) -> None:
        """Log one row per selected client (``mask`` over the arrays given; scalars broadcast)."""
        n = int(np.count_nonzero(mask))
        if n == 0:
            return
        rows = np.empty((n, len(ev.COLUMNS)))
        for col, x in enumerate((day, event, self.cid[k], tid, self.mun[k], seg, kind, provider, reden, value)):
            rows[:, col] = x[mask] if isinstance(x, np.ndarray) else x
        self.chunks.append(rows)

    def _draws(self, k: np.ndarray, first: int | None, key: str, p: int) -> np.ndarray:
        """(n, 5) uniforms: from the block at column ``first``, or from the per-client fallback stream."""
        if first is not None:
            return self.draws[k, first:first + 5]
        return np.array([self.source.fallback(self.fallback, self.stream[i], int(self.cid[i]), key, p)
                         for i in k.tolist()]).reshape(-1, 5)

    # -- the lives --------------------------------------------------------------------------------
    def run(self) -> None:
        """Simulate every client's life to the horizon; log rows and hand stacked episodes over."""
        if not self.parts:
            return
        self.cid = np.concatenate([p["cid"] for p in self.parts])
        self.mun = np.concatenate([p["mun"] for p in self.parts])
        self.seg = np.concatenate([p["seg"] for p in self.parts])
        self.draws = np.concatenate([p["draws"] for p in self.parts])
        self.stream = [s for p in self.parts for s in p["stream"]]
        t = np.concatenate([p["t"] for p in self.parts])
        n = len(self.cid)
        self.next_traject = np.zeros(n, dtype=np.int64)
        self.fallback: dict = {}
        # the initial caseload: its first episode starts in care
        is_initial = np.zeros(n, dtype=bool)
        ini_type, ini_prov = np.full(n, NO), np.full(n, NO)
        ini_start, ini_remaining = np.full(n, np.nan), np.full(n, np.nan)
        pending = np.full(n, np.nan)     # in the voorliggend veld on the warm-up start: since when
        offset = 0
        for p in self.parts:
            size = len(p["cid"])
            part = slice(offset, offset + size)
            if "initial" in p:
                is_initial[part] = True
                ini_type[part], ini_prov[part], ini_start[part], ini_remaining[part] = p["initial"]
            if "pending" in p:
                pending[part] = p["pending"]
            offset += size

        waiting = ~np.isnan(pending)
        k = np.flatnonzero(~waiting)
        t = t[~waiting] if waiting.any() else t
        back_at = self._pending(np.flatnonzero(waiting), pending, np.concatenate([p["t"] for p in self.parts]))
        episode = 0
        while k.size or episode == 0:
            if k.size:
                k, t = self._episode(k, t, episode, is_initial[k], ini_type[k], ini_prov[k],
                                     ini_start[k], ini_remaining[k])
            is_initial[:], ini_type[:], ini_prov[:] = False, NO, NO   # later episodes start at the toegang
            if episode == 0 and back_at[0].size:   # the voorliggend veld of the initial state comes back
                k, t = np.concatenate([k, back_at[0]]), np.concatenate([t, back_at[1]])
            episode += 1
        # the stacked episodes run on private clocks after every cohort row is in the log, so a
        # client's rows stay in causal order in the log
        for rows in self.chunks:
            self.ledger.rows.frombytes(rows.tobytes())
        self.chunks = []
        for row, start, ep in self.handover:
            self.hand_over(int(self.cid[row]), int(self.mun[row]), int(self.seg[row]),
                           self.draws[row], self.stream[row], start, ep, int(self.next_traject[row]))

    def _pending(self, k, since, back):
        """Clients of the initial state in the voorliggend veld: log their day-0 state and recidive;
        returns (clients, days) of those who come back before the horizon."""
        if not k.size:
            return k, np.zeros(0)
        seg, since, back = self.seg[k], since[k], back[k]
        self._emit((since < 0) & (back >= 0), 0.0, ev.BEGINSTAND, k, NO, seg, NO, NO, ev.IN_VOORLIGGEND_VELD, since)
        stays = back >= self.horizon
        self.at_horizon["voorliggend_veld_recidive"].append(self.cid[k[stays]])
        returns = ~stays
        self._emit(returns & (back >= 0), back, ev.RECIDIVE, k, NO, seg, NO, NO, NO, 0.0)
        return k[returns], back[returns]

    def _episode(self, k, t, episode, initial, ini_type, ini_prov, ini_start, ini_remaining):
        """One episode for clients ``k`` starting it at ``t``; returns those who come back and when."""
        tables, horizon, left = self.tables, self.horizon, self.ledger.left
        first = episode * EPISODE_SLOTS if episode < EPISODES else None
        draws = self._draws(k, first, f"episode {episode}", 0)
        seg = self.seg[k]
        fresh = ~initial
        vv = fresh & rules.to_voorliggend_veld_v(tables, seg, draws)
        stacked = fresh & ~vv & rules.stacked_v(tables, seg, draws)
        for row, start in zip(k[stacked].tolist(), t[stacked].tolist()):
            self.handover.append((row, start, episode))
        on = ~stacked
        logged = t >= 0
        self._emit(fresh & on & logged, t, ev.AANMELDING, k, NO, seg, NO, NO, NO, 0.0)
        self._emit(vv & logged, t, ev.VOORLIGGEND_VELD, k, NO, seg, NO, NO, ev.TOEGANG, 0.0)
        # toegang
        toegang_go = fresh & ~vv & ~stacked
        toegang = np.zeros(len(k))
        if toegang_go.any():
            toegang[toegang_go] = rules.toegang_days_v(tables, seg[toegang_go], draws[toegang_go])
        waited = toegang_go & (toegang > 0)
        t_care = np.where(waited, t + toegang, t)
        self._emit(waited & (t < 0) & (t_care >= 0), 0.0, ev.BEGINSTAND, k, NO, seg, NO, NO, ev.IN_TOEGANG, t)
        stuck = waited & (t_care >= horizon)
        self.at_horizon["toegang"].append(self.cid[k[stuck]])
        into_care = (toegang_go & ~stuck) | initial
        # the chain of trajecten
        ends = np.full(len(k), np.nan)
        outcome = np.full(len(k), NO)
        ended = np.zeros(len(k), dtype=bool)
        if into_care.any():
            sel = np.flatnonzero(into_care)
            done_at, done_outcome, done = self._chain(
                k[sel], t_care[sel], episode, initial[sel], ini_type[sel], ini_prov[sel],
                ini_start[sel], ini_remaining[sel])
            ends[sel] = done_at
            outcome[sel] = done_outcome
            ended[sel] = done
        # end of the episode: straight from the toegang to the voorliggend veld, or after the chain
        end = vv | ended
        te = np.where(vv, t, ends)
        seg = self.seg[k]   # the chain may have moved the client (opschaling)
        logged = end & (te >= 0)
        afschaling = end & (outcome == ev.AFSCHALING)
        self._emit(afschaling & logged, te, ev.VOORLIGGEND_VELD, k, NO, seg, NO, NO, ev.AFSCHALING, 0.0)
        leaves = ended & (outcome != ev.AFSCHALING)
        left[1] += int(np.count_nonzero(leaves & logged))
        may_return = end & ~leaves
        stays = may_return & rules.stays_v(tables, seg, draws)
        left[0] += int(np.count_nonzero(stays & logged))
        back = may_return & ~stays
        if not back.any():
            return k[:0], t[:0]
        delay = np.zeros(len(k))
        delay[back] = rules.recidive_delay_v(tables, seg[back], draws[back])
        t_back = te + delay
        self._emit(back & (te < 0) & (t_back >= 0), 0.0, ev.BEGINSTAND, k, NO, seg, NO, NO,
                   ev.IN_VOORLIGGEND_VELD, te)
        pending = back & (t_back >= horizon)
        self.at_horizon["voorliggend_veld_recidive"].append(self.cid[k[pending]])
        returns = back & ~pending
        self._emit(returns & (t_back >= 0), t_back, ev.RECIDIVE, k, NO, seg, NO, NO, NO, 0.0)
        return k[returns], t_back[returns]

    def _chain(self, k, t, episode, initial, kind, provider, ini_start, ini_remaining):
        """The main chain (lane 0) of an episode, a traject per round (as Model._chain).

        Returns per client: the day the chain ends, its final outcome, and whether it ended
        before the horizon (otherwise a traject is still open there). ``kind`` and ``provider``
        are NO where the traject's type and provider are still to be drawn.
        """
        tables, horizon = self.tables, self.horizon
        n_all = len(k)
        end_at, end_outcome, ended = np.full(n_all, np.nan), np.full(n_all, NO), np.zeros(n_all, dtype=bool)
        pos = np.arange(n_all)          # where each client still in the chain sits in the results
        reden = np.full(n_all, NO)      # NO for a new toewijzing, else the continuation's reden
        lane = (episode, 0)
        p = 0
        while k.size:
            first = LANE_FIRST[lane] + p * TRAJECT_SLOTS if p < LANE_SIZES.get(lane, 0) else None
            draws = self._draws(k, first, f"lane {episode} 0", p)
            j = self.next_traject[k]
            self.next_traject[k] = j + 1
            self.ledger.n_trajecten += len(k)
            tid = self.cid[k] * 1000 + j
            seg = self.seg[k]
            pick = kind == NO
            if pick.any():
                kind = kind.copy()
                kind[pick] = rules.traject_type_v(tables, seg[pick], draws[pick])
            if tables.has_shifts:   # a measure: ambulant instead of verblijf, for new toewijzingen
                seg, kind = rules.ambulant_shift_v(tables, seg, kind, t, draws, ~initial & (reden == NO))
                self.seg[k] = seg
            pick = provider == NO
            if pick.any():
                provider = provider.copy()
                provider[pick] = rules.provider_v(tables, self.mun[k][pick], seg[pick], draws[pick],
                                                     np.where(initial, -np.inf, t)[pick])
            logged = ~initial & (t >= 0)
            self._emit(logged, t, ev.TOEWIJZING, k, tid, seg, kind, provider, reden, 0.0)
            self._emit(logged, t, ev.START_ZORG, k, tid, seg, kind, provider, reden, 0.0)
            route = rules.outcome_v(tables, kind, draws)
            remaining = np.empty(len(k))
            drawn = ~initial
            if drawn.any():
                maatwerk = tables.maatwerk[provider[drawn], seg[drawn]]
                if tables.has_factors:   # the measures' doorlooptijd factors, by the traject's start day
                    maatwerk = maatwerk * rules.measure_factor_v(tables, kind[drawn], route[drawn], t[drawn])
                remaining[drawn] = rules.doorlooptijd_v(
                    tables, kind[drawn], (reden == ev.VERLENGING)[drawn], maatwerk, route[drawn], draws[drawn])
            remaining[initial] = ini_remaining[initial]
            start = np.where(initial, ini_start, t)
            stop = t + remaining
            self._emit((initial | (start < 0)) & (stop >= 0), 0.0, ev.BEGINSTAND, k, tid, seg, kind, provider,
                       ev.IN_ZORG, start)
            open_ = stop >= horizon
            self._emit(open_, horizon, ev.STOP_ZORG, k, tid, seg, kind, provider, ev.EINDE_HORIZON, horizon - start)
            self.at_horizon["in_zorg"].append(self.cid[k[open_]])
            closed = ~open_
            self._emit(closed & (stop >= 0), stop, ev.STOP_ZORG, k, tid, seg, kind, provider, route, stop - start)
            continues, moves_up, chain_outcome = rules.next_step_v(tables, kind, route, self.next_traject[k])
            continues &= closed
            moves_up &= closed
            route = np.where(closed, chain_outcome, route)
            finish = closed & ~continues & ~moves_up
            end_at[pos[finish]] = stop[finish]
            end_outcome[pos[finish]] = route[finish]
            ended[pos[finish]] = True
            # the next round: continuations at the same provider, opschaling to a new toewijzing
            nxt = continues | moves_up
            new_kind = np.where(moves_up, tables.ops_type[kind], rules.continuation_type_v(tables, kind, route))
            up = np.flatnonzero(moves_up)
            self.seg[k[up]] = tables.ops_seg[kind[up]]
            reden = np.where(moves_up, NO, route)[nxt]
            provider = np.where(moves_up, NO, provider)[nxt]
            kind = new_kind[nxt]
            k, t, pos = k[nxt], stop[nxt], pos[nxt]
            initial = np.zeros(len(k), dtype=bool)
            ini_start, ini_remaining = ini_start[nxt], ini_remaining[nxt]
            p += 1
        return end_at, end_outcome, ended
