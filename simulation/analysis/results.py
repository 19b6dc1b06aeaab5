"""Results of trajecten from the log alone: was the goal reached, and did the client stay out of care?

One function marks the result of every traject (``mark_results``); resultaatbekostiging
(funding/variants/resultaat.py), the outcome reward add-on (funding/addons.py) and Zwolle's outcome
KPIs (analysis/kpi_registry.py) all use it, so "a result" means the same thing everywhere.

A traject reaches its result when it ends by afschaling (to the voorliggend veld; with
``step_down=True`` also by step-down to lighter care) and the client does not return within
``follow_up_days`` (365 by default) of the stop. A return (``client_returns``) is a new traject of
the same client that is not a continuation (verlenging, step-down), or, when the events are given,
an aanmelding or recidive of that client, on or after the stop. The result of each traject is one of

- ``bereikt``: a result, and the whole follow-up lies inside the horizon without a return;
- ``recidive``: the traject ended as a result would, but the client returned within the follow-up
  (``terug_dag`` is the day of the first return);
- ``onbekend``: it ended as a result would, no return so far, but the follow-up runs past the
  horizon: the log cannot tell yet;
- ``uitval``: the traject stopped by uitval (never a result);
- ``open``: still in care at the horizon (reden einde_horizon);
- ``geen``: any other end (opschaling, verlenging; step-down unless ``step_down``).
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from simulation._lazy import pandas as pd

RESULTS = ("bereikt", "recidive", "onbekend", "uitval", "open", "geen")
FOLLOW_UP_DAYS = 365.0


def client_returns(trajecten: pd.DataFrame, events: Optional[pd.DataFrame] = None) -> pd.DataFrame:
    """The days a client (re)enters help: starts of new trajecten (not continuations, not beginstand)
    and, from ``events`` if given, aanmelding and recidive. Columns replication, client, day."""
    new = trajecten[~trajecten["voortzetting"].to_numpy(bool) & ~trajecten["beginstand"].to_numpy(bool)]
    parts = [pd.DataFrame({"replication": new["replication"].to_numpy(np.int64),
                           "client": new["client"].to_numpy(np.int64), "day": new["start"].to_numpy(float)})]
    if events is not None:
        e = events[events["event"].isin(["aanmelding", "recidive"])]
        parts.append(pd.DataFrame({"replication": e["replication"].to_numpy(np.int64),
                                   "client": e["client"].to_numpy(np.int64), "day": e["day"].to_numpy(float)}))
    return pd.concat(parts, ignore_index=True)


def first_return(trajecten: pd.DataFrame, returns: pd.DataFrame) -> np.ndarray:
    """Per traject (in the order of ``trajecten``): the day of the client's first return on or after
    its stop, NaN when there is none in the log."""
    out = np.full(len(trajecten), np.nan)
    if not len(trajecten) or not len(returns):
        return out
    left = pd.DataFrame({"replication": trajecten["replication"].to_numpy(np.int64),
                         "client": trajecten["client"].to_numpy(np.int64),
                         "stop": trajecten["stop"].to_numpy(float), "pos": np.arange(len(trajecten))})
    right = returns.drop_duplicates().sort_values("day", kind="stable")
    hit = pd.merge_asof(left.sort_values("stop", kind="stable"), right, left_on="stop", right_on="day",
                        by=["replication", "client"], direction="forward", allow_exact_matches=True)
    out[hit["pos"].to_numpy()] = hit["day"].to_numpy(float)
    return out


def mark_results(trajecten: pd.DataFrame, horizon: float, follow_up_days: float = FOLLOW_UP_DAYS,
                 step_down: bool = False, returns: Optional[pd.DataFrame] = None) -> pd.DataFrame:
    """The result of every traject (index of ``trajecten``): columns ``resultaat`` (one of ``RESULTS``),
    ``terug_dag`` (first return within the follow-up, on or after the stop; NaN if none) and ``bekend_dag`` (stop +
    follow-up: the day the result is known). ``returns`` default: ``client_returns(trajecten)``
    (pass the whole traject table, or ``client_returns(trajecten, events)``, so that a return to
    another provider or segment counts)."""
    if returns is None:
        returns = client_returns(trajecten)
    reden = trajecten["reden"].astype(str).to_numpy()
    stop = trajecten["stop"].to_numpy(float)
    back = first_return(trajecten, returns)
    candidate = (reden == "afschaling") | ((reden == "step_down") & step_down)
    returned = back - stop <= follow_up_days     # NaN compares False
    known = stop + follow_up_days <= horizon
    result = np.select(
        [reden == "einde_horizon", reden == "uitval", candidate & returned, candidate & known, candidate],
        ["open", "uitval", "recidive", "bereikt", "onbekend"], default="geen")
    return pd.DataFrame({"resultaat": pd.Categorical(result, categories=list(RESULTS)),
                         "terug_dag": np.where(returned, back, np.nan), "bekend_dag": stop + follow_up_days},
                        index=trajecten.index)
