"""The sweep file (YAML): a base scenario, variants, a grid of overrides, a seed, replications or a
target precision. See docs/sweeps.md."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Optional, Union

from pydantic import Field, ValidationError, field_validator, model_validator

from simulation.analysis.kpis import GROUP, KPI_COLUMNS
from simulation.config.scenario import FieldProblem, ScenarioError, _Model, format_validation_error, read_yaml

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$"
BASELINE = "basis"


class SweepError(ScenarioError):
    """A sweep file or sweep call that cannot be used; the message says where and how to fix it."""


class Variant(_Model):
    name: str = Field(pattern=NAME_PATTERN, description="short name used in output folders and tables")
    description: str = ""
    set: dict[str, Any] = Field(default_factory=dict, description="overrides {path.to.field: value}")


class Precision(_Model):
    """Sequential procedure: add replications until every KPI's CI is narrow enough, or ``max`` is reached."""

    kpis: list[str] = Field(min_length=1, description="regional KPIs (per year) whose CI must be narrow enough")
    relative_half_width: float = Field(gt=0, lt=1, description="target half-width / |mean|, e.g. 0.05")
    initial: int = Field(5, ge=2, description="replications before the first check")
    batch: int = Field(5, ge=1, description="replications added per round")
    max: int = Field(50, ge=2, description="stop here even when the target is not reached")

    @field_validator("kpis")
    @classmethod
    def _known(cls, v):
        unknown = [k for k in v if k not in KPI_COLUMNS]
        if unknown:
            raise FieldProblem("", f"onbekende KPI; kies uit {list(KPI_COLUMNS)}", unknown)
        return v

    @model_validator(mode="after")
    def _max_at_least_initial(self):
        if self.max < self.initial:
            raise FieldProblem("max", f"max moet minstens initial ({self.initial}) zijn", self.max)
        return self


class SweepFile(_Model):
    name: str = Field(pattern=NAME_PATTERN, description="the sweep's name (output folder)")
    description: str = ""
    base: Optional[str] = Field(None, description="base scenario YAML, relative to the sweep file")
    scenario: Optional[dict[str, Any]] = Field(None, description="the base scenario written inline instead")
    set: dict[str, Any] = Field(default_factory=dict, description="overrides applied to every scenario")
    variants: list[Variant] = Field(default_factory=list, description="named variants; none: the base only")
    grid: dict[str, list[Any]] = Field(default_factory=dict,
                                       description="override path -> values; every combination is run")
    seed: int = Field(ge=0, description="root seed of the sweep")
    replications: Optional[int] = Field(None, ge=1, description="fixed number of replications per scenario")
    precision: Optional[Precision] = None
    level: float = Field(0.95, gt=0, lt=1, description="confidence level of the intervals")
    kpis_by: list[Literal["municipality", "segment", "provider"]] = Field(
        default_factory=lambda: list(GROUP), description="grouping of the stored kpis.parquet")
    store_events: bool = Field(True, description="also store each run's event log")

    @model_validator(mode="after")
    def _consistent(self):
        if (self.base is None) == (self.scenario is None):
            raise FieldProblem("base", "geef precies een van base (een scenariobestand) of scenario (in het bestand zelf)", self.base)
        if (self.replications is None) == (self.precision is None):
            raise FieldProblem("replications", "geef precies een van replications (een aantal) of precision "
                               "(een doel voor de halve intervalbreedte)", self.replications)
        names = [v.name for v in self.variants]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise FieldProblem("variants", "de namen van de varianten moeten verschillen", dupes)
        for key, values in self.grid.items():
            if not values:
                raise FieldProblem(f"grid.{key}", "een grid-regel vraagt minstens één waarde", values)
        return self


def _format_sweep_error(exc: ValidationError, source: str) -> str:
    return format_validation_error(exc, source, what="het sweepbestand", schema="docs/sweeps.md")


def load_sweep(path: Union[str, Path]) -> SweepFile:
    return sweep_from_dict(read_yaml(path, SweepError), source=str(path))


def sweep_from_dict(raw: Any, source: str = "<dict>") -> SweepFile:
    if not isinstance(raw, dict):
        raise SweepError(f"{source}: verwacht bovenaan een mapping van sweepvelden (veld: waarde)")
    try:
        return SweepFile.model_validate(raw)
    except ValidationError as exc:
        raise SweepError(_format_sweep_error(exc, source)) from None
