"""Tables from the event log alone: trajecten, waits for a plek, where every client is at the horizon.

One row per traject (``traject_table``), per wait (``waiting_table``) or per client
(``client_places``); the KPIs, payments and notebooks build on them. They use only the words of
the log, so they work on realised records written the same way.
"""
from __future__ import annotations

import numpy as np
from simulation._lazy import pandas as pd


def traject_table(events: pd.DataFrame) -> pd.DataFrame:
    """One row per traject in care during the horizon: start, stop, wait, reden.

    ``voortzetting`` marks a traject that continues the client's previous one without a new
    toewijzing; ``start_reden`` says how (verlenging or step_down), else None.

    Trajecten in care on the start date come from the ``beginstand`` rows (start
    before day 0). Every traject has a stop: open ones stop at the horizon with
    reden ``einde_horizon``.
    """
    keys = ["replication", "traject"]
    attrs = ["client", "municipality", "segment", "traject_type", "provider"]
    started = events[events["event"] == "start_zorg"]
    begin = events[(events["event"] == "beginstand") & (events["reden"] == "in_zorg")]
    starts = pd.concat([
        pd.DataFrame({**{k: started[k] for k in keys + attrs}, "start": started["day"],
                      "wacht_dagen": started["wacht_dagen"],
                      "voortzetting": started["reden"].notna().to_numpy(),
                      "start_reden": started["reden"].astype(object).to_numpy(), "beginstand": False}),
        pd.DataFrame({**{k: begin[k] for k in keys + attrs}, "start": begin["sinds_dag"],
                      "wacht_dagen": np.nan, "voortzetting": False, "start_reden": None, "beginstand": True}),
    ], ignore_index=True)
    stopped = events[events["event"] == "stop_zorg"]
    stops = pd.DataFrame({k: stopped[k] for k in keys} | {
        "stop": stopped["day"], "reden": stopped["reden"], "doorlooptijd": stopped["doorlooptijd"]})
    table = starts.merge(stops, on=keys, how="left", validate="one_to_one")
    if table["stop"].isna().any():
        missing = table.loc[table["stop"].isna(), "traject"].head(3).tolist()
        raise ValueError(f"event log has trajecten without stop_zorg (e.g. {missing}); is the log complete?")
    return table


def waiting_table(events: pd.DataFrame, trajecten: pd.DataFrame, horizon: float) -> pd.DataFrame:
    """One row per wait for a plek: from wachtlijst (or beginstand) to start_zorg or the horizon."""
    w = events[(events["event"] == "wachtlijst")
               | ((events["event"] == "beginstand") & (events["reden"] == "wachtlijst"))]
    since = np.where(w["event"] == "beginstand", w["sinds_dag"], w["day"])
    table = pd.DataFrame({k: w[k] for k in ("replication", "traject", "client", "municipality", "segment",
                                            "provider")} | {"since": since})
    starts = trajecten[["replication", "traject", "start"]]
    table = table.merge(starts, on=["replication", "traject"], how="left")
    table["until"] = table["start"].fillna(horizon)
    return table.drop(columns="start")


PLACES = ("in_zorg", "wachtlijst", "toegang", "voorliggend_veld", "uitgestroomd")


def client_places(events: pd.DataFrame) -> pd.DataFrame:
    """Where every client of the log is at its end (the horizon), from the log alone.

    One row per replication x client with ``plaats``, the first that applies of:
    - in_zorg: a traject still in care (stop_zorg with reden einde_horizon);
    - wachtlijst: a toewijzing or wait without start_zorg (a stacked traject may run meanwhile: in_zorg wins);
    - toegang: the last event is an aanmelding (new or after recidive) or a beginstand at the toegang;
    - voorliggend_veld: the last event sends the client there (from the toegang or by afschaling),
      whether or not a recidive will follow (the log cannot know);
    - uitgestroomd: the last event is a stop for uitval.
    A client whose last event fits none of these gets ``plaats`` NaN: the log is inconsistent.
    The model's own count is ``Model.state_at_horizon()`` (voorliggend_veld there is split into
    voorliggend_veld_recidive and voorliggend_veld).
    """
    keys = ["replication", "client"]
    event, reden = events["event"], events["reden"]
    begin = event == "beginstand"
    in_care = events.loc[(event == "stop_zorg") & (reden == "einde_horizon"), keys].drop_duplicates()
    assigned = events.loc[event.isin(["toewijzing", "wachtlijst"]) | (begin & (reden == "wachtlijst")),
                          keys + ["traject"]].drop_duplicates()
    started = events.loc[(event == "start_zorg") | (begin & (reden == "in_zorg")),
                         ["replication", "traject"]].drop_duplicates()
    open_waits = assigned.merge(started, on=["replication", "traject"], how="left", indicator=True)
    waiting = open_waits.loc[open_waits["_merge"] == "left_only", keys].drop_duplicates()

    ordered = events.sort_values(["replication", "day"], kind="stable")   # same day: order of the log
    last = ordered.groupby(keys, sort=True, observed=True).tail(1)
    e, r = last["event"].astype(str), last["reden"].astype(str)
    place = np.select(
        [e.isin(["aanmelding", "recidive"]) | ((e == "beginstand") & (r == "in_toegang")),
         (e == "voorliggend_veld") | ((e == "beginstand") & (r == "in_voorliggend_veld")),
         (e == "stop_zorg") & (r == "uitval")],
        ["toegang", "voorliggend_veld", "uitgestroomd"], default="")
    out = pd.DataFrame({"replication": last["replication"].to_numpy(), "client": last["client"].to_numpy(),
                        "plaats": place})
    idx = pd.MultiIndex.from_frame(out[keys])
    out.loc[idx.isin(pd.MultiIndex.from_frame(waiting)), "plaats"] = "wachtlijst"
    out.loc[idx.isin(pd.MultiIndex.from_frame(in_care)), "plaats"] = "in_zorg"
    out["plaats"] = pd.Categorical(out["plaats"].replace("", np.nan), categories=list(PLACES))
    return out.sort_values(keys, ignore_index=True)
