"""The calibration report: tables and notes on every fitted number, and the comment per YAML leaf."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from simulation._lazy import pandas as pd


def _empty() -> pd.DataFrame:
    return pd.DataFrame()   # pandas is imported when a report is made, not when this module is


@dataclass
class CalibrationReport:
    """Tables and notes on every fitted number; ``to_markdown()`` for a readable report."""

    study_period: tuple[dt.date, dt.date]
    n_records: int
    instroom: pd.DataFrame = field(default_factory=_empty)        # municipality x segment x month
    instroom_per_year: pd.DataFrame = field(default_factory=_empty)
    durations: pd.DataFrame = field(default_factory=_empty)       # per segment x traject type
    aic: pd.DataFrame = field(default_factory=_empty)             # every family per type
    km: pd.DataFrame = field(default_factory=_empty)              # KM median per type x provider
    outcomes: pd.DataFrame = field(default_factory=_empty)
    providers: pd.DataFrame = field(default_factory=_empty)
    plekken: pd.DataFrame = field(default_factory=_empty)
    notes: list[str] = field(default_factory=list)
    notes_nl: list[str] = field(default_factory=list)   # the same notes in Dutch, for the report's pages
    comments: dict[tuple, str] = field(default_factory=dict)

    def to_markdown(self) -> str:
        def table(df):
            if df is None or df.empty:
                return "(none)\n"
            return df.to_string(index=False, float_format=lambda v: f"{v:.4g}") + "\n"

        parts = [f"# Calibration report\n\nStudy period {self.study_period[0]}..{self.study_period[1]}, "
                 f"{self.n_records} records.\n",
                 "## Notes\n" + "".join(f"- {n}\n" for n in self.notes),
                 "## Instroom per year\n```\n" + table(self.instroom_per_year) + "```\n",
                 "## Doorlooptijd fits (censoring-aware; chosen family per traject type)\n```\n"
                 + table(self.durations) + "```\n",
                 "## All families (AIC)\n```\n" + table(self.aic) + "```\n",
                 "## Kaplan-Meier medians per traject type x provider (days)\n```\n" + table(self.km) + "```\n",
                 "## Outcome shares\n```\n" + table(self.outcomes) + "```\n",
                 "## Providers\n```\n" + table(self.providers) + "```\n",
                 "## Plekken\n```\n" + table(self.plekken) + "```\n"]
        return "\n".join(parts)
