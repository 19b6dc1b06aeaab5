"""Per segment: the censored doorlooptijd fit, and per traject type its share, doorlooptijd and outcome shares."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from simulation._lazy import pandas as pd

from simulation.data.calibration.inputs import CalibrationInputs
from simulation.data.calibration.segment_fit import SegmentFit, fit_segment
from simulation.data.calibration.survival import FAMILIES, km_median

NON_UITVAL = ("afschaling", "step_down", "opschaling", "verlenging")


@dataclass
class TrajectTables:
    """Rows of the report's tables on trajecten, gathered over the segments."""

    durations: list[dict] = field(default_factory=list)
    aic: list[pd.DataFrame] = field(default_factory=list)
    km: list[dict] = field(default_factory=list)
    outcomes: list[dict] = field(default_factory=list)

    def to_report(self, report) -> None:
        report.durations = pd.DataFrame(self.durations)
        report.aic = pd.concat(self.aic, ignore_index=True)[["segment", "traject_type", "family", "loglik", "aic",
                                                             "delta_aic", "chosen"]] if self.aic else pd.DataFrame()
        report.km = pd.DataFrame(self.km)
        report.outcomes = pd.DataFrame(self.outcomes)


def round_shares(shares: dict[str, float], digits: int = 4) -> dict[str, float]:
    """Shares rounded to ``digits``, the biggest one absorbing the rounding so they sum to 1."""
    out = {k: round(v, digits) for k, v in shares.items()}
    biggest = max(out, key=out.get)
    out[biggest] = round(out[biggest] + 1.0 - sum(out.values()), digits)
    return out


def duration_data(inputs: CalibrationInputs) -> pd.DataFrame:
    """Started trajecten with d (duration or time in care so far), entry (left truncation) and status.

    status: 0 censored (open at the period end, or reason 38), 1 closed non-uitval, 2 closed uitval.
    """
    records = inputs.records
    started = records[records["started"]].copy()
    hi = float(inputs.days)
    started["d"] = np.where(started["closed"], np.maximum(started["stop"] - started["start"], 0.5),
                            hi - started["start"] - 0.5)
    started["entry"] = np.where(started["start"] < 0, -started["start"] - 0.5, 0.0)
    started["d"] = np.maximum(started["d"], started["entry"] + 0.5)
    started["status"] = np.where(~started["closed"] | (started["outcome"] == "overig"), 0,
                                 np.where(started["outcome"] == "uitval", 2, 1))
    n_overig = int((started["closed"] & (started["outcome"] == "overig")).sum())
    if n_overig:
        inputs.note(f"{n_overig} trajecten ended with reason 38 (overstap naar andere aanbieder): treated "
                    "as censored at their stop and left out of the outcome shares",
                    f"{n_overig} trajecten stopten met reden 38 (overstap naar andere aanbieder): gecensureerd bij "
                    "hun stop en niet meegeteld in de aandelen per uitkomst")
    return started


def traject_type_order(inputs: CalibrationInputs, segment: str) -> list[str]:
    records = inputs.records
    types = sorted(records.loc[records["segment"] == segment, "traject_type"].dropna().unique())
    base_segment = inputs.base_segment(segment)
    if base_segment:
        types = ([t for t in base_segment.traject_types if t in set(types)]
                 + [t for t in types if t not in base_segment.traject_types])
    return types


def estimate_traject_types(inputs: CalibrationInputs, segment: str, started: pd.DataFrame,
                           tables: TrajectTables) -> tuple[dict[str, Any], SegmentFit]:
    """The ``traject_types`` of one segment and its fit (whose maatwerk factors the providers need)."""
    comments = inputs.comments
    data = started[started["segment"] == segment]
    base_segment = inputs.base_segment(segment)
    types = traject_type_order(inputs, segment)
    fit = fit_segment(data, types)
    tables.aic.append(fit.aic_table.assign(segment=segment))
    type_counts = inputs.new[inputs.new["segment"] == segment]["traject_type"].value_counts()
    n_new = int(type_counts.sum())
    shares = round_shares({t: (type_counts.get(t, 0) / n_new if n_new else 1 / len(types)) for t in types})
    traject_types: dict[str, Any] = {}
    for traject_type in types:
        path = ("segments", segment, "traject_types", traject_type)
        in_type = data[data["traject_type"] == traject_type]
        base_type = base_segment.traject_types.get(traject_type) if base_segment else None
        spec: dict[str, Any] = {"share": shares[traject_type]}
        comments[path + ("share",)] = (
            f"{int(type_counts.get(traject_type, 0))} of {n_new} new trajecten (toewijzing in the period)")
        if base_type:
            spec["weight"] = base_type.weight
            comments[path + ("weight",)] = "from the base scenario"
        spec["planned_doorlooptijd"] = (base_type.planned_doorlooptijd if base_type
                                        else round(fit.mean[traject_type], 1))
        comments[path + ("planned_doorlooptijd",)] = (
            "from the base scenario (the tariff's basis)" if base_type else "fitted mean doorlooptijd (no base scenario)")
        spec["doorlooptijd"] = _doorlooptijd(inputs, segment, traject_type, fit, in_type, tables)
        spec.update(_outcomes(inputs, segment, traject_type, fit, in_type, base_type, types, tables))
        if base_type and base_type.verlenging_doorlooptijd is not None:
            spec["verlenging_doorlooptijd"] = base_type.verlenging_doorlooptijd.model_dump(mode="json")
        traject_types[traject_type] = spec
    return traject_types, fit


def _doorlooptijd(inputs: CalibrationInputs, segment: str, traject_type: str, fit: SegmentFit,
                  in_type: pd.DataFrame, tables: TrajectTables) -> dict[str, Any]:
    """The fitted doorlooptijd of one traject type, its comments and its rows in the duration and KM tables."""
    path = ("segments", segment, "traject_types", traject_type, "doorlooptijd")
    mean, cv, family = fit.mean[traject_type], fit.cv[traject_type], fit.families[traject_type]
    n_closed, n_open = int((in_type["status"] > 0).sum()), int((in_type["status"] == 0).sum())
    n_left = int((in_type["entry"] > 0).sum())
    how = (f"censored ML fit, {family} (simplest within 2 AIC of the best of {', '.join(FAMILIES)}), on "
           f"{len(in_type)} trajecten: {n_closed} closed, "
           f"{n_open} open at the period end (right-censored), {n_left} started before it (left-truncated); "
           f"uitval at a uniform fraction; time / provider maatwerk factor; KM distance "
           f"{fit.gof.get(traject_type, float('nan')):.3f}")
    dist = {"kind": family, "mean": round(mean, 2)} if family == "exponential" else \
        {"kind": family, "mean": round(mean, 2), "cv": round(cv, 4)}
    inputs.comments[path + ("kind",)] = how
    inputs.comments[path + ("mean",)] = f"days, at the reference provider {fit.reference} (maatwerk factor 1)"
    if family != "exponential":
        inputs.comments[path + ("cv",)] = "same fit"
    tables.durations.append({"segment": segment, "traject_type": traject_type, "family": family, "mean": mean,
                             "cv": cv, "uitval": fit.q[traject_type], "n": len(in_type), "closed": n_closed,
                             "open": n_open, "left_truncated": n_left,
                             "km_distance": fit.gof.get(traject_type, float("nan"))})
    for provider, grp in in_type.groupby("provider"):
        tables.km.append({"segment": segment, "traject_type": traject_type, "provider": provider, "n": len(grp),
                          "km_median": km_median(grp["d"], grp["status"] > 0, grp["entry"]),
                          "fitted_mean": mean * fit.factor.get(provider, 1.0)})
    return dist


def _outcomes(inputs: CalibrationInputs, segment: str, traject_type: str, fit: SegmentFit, in_type: pd.DataFrame,
              base_type, types: list[str], tables: TrajectTables) -> dict[str, Any]:
    """``outcomes`` of one traject type and, when they occur, ``step_down_to`` and ``opschaling_to``.

    Uitval comes from the censoring-aware fit; the other outcomes split the rest as their shares
    among closed non-uitval trajecten (the model draws them independently of the duration).
    """
    path = ("segments", segment, "traject_types", traject_type)
    q = fit.q[traject_type]
    closed_non_uitval = in_type[(in_type["status"] == 1)]
    counts = closed_non_uitval["outcome"].value_counts()
    n_non_uitval = int(counts.sum())
    raw = _raw_outcome_shares(q, counts, n_non_uitval, base_type)
    step_down_targets = closed_non_uitval.loc[closed_non_uitval["outcome"] == "step_down", "target_type"].dropna()
    opschaling_targets = closed_non_uitval[closed_non_uitval["outcome"] == "opschaling"][
        ["target_segment", "target_type"]].dropna()
    step_down_to = (step_down_targets.mode().iloc[0] if len(step_down_targets)
                    else (base_type.step_down_to if base_type else None))
    if len(opschaling_targets):
        most = opschaling_targets.value_counts().index[0]
        opschaling_to = {"segment": most[0], "traject_type": most[1]}
    else:
        opschaling_to = (base_type.opschaling_to.model_dump() if base_type and base_type.opschaling_to else None)
    if step_down_to is None or step_down_to not in types:
        raw["afschaling"] += raw.pop("step_down")
        raw["step_down"] = 0.0
        step_down_to = None
    if opschaling_to is None:
        raw["afschaling"] += raw.pop("opschaling")
        raw["opschaling"] = 0.0
    outcomes = round_shares({k: raw[k] for k in ("afschaling", "step_down", "opschaling", "uitval", "verlenging")})
    out: dict[str, Any] = {"outcomes": outcomes}
    for outcome in outcomes:
        inputs.comments[path + ("outcomes", outcome)] = (
            "censored ML fit with the doorlooptijd (open trajecten may still end in uitval)" if outcome == "uitval"
            else f"(1 - uitval) x share among {n_non_uitval} closed non-uitval trajecten "
                 f"({int(counts.get(outcome, 0))})")
    tables.outcomes.append({"segment": segment, "traject_type": traject_type, **outcomes,
                            "closed_non_uitval": n_non_uitval})
    if step_down_to and outcomes["step_down"] > 0:
        out["step_down_to"] = step_down_to
        inputs.comments[path + ("step_down_to",)] = f"most frequent lighter successor ({len(step_down_targets)})"
    if opschaling_to and outcomes["opschaling"] > 0:
        out["opschaling_to"] = opschaling_to
        inputs.comments[path + ("opschaling_to",)] = f"most frequent successor ({len(opschaling_targets)})"
    return out


def _raw_outcome_shares(q: float, counts: pd.Series, n_non_uitval: int, base_type) -> dict[str, float]:
    """Unrounded outcome shares: (1 - uitval) split as among closed non-uitval trajecten, else as in the base."""
    if n_non_uitval:
        raw = {o: (1 - q) * counts.get(o, 0) / n_non_uitval for o in NON_UITVAL}
    elif base_type:
        base_outcomes = base_type.outcomes.model_dump()
        rest = sum(v for k, v in base_outcomes.items() if k != "uitval")
        raw = {o: (1 - q) * base_outcomes[o] / rest if rest else 0.0 for o in NON_UITVAL}
    else:
        raw = {"afschaling": 1 - q, "step_down": 0.0, "opschaling": 0.0, "verlenging": 0.0}
    raw["uitval"] = q
    return raw


def drop_missing_opschaling_targets(segments: dict[str, dict]) -> None:
    """Opschaling targets must exist in the calibrated scenario; else that share goes to afschaling."""
    for seg in segments.values():
        for spec in seg["traject_types"].values():
            target = spec.get("opschaling_to")
            if target and (target["segment"] not in segments
                           or target["traject_type"] not in segments[target["segment"]]["traject_types"]):
                spec["outcomes"]["afschaling"] = round(spec["outcomes"]["afschaling"]
                                                       + spec["outcomes"]["opschaling"], 4)
                spec["outcomes"]["opschaling"] = 0.0
                del spec["opschaling_to"]
