"""Links between records: voortzetting (reason 37) and opschaling (36/39) successors, day numbers, outcomes."""
from __future__ import annotations

import numpy as np
from simulation._lazy import pandas as pd

from simulation.data.records import REDEN_TO_MODEL


def prepare(records: pd.DataFrame) -> pd.DataFrame:
    """Records with day numbers (day 0 = first day of the study period) and the links between them.

    Adds: toew, start, stop (days; NaN when empty), outcome (model outcome of closed trajecten),
    voortzetting, opschaling_in (bool), target_segment/target_type (successor after opschaling or
    step-down), started, closed.
    """
    start, end = records.attrs["study_period"]
    day0 = pd.Timestamp(start)
    linked = records.copy()
    linked["toew"] = (linked["datum_toewijzing"] - day0).dt.days.astype(float)
    linked["start"] = (linked["begindatum"] - day0).dt.days.astype(float)
    linked["stop"] = (linked["einddatum"] - day0).dt.days.astype(float)
    linked["started"] = linked["start"].notna()
    linked["closed"] = linked["stop"].notna()
    outcomes = [REDEN_TO_MODEL.get(d, {}).get(c) if isinstance(c, str) else None
           for d, c in zip(linked["domain"], linked["reden_beeindiging"])]
    linked["outcome"] = pd.Series(outcomes, index=linked.index, dtype=object)
    linked["voortzetting"] = False
    linked["opschaling_in"] = False
    linked["target_segment"] = None
    linked["target_type"] = None
    linked["idx"] = np.arange(len(linked))
    closed = linked[linked["closed"]]
    successors = linked[["idx", "client_key", "municipality", "provider", "segment", "traject_type", "toew", "start"]]
    # voortzetting: same client, municipality, provider, segment; starts on the stop day, no wait
    same_place = ["client_key", "municipality", "provider", "segment"]
    predecessors = closed[closed["outcome"] == "voortzetting"][["idx", *same_place, "traject_type", "stop"]]
    matches = predecessors.merge(successors, left_on=[*same_place, "stop"],
                                 right_on=[*same_place, "toew"], suffixes=("_p", "_s"))
    matches = matches[matches["start"] == matches["toew"]].drop_duplicates("idx_p").drop_duplicates("idx_s")
    linked.loc[matches["idx_s"].to_numpy(), "voortzetting"] = True
    same = (matches["traject_type_p"] == matches["traject_type_s"]).to_numpy()
    linked.loc[matches["idx_p"].to_numpy(), "outcome"] = np.where(same, "verlenging", "step_down")
    linked.loc[matches["idx_p"].to_numpy()[~same], "target_type"] = matches["traject_type_s"].to_numpy()[~same]
    # unmatched 37: the continuation is not in the records; counted as verlenging
    linked.loc[linked["outcome"] == "voortzetting", "outcome"] = "verlenging"
    # opschaling: same client, a new toewijzing (any segment) on the stop day
    predecessors = closed[closed["outcome"] == "opschaling"][["idx", "client_key", "stop"]]
    matches = predecessors.merge(successors, left_on=["client_key", "stop"], right_on=["client_key", "toew"],
                                 suffixes=("_p", "_s"))
    matches = matches[~linked.loc[matches["idx_s"].to_numpy(), "voortzetting"].to_numpy()]
    matches = matches.drop_duplicates("idx_p").drop_duplicates("idx_s")
    linked.loc[matches["idx_s"].to_numpy(), "opschaling_in"] = True
    linked.loc[matches["idx_p"].to_numpy(), "target_segment"] = matches["segment"].to_numpy()
    linked.loc[matches["idx_p"].to_numpy(), "target_type"] = matches["traject_type"].to_numpy()
    return linked
