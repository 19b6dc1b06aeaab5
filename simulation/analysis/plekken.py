"""Clients served by plekken: the one definition the KPIs, the payments' plek table and the notebooks use.

The clients a set of plekken served in a period (``clienten_equivalent``) is the sum, over the
care episodes in them, of the share of the episode's own doorlooptijd that falls in the period:

    clienten_equivalent[lo, hi) = sum over episodes e of |e & [lo, hi)| / |e|

An *episode* is one client's care at one provider in one segment and municipality: a traject and
the continuations (verlenging, step-down) that follow it at once, keeping the plek. A verlenging
is the same client staying longer, so it lowers the count (longer doorlooptijd, fewer clients),
it does not add one.

Why this definition (004 par. 8, the note's example of 3 plekken for a year at an agreed budget):
- it reproduces the note: 3 plekken always occupied by episodes of d days serve 3 x 365 / d
  clients in a year: 3 at d = 365, 3.5 when faster outflow lets the plekken be refilled
  (d = 312.9), 2.5 with longer lead times (d = 438); an empty plek-day serves nobody;
- an episode that starts and ends inside the horizon counts exactly once, split over the years (or
  quarters) it runs in, so the periods add up and an episode open at a year end is neither lost
  nor counted twice; the
  old identity "occupied plek-days / mean doorlooptijd of trajecten closed in the year" counted
  clients still in care as if they had left (two clients in care all year and one leaving
  mid-year gave 5.0);
- unique clients in the year is not it: it counts a client in care on 1 January for a few days as
  a whole client, so refilled plekken show 2 clients per plek where the note has 3.5 for 3.

Episodes still open at the horizon (last reden ``einde_horizon``): their doorlooptijd is not known
yet. The rule: such an episode lasts at least as long as it has so far, and at least the mean
doorlooptijd of the closed episodes of its pool (replication x municipality x segment x provider)
in the whole log; it counts the share of that doorlooptijd that falls in the period, the rest lies
past the horizon. With fixed doorlooptijden this is exact (a traject of 438 days started 300 days
before the horizon counts 65 / 438 in its first year, not 65 / 430); with spread doorlooptijden it
is a plain, log-only estimate of a censored length (a survival model would do better, but needs
more than the log of one pool). Years whose episodes all close before the horizon are exact;
run the horizon past the reported years to make every reported year so.
"""
from __future__ import annotations

import numpy as np
from simulation._lazy import pandas as pd

CONTINUED = ("verlenging", "step_down")     # stop redenen after which a continuation starts at once
POOL = ["replication", "client", "municipality", "segment", "provider"]


def episode_spans(trajecten: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per traject row: (start, stop) of the care episode it belongs to (see module docstring).

    A continuation (``voortzetting``) belongs to the episode of the traject of the same client at
    the same municipality, segment and provider that stopped for verlenging or step-down on the
    day it starts; one without such a predecessor in the table (e.g. its start lies before the
    log) opens its own episode.
    """
    n = len(trajecten)
    start = trajecten["start"].to_numpy(float)
    stop = trajecten["stop"].to_numpy(float)
    if n == 0:
        return start, stop
    rows = trajecten[POOL].copy()
    for col in POOL[2:]:
        rows[col] = rows[col].astype(str)
    rows["row"] = np.arange(n)
    continued = trajecten["reden"].astype(str).isin(CONTINUED).to_numpy()
    pred = rows[continued].assign(day=stop[continued])
    succ = rows[trajecten["voortzetting"].to_numpy(bool)].assign(day=start[trajecten["voortzetting"].to_numpy(bool)])
    link = succ.merge(pred, on=POOL + ["day"], suffixes=("", "_pred"))
    # two chains of one client at one provider continuing at the same instant: keep one link each
    link = link.drop_duplicates("row").drop_duplicates("row_pred")
    parent = np.arange(n)
    parent[link["row"].to_numpy()] = link["row_pred"].to_numpy()
    root = parent.copy()
    while True:                                  # pointer jumping: every row to its episode's first traject
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    last = np.full(n, -np.inf)
    np.maximum.at(last, root, stop)
    still_open = np.zeros(n, dtype=bool)
    np.logical_or.at(still_open, root, trajecten["reden"].astype(str).to_numpy() == "einde_horizon")
    first, length = start[root], last[root] - start[root]
    # an episode open at the horizon: at least the mean doorlooptijd of the closed episodes of its pool
    heads = root == np.arange(n)
    pool = rows[["replication"] + POOL[2:]].assign(length=length, open=still_open[root])
    closed_mean = (pool[heads & ~still_open[root]].groupby(["replication"] + POOL[2:])["length"].mean()
                   .rename("closed_mean"))
    expected = pool.merge(closed_mean, left_on=["replication"] + POOL[2:], right_index=True,
                          how="left")["closed_mean"].to_numpy(float)
    length = np.where(still_open[root] & (expected > length), expected, length)
    return first, first + length


def clienten_weights(trajecten: pd.DataFrame, lo, hi, spans=None) -> np.ndarray:
    """Per traject row: its days in [lo, hi) as a share of its episode's doorlooptijd.

    Summed over the trajecten of a group this is the group's ``clienten_equivalent`` in [lo, hi)
    (``lo``/``hi`` scalars or per-row arrays). An episode of zero days counts 1 in the period it
    lies in. ``spans``: ``episode_spans(trajecten)`` when already computed.
    """
    start = trajecten["start"].to_numpy(float)
    stop = trajecten["stop"].to_numpy(float)
    first, last = episode_spans(trajecten) if spans is None else spans
    return weights(start, stop, first, last, lo, hi)


def weights(start, stop, first, last, lo, hi) -> np.ndarray:
    """``clienten_weights`` on arrays: traject [start, stop) in episode [first, last), period [lo, hi)."""
    overlap = np.maximum(np.minimum(stop, hi) - np.maximum(start, lo), 0.0)
    length = last - first
    instant = (length <= 0) & (start >= lo) & (start < hi)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(length > 0, overlap / np.where(length > 0, length, 1.0), instant.astype(float))
