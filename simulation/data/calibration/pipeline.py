"""``calibrate``: from checked records to a scenario dict and its report, one estimate after the other."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Union

from simulation._lazy import pandas as pd

from simulation.config.scenario import scenario_from_dict
from simulation.data.calibration.commented_yaml import plain_values
from simulation.data.calibration.inputs import CalibrationInputs
from simulation.data.calibration.instroom import instroom_episodes, segment_settings
from simulation.data.calibration.linking import prepare
from simulation.data.calibration.providers import estimate_plekken, estimate_providers
from simulation.data.calibration.report import CalibrationReport
from simulation.data.calibration.trajecten import (TrajectTables, drop_missing_opschaling_targets, duration_data,
                                                   estimate_traject_types)
from simulation.data.records import as_scenario, read_records


def calibrate(records: Union[pd.DataFrame, str, Path], base_scenario=None, name: str = "calibrated"
              ) -> tuple[dict[str, Any], CalibrationReport]:
    """Estimate a scenario from realised records (a checked frame from ``read_records`` or a path).

    ``base_scenario`` supplies what records cannot show (population, voorliggend veld share,
    toegang time, recidive, planned doorlooptijd, weights, growth); without it neutral values are
    used and named in the report.
    """
    if not isinstance(records, pd.DataFrame):
        records = read_records(records, scenario=base_scenario)
    base = as_scenario(base_scenario)
    linked = prepare(records)
    inputs = CalibrationInputs.of(linked, base)

    episodes = instroom_episodes(inputs)
    inputs.report.instroom = episodes.groupby(["municipality", "segment", "month"]).size().rename("episodes") \
        .reset_index()
    seg_domain = linked.groupby("segment")["domain"].agg(lambda s: s.mode().iloc[0]).to_dict()
    instroom_rows: list[dict] = []
    segments = {}
    for segment in inputs.segments:
        base_segment = inputs.base_segment(segment)
        domain = seg_domain.get(segment, base_segment.domain if base_segment else "jeugd")
        segments[segment] = segment_settings(inputs, segment, episodes, domain, instroom_rows)
    inputs.report.instroom_per_year = pd.DataFrame(instroom_rows)

    started = duration_data(inputs)
    tables = TrajectTables()
    factors: dict[str, dict[str, float]] = {}
    for segment in inputs.segments:
        segments[segment]["traject_types"], fit = estimate_traject_types(inputs, segment, started, tables)
        factors[segment] = fit.factor
    tables.to_report(inputs.report)
    drop_missing_opschaling_targets(segments)

    providers = estimate_providers(inputs, factors)
    estimate_plekken(inputs, started, providers)
    scenario = plain_values(_scenario(inputs, name, segments, providers))
    inputs.report.notes.insert(0, "Episodes: a client's new toewijzingen in one segment on one day (stacking counted "
                                  "separately); voortzetting (reason 37) and opschaling (36/39) successors are not "
                                  "instroom.")
    inputs.report.notes_nl.insert(0, "Episodes: de nieuwe toewijzingen van een cliënt in één segment op één dag "
                                     "(stapeling apart geteld); voortzettingen (reden 37) en opschalingen (36/39) "
                                     "zijn geen instroom.")
    scenario_from_dict(scenario, source="calibrated scenario")   # fails loudly if anything is inconsistent
    return scenario, inputs.report


def _municipalities(inputs: CalibrationInputs) -> dict[str, dict]:
    """Municipalities from the base scenario; a placeholder population for any the base lacks."""
    out = {}
    for municipality in inputs.municipalities:
        path = ("municipalities", municipality, "population")
        if inputs.base is not None and municipality in inputs.base.municipalities:
            out[municipality] = inputs.base.municipalities[municipality].model_dump(mode="json", exclude_none=True)
            inputs.comments[path] = "from the base scenario"
        else:
            out[municipality] = {"population": 1}
            inputs.comments[path] = "not in the records: placeholder, set the real number"
    return out


def _scenario(inputs: CalibrationInputs, name: str, segments: dict, providers: dict) -> dict[str, Any]:
    base, start, end = inputs.base, inputs.start, inputs.end
    municipalities = _municipalities(inputs)
    inputs.comments[("horizon_years",)] = ("from the base scenario" if base is not None
                                           else "length of the study period")
    return {"name": name,
            "description": f"calibrated on {inputs.report.n_records} records, study period {start}..{end}"
                           + (f", base scenario {base.name}" if base is not None else ""),
            "start_date": start.isoformat(),
            "horizon_years": max(1, round(inputs.years)) if base is None else base.horizon_years,
            "warmup": (base.warmup.model_dump(mode="json") if base is not None else
                       {"initial_caseload": True, "days": 365.0}),
            "municipalities": municipalities, "segments": segments, "providers": providers}
