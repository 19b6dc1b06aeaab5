"""Instroom per municipality x segment, its seasonality, stacking and the segment settings from the base scenario."""
from __future__ import annotations

from typing import Any

import numpy as np
from simulation._lazy import pandas as pd

from simulation.data.calibration.inputs import CalibrationInputs


def instroom_episodes(inputs: CalibrationInputs) -> pd.DataFrame:
    """New episodes: a client's new toewijzingen in one segment on one day, recidive left out.

    With recidive in the base scenario, a client seen with an afschaling earlier in the records
    returns: recidive, not instroom. Adds the column ``month`` of the toewijzing.
    """
    records, base = inputs.records, inputs.base
    episodes = inputs.new.drop_duplicates(["client_key", "segment", "toew"])
    if base is not None and any(s.recidive.probability > 0 for s in base.segments.values()):
        afg = records[records["outcome"] == "afschaling"].groupby("client_key")["stop"].min()
        first_stop = episodes["client_key"].map(afg)
        rec_seg = {s for s, v in base.segments.items() if v.recidive.probability > 0}
        is_recidive = (first_stop <= episodes["toew"]) & episodes["segment"].isin(rec_seg)
        n = int(is_recidive.sum())
        inputs.note(f"{n} new episodes are re-entries after an afschaling seen in the "
                    "records: counted as recidive (base scenario), not as instroom",
                    f"{n} nieuwe episodes zijn terugkeer na een afschaling die in de registraties staat: geteld als "
                    "recidive (basisscenario), niet als instroom")
        episodes = episodes[~is_recidive.to_numpy()]
    month = (pd.Timestamp(inputs.start) + pd.to_timedelta(episodes["toew"], unit="D")).dt.to_period("M")
    return episodes.assign(month=month)


def estimate_instroom(inputs: CalibrationInputs, segment: str, episodes: pd.DataFrame,
                      rows: list[dict]) -> dict[str, Any]:
    """``instroom`` of one segment: per_year per municipality, base_year, growth and (if any) seasonality."""
    start, end, years = inputs.start, inputs.end, inputs.years
    base_segment = inputs.base_segment(segment)
    voorliggend = base_segment.voorliggend_veld_share if base_segment else 0.0
    in_segment = episodes[episodes["segment"] == segment]
    per_year = {}
    for municipality in inputs.municipalities:
        n = int((in_segment["municipality"] == municipality).sum())
        per_year[municipality] = round(n / years / (1 - voorliggend), 2) if voorliggend < 1 else 0.0
        inputs.comments[("segments", segment, "instroom", "per_year", municipality)] = (
            f"{n} new episodes (toewijzing in {start}..{end}, not voortzetting/opschaling) / {years:.3g} yr"
            + (f" / (1 - voorliggend_veld_share {voorliggend:g} from the base scenario)" if voorliggend else ""))
        rows.append({"segment": segment, "municipality": municipality, "episodes": n,
                     "per_year": per_year[municipality]})
    instroom: dict[str, Any] = {"per_year": per_year, "base_year": start.year,
                                "growth": base_segment.instroom.growth if base_segment else 0.0}
    inputs.comments[("segments", segment, "instroom", "base_year")] = "first year of the study period"
    inputs.comments[("segments", segment, "instroom", "growth")] = (
        "from the base scenario" if base_segment else "not identifiable from one period; set to 0")
    if inputs.days >= 365 and len(in_segment):
        seasonality = _seasonality(inputs, segment, episodes)
        if seasonality is not None:
            instroom["seasonality"] = seasonality
    return instroom


PRIOR_EPISODES = 2.0   # pseudo-episodes at the flat rate added to each calendar month (shrinkage toward 1)
MIN_FACTOR = 0.001     # the smallest factor written (the scenario needs every factor > 0)


def seasonality_factors(counts, days) -> list[float]:
    """Monthly instroom factors (mean 1) from episodes and days observed per calendar month (12 of each).

    A month's raw rate ``n / d`` is shrunk toward the flat rate: ``(n + k) / (E + k)`` with ``E`` the
    episodes a flat year would give that month and ``k = PRIOR_EPISODES``. A month without episodes
    (one year of records, a small segment such as logeren) is then rare, not impossible: factor 0
    would forbid instroom in that month in every simulated year, and the scenario refuses it.

    >>> seasonality_factors([0] + [10] * 11, [31] * 12)[0] > 0
    True
    """
    counts, days = np.asarray(counts, dtype=float), np.asarray(days, dtype=float)
    expected = counts.sum() * days / days.sum()
    factors = (counts + PRIOR_EPISODES) / (expected + PRIOR_EPISODES)
    return np.maximum((factors / factors.mean()).round(3), MIN_FACTOR).tolist()


def _seasonality(inputs: CalibrationInputs, segment: str, episodes: pd.DataFrame):
    """Monthly factors over whole years, only when a chi-square test rejects a flat year (p < 0.01); else None."""
    from scipy import stats   # heavy: imported when calibrating, not by `python -m simulation --help`

    start, end = inputs.start, inputs.end
    months = pd.period_range(start, end, freq="M")
    counts = episodes[episodes["segment"] == segment].groupby("month").size().reindex(months, fill_value=0)
    month_days = np.array([(min(p.end_time.date(), end) - max(p.start_time.date(), start)).days + 1 for p in months])
    expected = counts.sum() * month_days / month_days.sum()
    chi2 = float(np.sum((counts.to_numpy() - expected) ** 2 / np.maximum(expected, 1e-9)))
    pval = float(stats.chi2.sf(chi2, len(months) - 1))
    by_calendar_month = pd.DataFrame({"m": [p.month for p in months], "n": counts.to_numpy(),
                                      "d": month_days}).groupby("m").sum()
    if pval < 0.01 and len(by_calendar_month) == 12:
        factors = seasonality_factors(by_calendar_month["n"].to_numpy(), by_calendar_month["d"].to_numpy())
        inputs.comments[("segments", segment, "instroom", "seasonality")] = (
            f"monthly episode rate / mean rate on {int(counts.sum())} episodes, each calendar month shrunk toward "
            f"the flat rate by {PRIOR_EPISODES:g} pseudo-episodes; chi-square vs a flat year p = {pval:.2g}")
        return factors
    inputs.note(f"segment {segment}: no seasonality (chi-square vs a flat year p = {pval:.2g} on "
                f"{int(counts.sum())} episodes)",
                f"segment {segment}: geen seizoenspatroon (chi-kwadraattoets tegen een vlak jaar p = "
                f"{pval:.2g} op {int(counts.sum())} episodes)".replace(".", ","))
    return None


def stacking_probability(inputs: CalibrationInputs, segment: str, episodes: pd.DataFrame) -> tuple[float, int]:
    """Share of the segment's new episodes with two toewijzingen on the same day, and the number of episodes."""
    in_segment = episodes[episodes["segment"] == segment]
    stacked = in_segment.merge(inputs.new[["client_key", "segment", "toew"]], on=["client_key", "segment", "toew"]) \
        .groupby(["client_key", "toew"]).size()
    n_episodes = len(in_segment)
    return (round(float((stacked >= 2).sum() / n_episodes), 4) if n_episodes else 0.0), n_episodes


def segment_settings(inputs: CalibrationInputs, segment: str, episodes: pd.DataFrame, domain: str,
                     rows: list[dict]) -> dict[str, Any]:
    """One segment of the scenario without its traject types: instroom, stacking and what the base scenario gives."""
    comments = inputs.comments
    base_segment = inputs.base_segment(segment)
    instroom = estimate_instroom(inputs, segment, episodes, rows)
    stacking, n_episodes = stacking_probability(inputs, segment, episodes)
    out: dict[str, Any] = {"domain": domain}
    if base_segment and base_segment.description:
        out["description"] = base_segment.description
    out["instroom"] = instroom
    out["voorliggend_veld_share"] = base_segment.voorliggend_veld_share if base_segment else 0.0
    comments[("segments", segment, "voorliggend_veld_share")] = (
        "from the base scenario; records do not show the voorliggend veld" if base_segment else
        "records do not show the voorliggend veld; set to 0")
    if base_segment:
        out["toegang_doorlooptijd"] = base_segment.toegang_doorlooptijd.model_dump(mode="json")
        comments[("segments", segment, "toegang_doorlooptijd")] = "from the base scenario (not in the records)"
    out["stacking_probability"] = stacking
    comments[("segments", segment, "stacking_probability")] = (f"share of {n_episodes} new episodes with two "
                                                               "toewijzingen on the same day")
    if base_segment and base_segment.max_wait_days is not None:
        out["max_wait_days"] = base_segment.max_wait_days
        comments[("segments", segment, "max_wait_days")] = "from the base scenario"
    if base_segment:
        out["recidive"] = base_segment.recidive.model_dump(mode="json")
        comments[("segments", segment, "recidive")] = "from the base scenario (delays run past one study period)"
    return out

