"""Zwolle's 36-tariff table and extra check, Meierij's open-house entry: computed by hand."""
import datetime as dt

import pytest

from simulation.funding.open_house import admission_rounds, entrant_share
from simulation.funding.tariff_table import Intensity, extra_check, profile_tariffs


def test_tariff_table_is_rate_times_hours_times_planned_days():
    # 2 profiles x 2 intensities; rate 70 per hour
    table = profile_tariffs({"p1": 2.0, "p2": 3.5},
                            {"laag": Intensity(1.0, 182), "hoog": Intensity(2.0, 364)}, rate=70)
    assert table == {"p1": {"laag": 3640, "hoog": 14560},        # 70 x 2 x 26 weeks; 70 x 4 x 52
                     "p2": {"laag": 6370, "hoog": 25480}}        # 70 x 3.5 x 26; 70 x 7 x 52
    assert extra_check(table) == ["p2/hoog"]                      # only 25,480 is above 25,000
    assert extra_check(table, threshold=6000) == ["p1/hoog", "p2/hoog", "p2/laag"]


def test_admission_every_half_year_and_the_entrants_time_averaged_share():
    start, end = dt.date(2020, 1, 1), dt.date(2022, 1, 1)
    assert admission_rounds(start, end) == [dt.date(2020, 7, 1), dt.date(2021, 1, 1), dt.date(2021, 7, 1)]
    # 0 for 182 days, 2% for 184, 4% for 181, 6% for 184 days of 731
    expected = (0.02 * 184 + 0.04 * 181 + 0.06 * 184) / 731
    assert entrant_share(start, end, 0.02) == pytest.approx(expected)
    assert entrant_share(start, end, 0.0) == 0.0
    with pytest.raises(ValueError, match="share_per_round"):
        entrant_share(start, end, 1.5)


def test_meierij_contract_kpis_per_quarter_count_unique_inhabitants():
    from simulation.analysis.kpis import kpis
    from simulation.config.scenario import scenario_from_dict
    from scenarios import event_log, funding_base
    # client 0: one traject day 5-100, afschaling; client 1: day 10-50 then a verlenging 50-120, afschaling;
    # client 2: day 20-300, uitval. Quarters of 2022: [0, 90), [90, 181), [181, 273), [273, 365)
    rows = [(0, 5, 100, "afschaling"), (1, 10, 50, "verlenging"), (1, 50, 120, "afschaling", True),
            (2, 20, 300, "uitval")]
    k = kpis(event_log(rows), scenario_from_dict(funding_base()), by=[], period="quarter").set_index("kwartaal")
    assert k["instroom_inwoners"].to_dict() == {1: 3, 2: 0, 3: 0, 4: 0}     # the verlenging is no new instroom
    assert k["uitstroom_inwoners"].to_dict() == {1: 0, 2: 2, 3: 0, 4: 1}
    assert k["doorstroom_voorliggend_veld"].to_dict() == {1: 0, 2: 2, 3: 0, 4: 0}   # uitval is no doorstroom
