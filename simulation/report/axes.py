"""Dutch numbers on the axes of every figure a page shows: '3.500', '0,8', '€ 1,5 mln', '25%'.

matplotlib writes tick labels the English way ('3500', '0.8', an offset '1e6'), and its locale switch
(``axes.formatter.use_locale``) needs an OS locale that CI may not have. ``save_figure`` therefore gives
every numeric axis a formatter built on ``labels.number``, ``labels.euro`` and ``labels.percent``; what
an axis shows (money, a share, a percentage, a year, a number) is read from its label.
"""
from __future__ import annotations

import re

import numpy as np

from simulation._lazy import matplotlib_ticker as ticker

from simulation.report.labels import euro, number, percent

# an axis label names its unit; a money axis may be in thousands or millions of euros ('duizend € per jaar')
MONEY = re.compile(r"€|\bEUR\b|\beuro", re.IGNORECASE)
SCALED_MONEY = ((re.compile(r"(?:€|EUR)\s*mln|mln\s*(?:€|EUR)|(?:€|EUR)\s*miljoen"), 1e6),
                (re.compile(r"duizend\s*(?:€|EUR)|(?:€|EUR)\s*duizend"), 1e3))
PERCENT_POINTS = re.compile(r"\(%|%\s*\)|^%")   # 'afwijking (% van het doel)'; not '95%-BI'


def axis_kind(label: str) -> tuple[str, float]:
    """What an axis with ``label`` shows, and the factor to euros: ('euro', 1e3) for 'duizend € per jaar',
    ('share', 1) for 'aandeel ...' (0-1), ('percent', 1) for '(% van ...)', ('year', 1) for 'jaar', else
    ('number', 1)."""
    if MONEY.search(label):
        return "euro", next((f for pattern, f in SCALED_MONEY if pattern.search(label)), 1.0)
    if label.strip().lower() == "jaar":
        return "year", 1.0
    if label.strip().lower().startswith("aandeel"):
        return "share", 1.0
    return ("percent", 1.0) if PERCENT_POINTS.search(label) else ("number", 1.0)


def _decimals(values) -> int:
    """The fewest decimals (at most 3) that show every one of ``values`` exactly."""
    values = [float(v) for v in values if np.isfinite(v)]
    tol = 1e-6 * max([abs(v) for v in values] + [1.0])
    return next((d for d in range(3) if all(abs(round(v, d) - v) < tol for v in values)), 3)


def tick_text(x: float, locs, kind: str, scale: float = 1.0) -> str:
    """Tick ``x`` of an axis whose ticks are ``locs``, in Dutch: '3.500', '0,8', '€ 350.000', '€ 1,5 mln', '25%'.

    >>> tick_text(1500, [500, 1000, 1500], "euro", 1e3), tick_text(0.8, [0.6, 0.8], "number")
    ('€ 1,5 mln', '0,8')
    """
    locs = list(locs) or [x]
    if kind == "euro" and round(x * scale, 6) == 0:
        return "€ 0"
    if kind == "euro":
        euros = [v * scale for v in locs]
        if max(abs(v) for v in euros) >= 1e6:
            return euro(x * scale, million=True, decimals=_decimals([v / 1e6 for v in euros]))
        return euro(x * scale, decimals=_decimals(euros))
    if kind == "share":
        return percent(x, _decimals([100 * v for v in locs]))
    if kind == "percent":
        return f"{number(x, _decimals(locs))}%"
    if kind == "year":   # 2022, not 2.022
        return number(x, _decimals(locs)).replace(".", "")
    return number(x, _decimals(locs))


def _dutch_formatter(kind: str, scale: float, original):
    """A formatter of Dutch tick texts; under a log axis it labels only the ticks ``original`` labels."""
    log = isinstance(original, ticker.LogFormatter)
    locs: list[float] = []   # the axis's ticks, for the decimals they need together

    def text(x, pos):
        return "" if log and not original(x, pos) else tick_text(x, locs, kind, scale)
    fmt = ticker.FuncFormatter(text)

    def set_locs(new_locs):
        original.set_locs(new_locs)
        locs[:] = list(new_locs)
    fmt.set_locs = set_locs
    return fmt


def _matplotlib_default() -> tuple:
    """The formatters matplotlib picks itself for a linear or log axis of numbers."""
    return ticker.ScalarFormatter, ticker.LogFormatterSciNotation, ticker.LogFormatter


def dutch_ticks(fig) -> None:
    """Every number on the axes of ``fig`` in Dutch format (save_figure calls it for every page's figure).

    An axis keeps its text ticks (segments, municipalities) and any formatter a notebook set itself; the
    numbers matplotlib would write ('3500', '0.8', '1e6') become '3.500', '0,8', with '€' where the label is
    money and '%' where it is a share or percentage. A money axis in thousands or millions shows euros
    ('€ 350.000', '€ 1,5 mln') and its label loses 'duizend' and 'mln'.
    """
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            label = axis.get_label().get_text()
            kind, scale = axis_kind(label)
            major, minor = axis.get_major_formatter(), axis.get_minor_formatter()
            if type(major) not in _matplotlib_default():
                continue   # text ticks, or a formatter the notebook chose
            axis.set_major_formatter(_dutch_formatter(kind, scale, major))
            if type(minor) in _matplotlib_default():
                axis.set_minor_formatter(_dutch_formatter(kind, scale, minor))
            if kind == "euro":
                axis.set_label_text(_euro_label(label))
            automatic = type(axis.get_major_locator()) is ticker.AutoLocator
            if kind == "year" and automatic:
                axis.set_major_locator(ticker.MaxNLocator(integer=True))   # whole years, no 2022,5
            if kind == "euro" and automatic and axis is ax.xaxis:   # '€ 100.000' is wide: fewer, not overlapping
                axis.set_major_locator(ticker.MaxNLocator(nbins=4))


def _euro_label(label: str) -> str:
    """A money axis label for ticks in euros: 'duizend € per jaar' -> '€ per jaar', 'EUR mln' -> '€'."""
    for pattern, _ in SCALED_MONEY:
        label = pattern.sub("€", label)
    return re.sub(r"\bEUR\b", "€", label)
