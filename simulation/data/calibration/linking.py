"""Links between records: voortzetting (reason 37) and opschaling (36/39) successors, day numbers, outcomes."""
from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.data.records import REDEN_TO_MODEL


def prepare(records: pd.DataFrame) -> pd.DataFrame:
    """Records with day numbers (day 0 = first day of the study period) and the links between them.

    Adds: toew, start, stop (days; NaN when empty), outcome (model outcome of closed trajecten),
    voortzetting, opschaling_in (bool), target_segment/target_type (successor after opschaling or
    step-down), started, closed.
    """
    start, end = records.attrs["study_period"]
    p0 = pd.Timestamp(start)
    r = records.copy()
    r["toew"] = (r["datum_toewijzing"] - p0).dt.days.astype(float)
    r["start"] = (r["begindatum"] - p0).dt.days.astype(float)
    r["stop"] = (r["einddatum"] - p0).dt.days.astype(float)
    r["started"] = r["start"].notna()
    r["closed"] = r["stop"].notna()
    cls = [REDEN_TO_MODEL.get(d, {}).get(c) if isinstance(c, str) else None
           for d, c in zip(r["domain"], r["reden_beeindiging"])]
    r["outcome"] = pd.Series(cls, index=r.index, dtype=object)
    r["voortzetting"] = False
    r["opschaling_in"] = False
    r["target_segment"] = None
    r["target_type"] = None
    r["idx"] = np.arange(len(r))
    closed = r[r["closed"]]
    succ = r[["idx", "client_key", "municipality", "provider", "segment", "traject_type", "toew", "start"]]
    # voortzetting: same client, municipality, provider, segment; starts on the stop day, no wait
    pred = closed[closed["outcome"] == "voortzetting"][["idx", "client_key", "municipality", "provider", "segment",
                                                        "traject_type", "stop"]]
    m = pred.merge(succ, left_on=["client_key", "municipality", "provider", "segment", "stop"],
                   right_on=["client_key", "municipality", "provider", "segment", "toew"], suffixes=("_p", "_s"))
    m = m[m["start"] == m["toew"]].drop_duplicates("idx_p").drop_duplicates("idx_s")
    r.loc[m["idx_s"].to_numpy(), "voortzetting"] = True
    same = (m["traject_type_p"] == m["traject_type_s"]).to_numpy()
    r.loc[m["idx_p"].to_numpy(), "outcome"] = np.where(same, "verlenging", "step_down")
    r.loc[m["idx_p"].to_numpy()[~same], "target_type"] = m["traject_type_s"].to_numpy()[~same]
    # unmatched 37: the continuation is not in the records; counted as verlenging
    r.loc[r["outcome"] == "voortzetting", "outcome"] = "verlenging"
    # opschaling: same client, a new toewijzing (any segment) on the stop day
    pred = closed[closed["outcome"] == "opschaling"][["idx", "client_key", "stop"]]
    m = pred.merge(succ, left_on=["client_key", "stop"], right_on=["client_key", "toew"], suffixes=("_p", "_s"))
    m = m[~r.loc[m["idx_s"].to_numpy(), "voortzetting"].to_numpy()]
    m = m.drop_duplicates("idx_p").drop_duplicates("idx_s")
    r.loc[m["idx_s"].to_numpy(), "opschaling_in"] = True
    r.loc[m["idx_p"].to_numpy(), "target_segment"] = m["segment"].to_numpy()
    r.loc[m["idx_p"].to_numpy(), "target_type"] = m["traject_type"].to_numpy()
    return r
