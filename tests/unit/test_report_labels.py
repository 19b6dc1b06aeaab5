"""Dutch display names and number formats (simulation.report.labels)."""
import doctest
import random

import babel.numbers

import pytest

import simulation.analysis.kpis  # noqa: F401  (registers the KPIs)
import simulation.funding.variants  # noqa: F401  (registers the variants)
import simulation.report.labels as labels
from simulation.config import errors


def test_doctests_of_the_labels_module():
    result = doctest.testmod(labels)
    assert result.attempted >= 6 and result.failed == 0


def test_dutch_number_formats():
    assert labels.number(-0.4) == "0"
    assert labels.number(1234567.891, 2) == "1.234.567,89"
    assert labels.euro(-523626) == "€ -523.626"
    assert labels.euro(470_000, million=True) == "€ 0,5 mln"
    assert labels.percent(0.9999, 0) == "100%"
    assert labels.number(float("nan")) == "–"


def test_every_registered_kpi_and_variant_has_a_dutch_name():
    from simulation.analysis.kpi_registry import KPIS as REGISTRY
    from simulation.funding.variant import VARIANTS
    assert not [k for k in REGISTRY if k not in labels.NAMES["kpi"]]
    assert not [v for v in VARIANTS if v not in labels.NAMES["variant"]]


def test_table_number_is_dutch_with_the_decimals_it_has():
    assert [labels.table_number(v) for v in (2107.0, 168.3, 0.843, 0.8461234, 1234567.891, float("nan"))] == \
        ["2.107", "168,3", "0,843", "0,846", "1.234.567,891", "–"]


def test_parse_number_reads_dutch_input_and_refuses_a_decimal_point():
    assert [labels.parse_number(t) for t in ("1.234,56", "94,94", "€ 4.393", " 1234 ", "-12,5", "1.234.567")] == \
        [1234.56, 94.94, 4393.0, 1234.0, -12.5, 1234567.0]
    for bad in ("94.94", "1,2,3", "1.23,4", "abc", "", "1e5"):
        with pytest.raises(ValueError, match="komma|leeg"):
            labels.parse_number(bad)
    with pytest.raises(ValueError, match="'94,94'"):   # the message shows the Dutch way to write it
        labels.parse_number("94.94")


def test_input_number_is_dutch_and_parses_back_exactly():
    values = (11205.65, 20197.83, 4393.0, 94.5, 0.1, -12.0, 1234567.891, 1e20, 1e-7, 0.0)
    assert [labels.input_number(v) for v in values[:7]] == \
        ["11.205,65", "20.197,83", "4.393", "94,50", "0,10", "-12", "1.234.567,891"]
    assert [labels.parse_number(labels.input_number(v)) for v in values] == list(values)


def test_the_reports_numbers_are_the_config_layers_one_dutch_formatter_as_babel_wrote_them():
    """labels.number delegates to config.errors.fixed_number (the config layer cannot import the report), which
    writes what babel's nl_NL format wrote before: the same text for every value and number of decimals."""
    rng = random.Random(3)
    values = [0.0, -0.0, -0.4, 0.5, 2.5, 0.125, 1e15, 2 ** 53, 1e20, 5e-324, float("inf"), -float("inf"), 7, -3]
    values += [rng.choice([1, -1]) * 10 ** rng.uniform(-6, 22) for _ in range(3000)]
    for x in values:
        for d in range(4):
            value = round(float(x), d) + 0.0
            old = babel.numbers.format_decimal(value if value != 0 else 0.0,
                                               format="#,##0" + ("." + "0" * d if d else ""), locale="nl_NL")
            assert errors.fixed_number(x, d) == labels.number(x, d) == old, (x, d)
