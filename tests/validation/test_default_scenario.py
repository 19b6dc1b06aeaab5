"""The default scenario params/noord-limburg.yaml: valid, instroom as derived, and it reproduces 2019.

The key check: in the first simulated year (2022) the model serves, per segment, the
2019 client count of note 004 par. 6 grown by the 2017-2019 cost growth (youth 5%,
Wmo 3% a year) to 2022, within 5%. The replication mean is compared, and the test first
makes sure its 95% confidence interval is narrow enough for the comparison to mean
something. Small segments (< 200 clients) without opschaling links (S3b, ~50 clients) are simulated on
their own with many more replications: the random streams are keyed by municipality and
segment, so they see exactly the clients of the full run.
"""
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from simulation import load_scenario, simulate
from simulation.analysis.kpis import kpis

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "params" / "noord-limburg.yaml"
sys.path.insert(0, str(ROOT / "params"))
import derive_instroom  # noqa: E402

TOLERANCE = 0.05            # unique clients 2022 vs the grown 2019 count
MAX_HALF_WIDTH = 0.03       # 95% CI half-width as a share of the target: leaves >= 2 points of the tolerance
SEED = 2022
REPLICATIONS = 24           # full scenario, horizon cut to 2022 (about 1.6 s each on one core)
STANDALONE_REPLICATIONS = 200


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(SCENARIO)


def test_default_scenario_loads_and_validates(scenario):
    assert scenario.start_date.isoformat() == "2022-01-01"
    assert scenario.horizon_years == 4
    assert scenario.warmup.initial_caseload and scenario.warmup.days == 365
    assert set(scenario.municipalities) == {"Beesel", "Bergen", "Gennep", "Horst aan de Maas",
                                            "Peel en Maas", "Venray", "Venlo"}
    assert sum(m.population for m in scenario.municipalities.values()) == 274733   # 004 par. 9
    assert set(scenario.segments) == set(derive_instroom.COUNTS_2019)
    for name, seg in scenario.segments.items():
        assert seg.domain == ("jeugd" if name in ("S1", "S2", "S3", "S4") else "wmo")
        assert seg.instroom.base_year == 2019
        assert seg.instroom.growth == (0.05 if seg.domain == "jeugd" else 0.03)
        assert 1 <= len(seg.traject_types) <= 3
    # Venlo buys plekken for youth S3 and S4 (plekken contracts); the other municipalities buy trajecten
    plekken = [c for c in scenario.funding.contracts if c.variant == "plekken"]
    assert {c.municipality for c in plekken} == {"Venlo"}
    assert {c.segment for c in plekken} == {"S3", "S4"}


def test_every_number_in_the_yaml_is_commented():
    """Each line that sets a number says where it comes from: a comment (source or "assumption:") or a source field."""
    import re
    bare = []
    for n, line in enumerate(SCENARIO.read_text(encoding="utf-8").splitlines(), 1):
        code = line.split("#", 1)[0]
        if re.search(r":\s*-?[0-9]", code) and "#" not in line and "source:" not in line:
            bare.append(f"{n}: {line.strip()}")
    assert not bare, "numbers without a comment:\n" + "\n".join(bare)


def test_instroom_matches_the_derivation(scenario):
    result, _ = derive_instroom.derive(scenario)
    off = {s: f"yaml {d.yaml_per_year} vs derived {d.per_year:.1f}" for s, d in result.items()
           if abs(d.difference) > derive_instroom.TOLERANCE}
    assert not off, f"run `python params/derive_instroom.py --write`: {off}"


def _check(mean, half, scenario, segments):
    problems = []
    for s in segments:
        target = derive_instroom.target_2022(scenario, s)
        if half[s] > MAX_HALF_WIDTH * target:
            problems.append(f"{s}: CI half-width {half[s]:.1f} > {MAX_HALF_WIDTH:.1%} of {target:.1f}; "
                            "more replications needed")
        elif abs(mean[s] / target - 1) > TOLERANCE:
            problems.append(f"{s}: simulated {mean[s]:.1f} +- {half[s]:.1f} vs target {target:.1f} "
                            f"({mean[s] / target - 1:+.1%})")
    return problems


def _mean_and_half_width(k):
    g = k[k["year"] == 2022].groupby("segment", observed=True)["unieke_clienten"]
    n = g.count()
    return g.mean(), stats.t.ppf(0.975, n - 1) * g.std(ddof=1) / np.sqrt(n)


@pytest.fixture(scope="module")
def first_year(scenario):
    return simulate(SCENARIO, seed=SEED, replications=REPLICATIONS, overrides={"horizon_years": 1})


@pytest.mark.statistical
def test_first_year_reproduces_the_2019_counts_grown_to_2022(scenario, first_year):
    mean, half = _mean_and_half_width(kpis(first_year.events, first_year.scenario, by=("segment",)))
    alone = derive_instroom.standalone(scenario)
    problems = _check(mean, half, scenario, [s for s in scenario.segments if s not in alone])
    m2, se2 = derive_instroom.simulated_unique_2022(scenario, SEED, STANDALONE_REPLICATIONS, alone)
    half2 = stats.t.ppf(0.975, STANDALONE_REPLICATIONS - 1) * se2
    problems += _check(m2, half2, scenario, sorted(alone))
    assert not problems, "\n".join(problems)


@pytest.mark.statistical
def test_venlo_plekken_are_well_occupied(first_year):
    k = kpis(first_year.events, first_year.scenario, by=("municipality",))
    venlo = k[(k["year"] == 2022) & (k["municipality"] == "Venlo")]
    occupancy = venlo["bezettingsgraad"].mean()
    assert 0.8 <= occupancy <= 1.0, occupancy
    # waits stay modest: the mean wait for a plek is under two weeks
    per_pool = kpis(first_year.events, first_year.scenario)
    pools = per_pool[(per_pool["year"] == 2022) & (per_pool["plekken"] > 0)]
    assert pools["wacht_dagen_gem"].mean() < 14, pools[["segment", "provider", "wacht_dagen_gem"]]


# The band each youth segment's stock on 1 January / new trajecten in the year (CBS's definition:
# a client's trajecten in one segment at one provider that follow on are one traject) must stay in,
# around the national CBS 2021 figures (derive_instroom.CBS_2021; docs/doorlooptijden.md says why
# S1+S2 may lie below CBS's 1.98: no pleegzorg named in the segments, short stays in S1).
CBS_BANDS = {"S4": (0.85, 1.10), "S3": (1.10, 1.40), "S1+S2": (1.30, 2.10)}


@pytest.mark.statistical
def test_youth_doorlooptijden_are_within_the_cbs_band(first_year):
    ratio = derive_instroom.stock_per_new(first_year.events)
    outside = {g: round(r, 3) for g, r in ratio.items() if not CBS_BANDS[g][0] <= r <= CBS_BANDS[g][1]}
    assert not outside, f"stock/new outside {CBS_BANDS}: {outside}"
    # merging matters: counted as the model logs them (every verlenging a new traject) the ratio is lower
    raw = derive_instroom.stock_per_new(first_year.events, merged=False)
    assert all(raw[g] < ratio[g] for g in ratio), (raw, ratio)
# -- money: the funded baseline (params/derive_funding.py) -------------------------------------

import derive_funding  # noqa: E402
from simulation.funding.payments import compute_payments  # noqa: E402

SPEND_TOLERANCE = 0.05      # spend per segment 2022 vs the 2019 spend grown to 2022 (004 par. 6)
TOTAL_SPEND_TOLERANCE = 0.02


def test_every_care_relation_has_a_contract_in_the_form_004_chooses(scenario):
    """No spend comes from a fallback: every municipality x provider x segment has a contract."""
    covered = [k for c in scenario.funding.contracts for k in c.keys()]
    assert len(covered) == len(set(covered)), "a care relation with two contracts"
    covered = set(covered)
    relations = {(m, p, s) for m in scenario.municipalities for s in scenario.segments
                 for p in scenario.providers_for(m, s)}
    assert covered == relations
    forms = {}
    for c in scenario.funding.contracts:
        forms.setdefault(c.segment, set()).add(c.variant)
    assert forms == {"S1": {"pxq"}, "S2": {"pxq"}, "S3": {"regio_budget", "traject", "plekken"},
                     "S4": {"regio_budget", "traject", "plekken"}, "S1a": {"plafond", "traject"},
                     "S1b": {"plafond", "traject"}, "S2a": {"population"}, "S2b": {"population"},
                     "S3a": {"population"}, "S3b": {"pxq"}}
    assert all(c.bonus_malus is not None for c in scenario.funding.contracts if c.segment == "S1")
    assert {c.municipality for c in scenario.funding.contracts if c.variant == "plekken"} == {"Venlo"}


@pytest.mark.statistical
def test_first_year_spend_through_the_payment_rules_reproduces_2019(scenario, first_year):
    """What the contracts pay in 2022 is the 2019 spend of 004 par. 6 grown to 2022: 5% per segment, 2% in total."""
    fund = compute_payments(first_year.scenario, events=first_year.events)
    pay = fund.payments[fund.payments["year"] == 2022]
    per_rep = pay.groupby(["segment", "replication"], observed=True)["amount"].sum().unstack(0)
    spent = per_rep.mean().to_dict()
    alone = derive_instroom.standalone(scenario)
    for s in alone:
        data = derive_instroom.segments_only(scenario.model_dump(mode="json", exclude_none=True), {s})
        spent[s] = derive_funding.first_year_spend(data, STANDALONE_REPLICATIONS, seed=SEED)[s]
    targets = derive_funding.spend_targets(scenario)
    off = {s: f"{spent[s]:,.0f} vs {targets[s]:,.0f} ({spent[s] / targets[s] - 1:+.1%})" for s in targets
           if abs(spent[s] / targets[s] - 1) > SPEND_TOLERANCE}
    assert not off, f"rerun `python params/derive_funding.py --write`: {off}"
    total = sum(spent.values()) / sum(targets.values()) - 1
    assert abs(total) <= TOTAL_SPEND_TOLERANCE, f"total spend {total:+.1%}"
