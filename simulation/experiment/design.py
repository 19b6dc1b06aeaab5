"""The design of an experiment: a base scenario x variants x a grid of overrides x replications.

``expand`` turns a base scenario (a dict in the YAML format) and named override sets into one
resolved scenario per variant x grid combination; ``runs`` lists the (scenario, replication)
pairs to run. ``compare`` and sweeps both build their scenarios here; every scenario runs
replication r with the same seed, so replication r of every scenario sees the same clients
(common random numbers).
"""
from __future__ import annotations

import copy
import hashlib
import itertools
import json
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Optional, Sequence, Union

from simulation._lazy import yaml
from simulation.config.files import load_yaml

from simulation.config.scenario import Scenario, ScenarioError, scenario_from_dict
from simulation.experiment.sweep_file import BASELINE, SweepError, SweepFile, Variant


@dataclass
class ScenarioSpec:
    """One scenario of a design: its name, overrides and the resolved scenario (or why it is invalid)."""

    name: str
    overrides: dict[str, Any]
    scenario: Optional[Scenario] = None
    error: Optional[str] = None
    json: Optional[str] = None
    hash: Optional[str] = None


def _value_label(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)
    return urllib.parse.quote(str(text), safe="+-_.,@")[:40]


def expand(base: dict, variants: Sequence[tuple[str, Mapping[str, Any]]], grid: Optional[Mapping[str, list]] = None,
           common: Optional[Mapping[str, Any]] = None, source: Callable[[str], str] = lambda name: name,
           rename: bool = True, keep_errors: bool = True, origin: str = "<design>") -> list[ScenarioSpec]:
    """One ScenarioSpec per variant x grid combination of ``base`` (overrides: common, variant, grid).

    A scenario is named ``variant+key=value...`` (the last part of each grid path when those are
    distinct); with ``rename`` the resolved scenario's own name gets ``.<that name>`` appended.
    ``source(name)`` labels a scenario's error messages, ``origin`` the design's own. With ``keep_errors`` an invalid scenario keeps its
    error in the spec; otherwise the ScenarioError is raised.
    """
    grid, common = dict(grid or {}), dict(common or {})
    keys = list(grid)
    short = [k.rsplit(".", 1)[-1] for k in keys]
    labels = short if len(set(short)) == len(short) else keys
    specs, seen = [], set()
    for variant, variant_overrides in variants:
        for combo in itertools.product(*(grid[k] for k in keys)):
            name = "+".join([variant] + [f"{lab}={_value_label(v)}" for lab, v in zip(labels, combo)])
            if name in seen:
                raise SweepError(f"{origin}: twee scenario's krijgen de naam {name!r}; maak de grid-waarden of "
                                 "de namen van de varianten verschillend")
            seen.add(name)
            spec = ScenarioSpec(name, {**common, **variant_overrides, **dict(zip(keys, combo))})
            data = copy.deepcopy(base)
            if rename:
                data["name"] = f"{data.get('name', 'scenario')}.{name}"
            try:
                spec.scenario = scenario_from_dict(data, source=source(name), overrides=spec.overrides)
                spec.json = spec.scenario.model_dump_json()
            except ScenarioError as exc:
                if not keep_errors:
                    raise
                spec.error = str(exc)
            specs.append(spec)
    return specs


def runs(specs: Sequence[ScenarioSpec], replications: Union[int, Mapping[str, int]]) -> Iterator[tuple[ScenarioSpec, int]]:
    """Every (scenario, replication) of the design; ``replications`` is one number or one per scenario."""
    for spec in specs:
        count = replications if isinstance(replications, int) else replications[spec.name]
        for replication in range(count):
            yield spec, replication


def load_base(path: Path, source: str) -> dict:
    """A base scenario file as a dict (the YAML format); errors name the file."""
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SweepError(f"{source}: base: scenariobestand {path} niet gevonden; het pad is relatief "
                         "ten opzichte van het sweepbestand") from None
    except yaml.YAMLError as exc:
        raise SweepError(f"{path}: geen geldige YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise SweepError(f"{path}: verwacht bovenaan een mapping van scenariovelden (veld: waarde)")
    return raw


def scenario_specs(sweep: SweepFile, base_dir: Path, source: str) -> list[ScenarioSpec]:
    """Every variant x grid combination of a sweep, resolved against its base (errors kept per scenario).

    Each valid spec gets ``hash``: of the resolved scenario and the sweep settings that change a
    run's files (seed, kpis_by, store_events); a stored run with another hash is rerun.
    """
    if sweep.base is not None:
        base_path = Path(sweep.base)
        raw = load_base(base_path if base_path.is_absolute() else base_dir / base_path, source)
    else:
        raw = sweep.scenario
        if not isinstance(raw, dict):
            raise SweepError(f"{source} (scenario): verwacht een mapping van scenariovelden (veld: waarde)")
    variants = sweep.variants or [Variant(name=BASELINE)]
    specs = expand(raw, [(v.name, v.set) for v in variants], sweep.grid, sweep.set,
                   source=lambda name: f"{source} (scenario {name})", origin=source)
    for spec in specs:
        if spec.json is not None:
            key = json.dumps([spec.json, sweep.seed, sweep.kpis_by, sweep.store_events])
            spec.hash = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return specs
