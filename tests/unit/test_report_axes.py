"""Dutch numbers on the axes of every page figure: save_figure gives each numeric axis axes.dutch_ticks."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from simulation.report.axes import axis_kind, tick_text  # noqa: E402
from simulation.report.notebooks import save_figure  # noqa: E402


def _ticks(axis) -> list[str]:
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


def test_every_axis_of_a_saved_figure_gets_dutch_numbers(tmp_path):
    fig, (money, share, log, text) = plt.subplots(1, 4, figsize=(16, 4))
    money.plot([2022, 2023, 2024], [500, 1500, 3500])
    money.set(title="a", xlabel="jaar", ylabel="uitgaven, duizend € per jaar")
    share.plot([0.0, 3500.0], [0.1, 0.8])
    share.set(title="b", xlabel="dagen", ylabel="aandeel van de uitstroom")
    log.bar([0.2, 0.8], [10, 20_000], width=0.2)
    log.set_yscale("log")
    log.set(title="c", xlabel="doorlooptijdfactor", ylabel="cliënten (logaritmische schaal)")
    text.barh(["Venlo", "Venray"], [0.25, 0.5])
    text.set(title="d", xlabel="afwijking (% van het doel)", ylabel="gemeente")
    save_figure(fig, tmp_path, "f", "Bron: test")
    fig.canvas.draw()
    assert "€ 3,5 mln" in _ticks(money.yaxis) and "€ 0" not in _ticks(money.xaxis)
    assert money.get_ylabel() == "uitgaven, € per jaar"   # the ticks are euros now, not thousands
    assert {"2022", "2023", "2024"} <= set(_ticks(money.xaxis))   # a year without a thousands dot
    assert {"3.000", "10%", "80%"} <= set(_ticks(share.xaxis)) | set(_ticks(share.yaxis))
    assert {"0,2", "0,8"} <= set(_ticks(log.xaxis)) and {"100", "1.000", "10.000"} <= set(_ticks(log.yaxis))
    assert "0,3%" in _ticks(text.xaxis) and _ticks(text.yaxis) == ["Venlo", "Venray"]
    every = [t for ax in fig.axes for axis in (ax.xaxis, ax.yaxis) for t in _ticks(axis)]
    assert not [t for t in every if "." in t and "," not in t and len(t.split(".")[-1]) != 3], every
    assert not [ax for ax in fig.axes for axis in (ax.xaxis, ax.yaxis) if axis.get_offset_text().get_text()]
    plt.close(fig)


@pytest.mark.parametrize("label, kind", [
    ("€ mln per jaar\n(nominaal, 2019 gegroeid met 5% / 3% per jaar)", ("euro", 1e6)),
    ("uitgaven, EUR duizend per jaar", ("euro", 1e3)), ("€ per unieke cliënt per jaar", ("euro", 1.0)),
    ("aandeel nog in zorg (95%-band)", ("share", 1.0)), ("bezetting (% van de plekdagen)", ("percent", 1.0)),
    ("dagen (95%-BI)", ("number", 1.0)), ("jaar", ("year", 1.0))])
def test_the_label_says_what_an_axis_shows(label, kind):
    assert axis_kind(label) == kind


def test_tick_texts_have_the_decimals_their_neighbours_need():
    assert [tick_text(x, [0, 0.25, 0.5], "number") for x in (0, 0.25, 0.5)] == ["0,00", "0,25", "0,50"]
    assert tick_text(-200, [-200, 0, 200], "euro", 1e3) == "€ -200.000"
    assert tick_text(2e6, [0, 1e6, 2e6], "euro") == "€ 2 mln"


def test_a_money_x_axis_gets_few_enough_ticks_to_be_read(tmp_path):
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.barh(["Venlo", "Venray"], [550_000, 700_000])
    ax.set(title="a", xlabel="€ per jaar", ylabel="gemeente")
    save_figure(fig, tmp_path, "f", "Bron: test")
    fig.canvas.draw()
    assert len(_ticks(ax.xaxis)) <= 5 and "€ 200.000" in _ticks(ax.xaxis)
    plt.close(fig)
