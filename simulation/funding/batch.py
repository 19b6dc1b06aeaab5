"""Many phases of one rule in one pass (``Variant.pay_many``, issue 16): their trajecten stacked once, each
phase valued by the same numpy core as ``pay`` (``valuation.realisation_parts``), and one frame per kind of
row for all phases instead of a few small frames per phase.

The bits are those of ``pay``: every sum that ``pay`` makes per (replication, ...) of a phase is made here
per (phase, replication, ...) by ``grouped.sum_by`` with the phase as the leading key, over the same rows
in the same order; every frame keeps ``pay``'s row order within a phase and carries the column ``phase``
(the phase's position in the batch), by which ``payments.pay_phases`` puts the phases back in order.
"""
from __future__ import annotations

import numpy as np
from simulation._lazy import pandas as pd

from simulation.funding.grouped import sum_by_part
from simulation.funding.rows import KINDS
from simulation.funding.valuation import Columns, realisation_parts
from simulation.funding.variant import Money, Variant, variants


class Batch:
    """The phases of one rule with their trajecten stacked phase after phase (``Columns``)."""

    def __init__(self, phases):
        self.phases = list(phases)
        self.cal = self.phases[0].cal
        if any(p.cal is not self.cal for p in self.phases):
            raise ValueError("a batch of phases needs one calendar")
        source = self.phases[0].source
        if source is not None and all(p.source is source and p.rows is not None for p in self.phases):
            sizes = [len(p.rows) for p in self.phases]
            table = source.iloc[np.concatenate([p.rows for p in self.phases])] if self.phases else source.iloc[:0]
        else:
            sizes = [len(p.trajecten) for p in self.phases]
            table = pd.concat([p.trajecten for p in self.phases], ignore_index=True)
        self.table = table
        self.bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self._cols = None
        self.contract = np.array([p.index for p in self.phases], np.int64)
        self.mode = np.array([variants().index(p.mode) for p in self.phases], np.int64)

    def __len__(self) -> int:
        return len(self.phases)

    def columns(self, n: int) -> Columns:
        """The trajecten of phase ``n`` as numpy columns."""
        if self._cols is None:
            self._cols = Columns.of(self.table)
        return self._cols.part(int(self.bounds[n]), int(self.bounds[n + 1]))

    def realised(self, pricing_of, members=None) -> pd.DataFrame:
        """``realisation_rows`` of each phase (of ``members``, default all) under ``pricing_of(phase)``, in one
        frame: phase, replication, k, amount, units, ordered by (phase, replication, k)."""
        members = range(len(self)) if members is None else members
        parts = []
        for n in members:
            p = self.phases[n]
            parts.append((n, realisation_parts(self.columns(n), pricing_of(p), p.lo, p.hi, self.cal, p.scenario,
                                               p.contract.segment, p.intensity)))
        return sum_by_part(stack(parts, ["replication", "k", "amount", "units"]), ["phase", "replication", "k"],
                      ["amount", "units"])

    def rows(self, phase, replication, k, amount, kind: str, where=-1) -> pd.DataFrame:
        """Coded payment rows (``rows.payment_frame``) of many phases, with the column phase."""
        phase, k = np.asarray(phase, np.int64), np.asarray(k, dtype=int)
        return pd.DataFrame({"replication": np.asarray(replication), "contract": self.contract[phase],
                             "where": (np.full(len(phase), where, np.int64) if np.ndim(where) == 0
                                       else np.asarray(where, np.int64)),
                             "mode": self.mode[phase], "year": self.cal.year[k], "month": self.cal.month[k],
                             "kind": np.full(len(phase), KINDS.index(kind), np.int64),
                             "amount": np.asarray(amount, float), "phase": phase})

    def grid(self, columns=("year",), members=None) -> pd.DataFrame:
        """Per phase (of ``members``) its replications x its years (``rows.per_rep`` of ``phase.years``)."""
        members = range(len(self)) if members is None else members
        parts = []
        for n in members:
            p, reps = self.phases[n], np.asarray(self.phases[n].reps)
            y = p.years
            parts.append((n, (np.repeat(reps, len(y)), *(np.tile(y[c].to_numpy(), len(reps)) for c in columns))))
        return stack(parts, ["replication", *columns])

    def finals(self, amounts: pd.DataFrame, members=None) -> pd.DataFrame:
        """``rows.finals_frame`` of many phases: ``amounts`` (phase, replication, year, amount), 0 where absent."""
        y = self.grid(members=members)
        found = y.merge(amounts[["phase", "replication", "year", "amount"]], on=["phase", "replication", "year"],
                        how="left")["amount"].to_numpy(float, copy=True)
        found[np.isnan(found)] = 0.0
        return self.final_rows(y, found)

    def final_rows(self, y: pd.DataFrame, final) -> pd.DataFrame:
        """Final amounts (replication, contract, year, final, phase) for the grid ``y``."""
        phase = y["phase"].to_numpy(np.int64)
        return pd.DataFrame({"replication": y["replication"].to_numpy(), "contract": self.contract[phase],
                             "year": y["year"].to_numpy(), "final": np.asarray(final, float), "phase": phase})


def stack(parts, names) -> pd.DataFrame:
    """(n, arrays) per phase n as one frame: the column phase, then ``names``."""
    if not parts:
        return pd.DataFrame({"phase": np.zeros(0, np.int64), **{c: np.zeros(0) for c in names}})
    size = [len(arrays[0]) for _, arrays in parts]
    out = {"phase": np.repeat(np.array([n for n, _ in parts], np.int64), size)}
    for j, c in enumerate(names):
        out[c] = np.concatenate([arrays[j] for _, arrays in parts])
    return pd.DataFrame(out)


def split_pay(rules, phases, special, batched) -> Money:
    """Phases for which ``special(phase)`` holds paid by ``rules.pay`` one by one (the default ``pay_many``),
    the others by ``batched(list of phases)``; phase positions as in ``phases``."""
    from_batch = [n for n, p in enumerate(phases) if not special(p)]
    alone = [n for n, p in enumerate(phases) if special(p)]
    money = Money()
    for members, pay in ((from_batch, batched), (alone, lambda ps: Variant.pay_many(rules, ps))):
        if not members:
            continue
        part, seq = pay([phases[n] for n in members]), np.asarray(members, np.int64)
        for mine, theirs in ((money.rows, part.rows), (money.finals, part.finals), (money.plekken, part.plekken)):
            mine += [f.assign(phase=seq[f["phase"].to_numpy(np.int64)]) for f in theirs]
    return money
