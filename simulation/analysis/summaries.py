"""Small summaries of replication results that the notebooks show: the client flow of a year, spread bands."""
from __future__ import annotations

from simulation._lazy import pandas as pd

from simulation.analysis.stats import t_half_width


def flow_per_year(events: pd.DataFrame, year: int) -> dict[str, float]:
    """Counts of each step of the client path in ``year`` (mean over replications), from the event log."""
    in_year = events[events["date"].dt.year == year]
    event, reden = in_year["event"], in_year["reden"]

    def per_rep(mask) -> float:
        return float(mask.groupby(in_year["replication"]).sum().mean())

    return {
        "aanmeldingen": per_rep(event == "aanmelding"),
        "direct naar voorliggend veld": per_rep((event == "voorliggend_veld") & (reden == "toegang")),
        "toewijzingen (nieuw)": per_rep((event == "toewijzing") & reden.isna()),
        "start zorg (nieuw)": per_rep((event == "start_zorg") & reden.isna()),
        "stop: afschaling": per_rep((event == "stop_zorg") & (reden == "afschaling")),
        "stop: uitval": per_rep((event == "stop_zorg") & (reden == "uitval")),
        "stop: opschaling": per_rep((event == "stop_zorg") & (reden == "opschaling")),
        "recidive": per_rep(event == "recidive"),
    }


def band(x: pd.Series) -> pd.Series:
    """Mean with its 95% t-interval and the range (min, max) of replication values ``x``."""
    m, sd, n = x.mean(), x.std(ddof=1), len(x)
    h = t_half_width(sd, n, 0.95)
    return pd.Series({"gem": m, "ci_laag": m - h, "ci_hoog": m + h, "min": x.min(), "max": x.max()})
