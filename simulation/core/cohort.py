"""Clients who can never wait, simulated together in numpy arrays.

A client cannot be held up by anybody else when its municipality buys no plekken in any
segment the client can reach (its own, or one reached by opschaling) and no funding rule
gates admissions. Its whole life then follows from its own draws, so it needs no place on
the shared event queue. The cohort runs the lives of all such clients at once, in rounds:
an episode at a time (aanmelding, toegang, a chain of trajecten, voorliggend veld,
recidive), and within an episode a traject at a time. It uses the same draws, formulas and
rules as the SimPy processes in ``model.py``, so the event log holds the same rows as if
these clients had run there (tested in tests/test_private_clocks.py).

An episode with two chains at once (stacking) is handed to a private clock in ``model.py``,
which runs the client's generator code from that episode on.
"""
from __future__ import annotations

import numpy as np

from simulation.core import events as ev
from simulation.core.draws import EPISODE_SLOTS, EPISODES, LANE_FIRST, LANE_SIZES, MAX_TRAJECTEN, TRAJECT_SLOTS

NO = -1


class Cohort:
    """The clients of one replication who can never wait; ``run()`` logs their lives."""

    def __init__(self, model):
        self.m = model
        self.parts: list[dict] = []            # clients as added: arrays per field
        self.chunks: list[np.ndarray] = []     # log rows, (n, 10) each, in causal order per client
        self.handover: list[tuple] = []        # (client row, episode start, episode) of stacked episodes
        # clients still in care, at the toegang or awaiting recidive at the horizon: arrays of ids
        self.at_horizon: dict[str, list[np.ndarray]] = {"in_zorg": [], "toegang": [], "voorliggend_veld_recidive": []}
        self.n_clients = 0
        self._tables()

    # -- set-up ---------------------------------------------------------------------------------
    def _tables(self) -> None:
        """The model's per-segment, per-type and per-provider facts as arrays (vector lookups)."""
        m = self.m
        n_seg, n_mun, n_prov = len(m.seg_names), len(m.mun_names), len(m.prov_names)
        self.vv_share = np.array(m.seg_vv, dtype=float)
        self.stacking = np.array(m.seg_stacking, dtype=float)
        self.recidive_p = np.array([p for p, _ in m.seg_recidive], dtype=float)
        width = max(len(c) for c in m.seg_type_cum)
        self.type_cum = np.full((n_seg, width), np.inf)
        self.type_of = np.zeros((n_seg, width), dtype=np.int64)
        self.n_types = np.array([len(c) for c in m.seg_type_cum])
        for si, (cum, types) in enumerate(zip(m.seg_type_cum, m.seg_types)):
            self.type_cum[si, :len(cum)] = cum
            self.type_of[si, :len(types)] = types
        self.type_total = self.type_cum[np.arange(n_seg), self.n_types - 1]
        self.outcome_cum = np.array([t.outcome_cum for t in m.types], dtype=float)
        self.step_down_to = np.array([NO if t.step_down_to is None else t.step_down_to for t in m.types])
        self.ops_seg = np.array([NO if t.opschaling_to is None else t.opschaling_to[0] for t in m.types])
        self.ops_type = np.array([NO if t.opschaling_to is None else t.opschaling_to[1] for t in m.types])
        width = max(len(provs) for provs, _ in m.choice.values())
        self.prov_cum = np.full((n_mun, n_seg, width), np.inf)
        self.prov_of = np.zeros((n_mun, n_seg, width), dtype=np.int64)
        self.n_provs = np.ones((n_mun, n_seg), dtype=np.int64)
        for (mi, si), (provs, cum) in m.choice.items():
            self.prov_cum[mi, si, :len(cum)] = cum
            self.prov_of[mi, si, :len(provs)] = provs
            self.n_provs[mi, si] = len(provs)   # at least one: the scenario checks it
        # doorlooptijd samplers by type, then the same types' verlenging samplers
        self.samplers = [t.sample for t in m.types] + [t.sample_verlenging for t in m.types]
        self.maatwerk = np.full((n_prov, n_seg), np.nan)
        for (pi, si), factor in m.maatwerk.items():
            self.maatwerk[pi, si] = factor

    def add(self, cid, mun, seg, draws, stream, start, initial=None) -> None:
        """Clients of one stream: ids, first episode start, the per-client block of uniforms.

        ``initial`` = (type, provider, start day, remaining days) arrays for clients of the
        initial caseload, who start in care at ``start`` instead of at the toegang.
        """
        n = len(cid)
        if n == 0:
            return
        part = {"cid": np.asarray(cid, dtype=np.int64), "mun": np.full(n, mun), "seg": np.full(n, seg),
                "draws": np.asarray(draws, dtype=float), "stream": [stream] * n,
                "t": np.broadcast_to(np.asarray(start, dtype=float), (n,)).copy()}
        if initial is not None:
            ti, pi, begun, remaining = initial
            part["initial"] = (np.asarray(ti), np.asarray(pi), np.asarray(begun, dtype=float),
                               np.asarray(remaining, dtype=float))
        self.parts.append(part)
        self.n_clients += n

    # -- helpers --------------------------------------------------------------------------------
    def _emit(self, mask, day, event, k, tid, seg, ti, pi, reden, value) -> None:
        """Log one row per selected client (``mask`` over the arrays given; scalars broadcast)."""
        n = int(np.count_nonzero(mask))
        if n == 0:
            return
        rows = np.empty((n, len(ev.COLUMNS)))
        for col, x in enumerate((day, event, self.cid[k], tid, self.mun[k], seg, ti, pi, reden, value)):
            rows[:, col] = x[mask] if isinstance(x, np.ndarray) else x
        self.chunks.append(rows)

    def _draws(self, k: np.ndarray, first: int | None, key: str, p: int) -> np.ndarray:
        """(n, 5) uniforms: from the block at column ``first``, or from the per-client fallback stream."""
        if first is not None:
            return self.draws[k, first:first + 5]
        return np.array([self.m.fallback_draws(self.fallback, self.stream[i], int(self.cid[i]), key, p)
                         for i in k.tolist()]).reshape(-1, 5)

    @staticmethod
    def _map(samplers, key: np.ndarray, u: np.ndarray) -> np.ndarray:
        """samplers[key](u) per element, by the model's own scalar functions (the same floats)."""
        out = np.empty(len(u))
        for value in np.unique(key).tolist():
            sel = key == value
            out[sel] = list(map(samplers[value], u[sel].tolist()))
        return out

    # -- the lives --------------------------------------------------------------------------------
    def run(self) -> None:
        """Simulate every client's life to the horizon; log rows and hand stacked episodes over."""
        if not self.parts:
            return
        m = self.m
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
        offset = 0
        for p in self.parts:
            size = len(p["cid"])
            if "initial" in p:
                sl = slice(offset, offset + size)
                is_initial[sl] = True
                ini_type[sl], ini_prov[sl], ini_start[sl], ini_remaining[sl] = p["initial"]
            offset += size

        k = np.arange(n)
        episode = 0
        while k.size:
            k, t = self._episode(k, t, episode, is_initial[k], ini_type[k], ini_prov[k],
                                 ini_start[k], ini_remaining[k])
            is_initial[:], ini_type[:], ini_prov[:] = False, NO, NO   # later episodes start at the toegang
            episode += 1
        # the stacked episodes run on private clocks after every cohort row is in the log, so a
        # client's rows stay in causal order in the log
        for rows in self.chunks:
            m.rows.frombytes(rows.tobytes())
        self.chunks = []
        for row, start, ep in self.handover:
            m.run_private_from(int(self.cid[row]), int(self.mun[row]), int(self.seg[row]),
                               self.draws[row].tolist(), self.stream[row], start, ep,
                               int(self.next_traject[row]))

    def _episode(self, k, t, episode, initial, ini_type, ini_prov, ini_start, ini_remaining):
        """One episode for clients ``k`` starting it at ``t``; returns those who come back and when."""
        m, horizon = self.m, self.m.horizon
        first = episode * EPISODE_SLOTS if episode < EPISODES else None
        u = self._draws(k, first, f"episode {episode}", 0)
        seg = self.seg[k]
        fresh = ~initial
        vv = fresh & (u[:, 0] < self.vv_share[seg])
        stacked = fresh & ~vv & (u[:, 2] < self.stacking[seg])
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
            toegang[toegang_go] = self._map(m.seg_toegang, seg[toegang_go], u[toegang_go, 1])
        waited = toegang_go & (toegang > 0)
        t_care = np.where(waited, t + toegang, t)
        self._emit(waited & (t < 0) & (t_care >= 0), 0.0, ev.BEGINSTAND, k, NO, seg, NO, NO, ev.IN_TOEGANG, t)
        stuck = waited & (t_care >= horizon)
        self.at_horizon["toegang"].append(self.cid[k[stuck]])
        into_care = (toegang_go & ~stuck) | initial
        # the chain of trajecten
        ends = np.full(len(k), np.nan)
        outcome = np.full(len(k), NO)
        if into_care.any():
            sel = np.flatnonzero(into_care)
            done_at, done_outcome, done = self._chain(
                k[sel], t_care[sel], episode, initial[sel], ini_type[sel], ini_prov[sel],
                ini_start[sel], ini_remaining[sel])
            ends[sel] = done_at
            outcome[sel] = done_outcome
            ended = np.zeros(len(k), dtype=bool)
            ended[sel] = done
        else:
            ended = np.zeros(len(k), dtype=bool)
        # end of the episode: straight from the toegang to the voorliggend veld, or after the chain
        end = vv | ended
        te = np.where(vv, t, ends)
        seg = self.seg[k]   # the chain may have moved the client (opschaling)
        logged = end & (te >= 0)
        afschaling = end & (outcome == ev.AFSCHALING)
        self._emit(afschaling & logged, te, ev.VOORLIGGEND_VELD, k, NO, seg, NO, NO, ev.AFSCHALING, 0.0)
        leaves = ended & (outcome != ev.AFSCHALING)
        m.left[1] += int(np.count_nonzero(leaves & logged))
        may_return = end & ~leaves
        p = self.recidive_p[seg]
        stays = may_return & ((p == 0) | (u[:, 3] >= p))
        m.left[0] += int(np.count_nonzero(stays & logged))
        back = may_return & ~stays
        if not back.any():
            return k[:0], t[:0]
        delay = np.zeros(len(k))
        delay[back] = self._map([d for _, d in m.seg_recidive], seg[back], u[back, 4])
        t_back = te + delay
        self._emit(back & (te < 0) & (t_back >= 0), 0.0, ev.BEGINSTAND, k, NO, seg, NO, NO,
                   ev.IN_VOORLIGGEND_VELD, te)
        pending = back & (t_back >= horizon)
        self.at_horizon["voorliggend_veld_recidive"].append(self.cid[k[pending]])
        returns = back & ~pending
        self._emit(returns & (t_back >= 0), t_back, ev.RECIDIVE, k, NO, seg, NO, NO, NO, 0.0)
        return k[returns], t_back[returns]

    def _chain(self, k, t, episode, initial, ti, pi, ini_start, ini_remaining):
        """The main chain (lane 0) of an episode, a traject per round (as Model._chain).

        Returns per client: the day the chain ends, its final outcome, and whether it ended
        before the horizon (otherwise a traject is still open there).
        """
        m, horizon, types = self.m, self.m.horizon, self.m.types
        n_all = len(k)
        end_at, end_outcome, ended = np.full(n_all, np.nan), np.full(n_all, NO), np.zeros(n_all, dtype=bool)
        pos = np.arange(n_all)          # where each client still in the chain sits in the results
        reden = np.full(n_all, NO)      # NO for a new toewijzing, else the continuation's reden
        lane = (episode, 0)
        p = 0
        while k.size:
            first = LANE_FIRST[lane] + p * TRAJECT_SLOTS if p < LANE_SIZES.get(lane, 0) else None
            u = self._draws(k, first, f"lane {episode} 0", p)
            j = self.next_traject[k]
            self.next_traject[k] = j + 1
            m.n_trajecten += len(k)
            tid = self.cid[k] * 1000 + j
            seg = self.seg[k]
            mun = self.mun[k]
            pick = ti == NO
            if pick.any():
                s = seg[pick]
                x = u[pick, 0] * self.type_total[s]
                idx = np.minimum((self.type_cum[s] <= x[:, None]).sum(1), self.n_types[s] - 1)
                ti = ti.copy()
                ti[pick] = self.type_of[s, idx]
            pick = pi == NO
            if pick.any():
                mm, s = mun[pick], seg[pick]
                idx = np.minimum((self.prov_cum[mm, s] <= u[pick, 1][:, None]).sum(1), self.n_provs[mm, s] - 1)
                pi = pi.copy()
                pi[pick] = self.prov_of[mm, s, idx]
            logged = ~initial & (t >= 0)
            self._emit(logged, t, ev.TOEWIJZING, k, tid, seg, ti, pi, reden, 0.0)
            self._emit(logged, t, ev.START_ZORG, k, tid, seg, ti, pi, reden, 0.0)
            cum = self.outcome_cum[ti]
            outcome = np.minimum((cum <= (u[:, 3] * cum[:, 4])[:, None]).sum(1), 4)
            verlenging = reden == ev.VERLENGING
            remaining = np.empty(len(k))
            drawn = ~initial
            if drawn.any():
                which = np.where(verlenging, ti + len(types), ti)[drawn]
                remaining[drawn] = self._map(self.samplers, which, u[drawn, 2]) * self.maatwerk[pi[drawn], seg[drawn]]
                uitval = drawn & (outcome == ev.UITVAL)
                remaining[uitval] *= u[uitval, 4]
            remaining[initial] = ini_remaining[initial]
            start = np.where(initial, ini_start, t)
            stop = t + remaining
            self._emit((initial | (start < 0)) & (stop >= 0), 0.0, ev.BEGINSTAND, k, tid, seg, ti, pi,
                       ev.IN_ZORG, start)
            open_ = stop >= horizon
            self._emit(open_, horizon, ev.STOP_ZORG, k, tid, seg, ti, pi, ev.EINDE_HORIZON, horizon - start)
            self.at_horizon["in_zorg"].append(self.cid[k[open_]])
            closed = ~open_
            self._emit(closed & (stop >= 0), stop, ev.STOP_ZORG, k, tid, seg, ti, pi, outcome, stop - start)
            step_to = self.step_down_to[ti]
            goes_on = closed & ((outcome == ev.VERLENGING) | ((outcome == ev.STEP_DOWN) & (step_to != NO)))
            moves_up = closed & (outcome == ev.OPSCHALING)
            maxed = (goes_on | moves_up) & (self.next_traject[k] >= MAX_TRAJECTEN)
            outcome = np.where(maxed, ev.AFSCHALING, outcome)
            goes_on &= ~maxed
            moves_up &= ~maxed
            finish = closed & ~goes_on & ~moves_up
            end_at[pos[finish]] = stop[finish]
            end_outcome[pos[finish]] = outcome[finish]
            ended[pos[finish]] = True
            # the next round: continuations at the same provider, opschaling to a new toewijzing
            nxt = goes_on | moves_up
            new_ti = np.where(moves_up, self.ops_type[ti], np.where(outcome == ev.STEP_DOWN, step_to, ti))
            up = np.flatnonzero(moves_up)
            self.seg[k[up]] = self.ops_seg[ti[up]]
            reden = np.where(moves_up, NO, outcome)[nxt]
            pi = np.where(moves_up, NO, pi)[nxt]
            ti = new_ti[nxt]
            k, t, pos = k[nxt], stop[nxt], pos[nxt]
            initial = np.zeros(len(k), dtype=bool)
            ini_start, ini_remaining = ini_start[nxt], ini_remaining[nxt]
            p += 1
        return end_at, end_outcome, ended
