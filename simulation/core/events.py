"""The event-log vocabulary: iJw-like words, one row per event.

The model appends plain tuples of integer codes; ``to_frame`` turns them into a
pandas DataFrame once, at the end of a replication.
"""
from __future__ import annotations

import numpy as np
from simulation._lazy import pandas as pd

from simulation.config.scenario import Outcomes

# event codes (order fixes the categorical codes in the output)
EVENTS = (
    "beginstand",       # state of a client or traject on the start date (warm-up discarded)
    "aanmelding",       # a client reports at the toegang (new or after recidive)
    "voorliggend_veld", # the client goes to community services (reden: toegang or afschaling)
    "toewijzing",       # beschikking: traject type and provider (reden: overstap after a long wait)
    "wachtlijst",       # all bought plekken are taken: the client waits (FIFO)
    "start_zorg",       # care starts (wacht_dagen: days since toewijzing)
    "stop_zorg",        # care stops (reden; doorlooptijd: days in care)
    "recidive",         # a client returns from the voorliggend veld
)
BEGINSTAND, AANMELDING, VOORLIGGEND_VELD, TOEWIJZING, WACHTLIJST, START_ZORG, STOP_ZORG, RECIDIVE = range(len(EVENTS))

REDENEN = (
    "afschaling", "step_down", "opschaling", "uitval", "verlenging", "einde_horizon",  # stop_zorg
    "toegang",                                                                         # voorliggend_veld
    "overstap",                                                                        # toewijzing
    "in_zorg", "wachtlijst", "in_toegang", "in_voorliggend_veld",                      # beginstand
    "budgetplafond",    # wachtlijst: the provider's ceiling is reached (funding.flow)
    "weigering",        # toewijzing: the first provider refused a heavy client (funding.flow)
    "extra_capaciteit", # toewijzing: no framework provider can deliver; capacity outside the raamovereenkomst
)
(AFSCHALING, STEP_DOWN, OPSCHALING, UITVAL, VERLENGING, EINDE_HORIZON, TOEGANG, OVERSTAP,
 IN_ZORG, IN_WACHTLIJST, IN_TOEGANG, IN_VOORLIGGEND_VELD, BUDGETPLAFOND, WEIGERING, EXTRA_CAPACITEIT) = range(len(REDENEN))
# The routes a traject can end by, in the order of the scenario's Outcomes fields (the one place
# that order is written): a traject's outcome is drawn from the cumulative shares in this order.
OUTCOMES = tuple(REDENEN.index(name) for name in Outcomes.model_fields)
NONE = -1

COLUMNS = ("day", "event", "client", "traject", "municipality", "segment", "traject_type",
           "provider", "reden", "value")


def to_frame(rows, replication: int, start_date, labels: dict[str, list[str]]) -> pd.DataFrame:
    """Build the event-log DataFrame from the model's rows (a flat float array or a list of tuples).

    ``labels`` maps municipality/segment/traject_type/provider to their names by code.
    The generic ``value`` is split into the column that names it per event.
    """
    arr = np.array(rows, dtype=np.float64).reshape(-1, len(COLUMNS))  # copies: the array may be reused
    # the cohort and the private clocks log whole lives ahead of the shared clock: order by day
    # (stable, so one client's same-day events keep the order in which they happened)
    arr = arr[np.argsort(arr[:, 0], kind="stable")]
    day = arr[:, 0]
    event = arr[:, 1].astype(np.int8)
    value = arr[:, 9]
    start = np.datetime64(start_date, "D")
    frame = pd.DataFrame({
        "replication": np.full(len(arr), replication, dtype=np.int32),
        "day": day,
        "date": (start + np.floor(day).astype("timedelta64[D]")).astype("datetime64[s]"),
        "event": pd.Categorical.from_codes(event, categories=list(EVENTS)),
        "client": arr[:, 2].astype(np.int64),
        "traject": arr[:, 3].astype(np.int64),
    })
    for col, idx in (("municipality", 4), ("segment", 5), ("traject_type", 6), ("provider", 7)):
        names, codes = labels[col], arr[:, idx].astype(np.int16)
        unique = list(dict.fromkeys(names))
        if len(unique) < len(names):
            # traject types are numbered per segment, but two segments may use the same name
            # (e.g. "licht"): one category per name; the segment column tells them apart
            remap = np.array([unique.index(n) for n in names] + [NONE], dtype=np.int16)
            codes = remap[codes]   # code -1 (none) picks the appended -1
        frame[col] = pd.Categorical.from_codes(codes, categories=unique)
    frame["reden"] = pd.Categorical.from_codes(arr[:, 8].astype(np.int8), categories=list(REDENEN))
    frame["wacht_dagen"] = np.where(event == START_ZORG, value, np.nan)
    frame["doorlooptijd"] = np.where(event == STOP_ZORG, value, np.nan)
    frame["sinds_dag"] = np.where(event == BEGINSTAND, value, np.nan)
    return frame
