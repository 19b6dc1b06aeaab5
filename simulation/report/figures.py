"""Figure pieces the notebooks share: Kaplan-Meier curves with their band and numbers at risk, wrapped labels."""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

from simulation._lazy import matplotlib_transforms as mtransforms
import numpy as np

from simulation.report.evaluation import at_risk_at, km_curve


@dataclass
class SurvivalGroup:
    """One curve: its label, colour, line style and survival data (time ``d``, ``event``, delayed ``entry``)."""

    label: str
    color: str
    linestyle: str
    d: np.ndarray
    event: np.ndarray
    entry: np.ndarray


def km_panel(ax, groups: list[SurvivalGroup], ticks, band: bool = True) -> None:
    """Kaplan-Meier steps with a 95% Greenwood band per group, and under the axis a table of the numbers at
    risk (trajecten under observation) at each of ``ticks`` days, one row per group."""
    ticks = list(ticks)
    for g in groups:
        k = km_curve(g.d, g.event, g.entry)
        ax.step(k["t"], k["surv"], where="post", color=g.color, linestyle=g.linestyle, label=g.label)
        if band:
            ax.fill_between(k["t"], k["ci_laag"], k["ci_hoog"], step="post", color=g.color, alpha=0.15,
                            linewidth=0)
    ax.set_xticks(ticks)
    ax.set_xlim(ticks[0], ticks[-1])
    blend = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
    top = -0.30
    ax.text(0, top, "onder observatie:", transform=ax.transAxes, ha="left", va="top", fontsize=7, color="0.3")
    for i, g in enumerate(groups):
        y = top - 0.075 * (i + 1)
        ax.text(-0.05, y, g.label.split(" (")[0], transform=ax.transAxes, ha="right", va="top", fontsize=7,
                color=g.color)
        for t, n in zip(ticks, at_risk_at(g.d, g.entry, ticks)):
            ax.text(t, y, f"{n}", transform=blend, ha="center", va="top", fontsize=7, color=g.color)


def day_ticks(end: float, n: int = 6) -> np.ndarray:
    """Round day ticks from 0 to at least ``end``: steps of 30, 60, 90, 180 or 365 days, at most ``n`` + 1."""
    step = next((s for s in (30, 60, 90, 180, 365, 730) if end / s <= n), 365 * np.ceil(end / (365 * n)))
    return np.arange(0, step * (np.ceil(end / step) + 1), step)


def wrapped(text: str, width: int = 14) -> str:
    """``text`` on lines of at most ``width`` characters, broken at spaces and hyphens: a tick label or panel
    title that fits its place without rotating it over its neighbours.

    >>> wrapped("noord-limburg (eigen bekostiging)")
    'noord-limburg\\n(eigen\\nbekostiging)'
    """
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=True, break_long_words=False)) or text
