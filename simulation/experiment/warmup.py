"""Welch's method run on a scenario: replications from an empty system, and from the initial caseload.

The figure, the moving average and the suggested warm-up are in ``simulation.analysis.warmup``.
"""
from __future__ import annotations

from typing import Any, Optional, Union

from simulation._lazy import pandas as pd

from simulation.analysis.warmup import WelchResult, daily_caseload, suggest_warmup, welch_moving_average
from simulation.config.scenario import Scenario, load_scenario, scenario_from_dict
from simulation.experiment.runner import run_replications


def _events(scenario: Scenario, seed: int, replications: int, workers: int) -> pd.DataFrame:
    frames = [frame for frame, _ in run_replications(scenario, seed, replications, workers)]
    return pd.concat(frames, ignore_index=True)


def welch(scenario: Union[Scenario, str, dict], seed: int = 1, replications: int = 5, window: int = 30,
          horizon_years: Optional[int] = None, overrides: Optional[dict[str, Any]] = None, workers: int = 1,
          tolerance: float = 0.05, compare_initial_caseload: bool = True) -> WelchResult:
    """Run ``replications`` replications from an empty system and return Welch's moving average.

    With ``compare_initial_caseload`` the same replications are also run from the model's
    equilibrium initial caseload (no warm-up), column ``welch_beginstand``: when that curve
    is flat from day 0, a short warm-up suffices.
    """
    if isinstance(scenario, Scenario):
        raw, source = scenario.model_dump(mode="json"), scenario.name
    elif isinstance(scenario, dict):
        raw, source = scenario, "<dict>"
    else:
        raw, source = load_scenario(scenario).model_dump(mode="json"), str(scenario)
    original = scenario_from_dict(raw, source=source, overrides=overrides)
    empty = {**(overrides or {}), "warmup": {"days": 0, "initial_caseload": False}}
    if horizon_years:
        empty["horizon_years"] = horizon_years
    from_empty = scenario_from_dict(raw, source=source, overrides=empty)
    daily = daily_caseload(_events(from_empty, seed, replications, workers), from_empty.horizon_days)
    mean = daily.mean(axis=1).to_numpy()
    smoothed = welch_moving_average(mean, window)
    daily = daily.reset_index()
    daily.insert(1, "date", pd.Timestamp(from_empty.start_date) + pd.to_timedelta(daily["day"], unit="D"))
    daily["gemiddeld"] = mean
    daily["welch"] = smoothed
    if compare_initial_caseload:
        begin = dict(empty, warmup={"days": 0, "initial_caseload": True})
        from_caseload = scenario_from_dict(raw, source=source, overrides=begin)
        with_begin = daily_caseload(_events(from_caseload, seed, replications, workers), from_caseload.horizon_days)
        daily["welch_beginstand"] = welch_moving_average(with_begin.mean(axis=1).to_numpy(), window)
    # keep the user's warm-up setting for the figure's reference line
    shown = from_empty.model_copy(update={"warmup": original.warmup})
    return WelchResult(shown, seed, replications, window, daily, suggest_warmup(smoothed, tolerance), tolerance)
