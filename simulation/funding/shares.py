"""The municipalities' shares in the regional contracts, and the verrekening among them.

004 par. 9: regional costs are shared among the municipalities by the key of inhabitants on
1-1-2020 (verdeelsleutel inwoneraantallen; the scenario's ``municipalities.*.population``).
004 annex 1 "Afrekening": after the year the MGR settles with the provider on realisation, and the
municipalities settle among themselves on realisation. A regional contract (``regio_budget``)
attributes its voorschotten by the key and its settlement so that the payment rows of
municipality m add up to m's realisation share of the final: what m bears after that onderlinge
afrekening. ``municipality_shares`` puts it next to m's share by the key; the difference is the
verrekening among the municipalities.
"""
from __future__ import annotations

from simulation._lazy import pandas as pd

from simulation.funding.payments import FundingResult

COLUMNS = ["replication", "municipality", "year", "inwoners", "verdeelsleutel", "regio_uitgaven",
           "aandeel_inwoners", "aandeel_realisatie", "verrekening_gemeenten"]


def municipality_shares(scenario, fund: FundingResult, mean: bool = False) -> pd.DataFrame:
    """Per (replication, municipality, year), over the regional contracts of ``scenario``:

    - ``regio_uitgaven``: what the region paid the providers in the year (the finals of all its
      regional contracts; the same in every municipality's row);
    - ``aandeel_inwoners``: the municipality's share by the population key, sum over contracts of
      population / population of the municipalities the contract covers x the contract's final;
    - ``verdeelsleutel``: aandeel_inwoners / regio_uitgaven (the key itself with one regional set);
    - ``aandeel_realisatie``: the share by realisation, the contracts' payment rows of the
      municipality (what the provider was paid for its clients);
    - ``verrekening_gemeenten`` = aandeel_inwoners - aandeel_realisatie: with the costs first borne
      by the key, what the municipality gets back from (+) or pays to (-) the others when they
      settle among themselves on realisation; adds up to 0 over the municipalities of a year.

    ``mean``: the mean over replications (per municipality and year; replication column dropped).
    Empty when the scenario has no regional contract.
    """
    contracts = scenario.funding.contracts if scenario.funding is not None else []
    regional = [i for i, c in enumerate(contracts) if c.regional]
    if not regional:
        out = pd.DataFrame(columns=COLUMNS)
        return out.drop(columns="replication") if mean else out
    fin = fund.finals[fund.finals["contract"].isin(regional)]
    key = pd.DataFrame([(i, m, contracts[i].key_share(scenario, m)) for i in regional for m in contracts[i].covered],
                       columns=["contract", "municipality", "w"])
    by_key = fin.merge(key, on="contract")
    by_key["aandeel_inwoners"] = by_key["w"] * by_key["final"]
    idx = ["replication", "municipality", "year"]
    out = by_key.groupby(idx, as_index=False)["aandeel_inwoners"].sum()
    pay = fund.payments[fund.payments["contract"].isin(regional)]
    real = (pay.assign(municipality=pay["municipality"].astype(str)).groupby(idx, as_index=False)["amount"].sum()
            .rename(columns={"amount": "aandeel_realisatie"}))
    out = out.merge(real, on=idx, how="left").fillna({"aandeel_realisatie": 0.0})
    total = fin.groupby(["replication", "year"], as_index=False)["final"].sum().rename(columns={"final": "regio_uitgaven"})
    out = out.merge(total, on=["replication", "year"])
    out["inwoners"] = [scenario.municipalities[m].population for m in out["municipality"]]
    out["verdeelsleutel"] = out["aandeel_inwoners"] / out["regio_uitgaven"].where(out["regio_uitgaven"] != 0)
    out["verrekening_gemeenten"] = out["aandeel_inwoners"] - out["aandeel_realisatie"]
    order = {m: k for k, m in enumerate(scenario.municipalities)}
    out = (out.assign(_order=out["municipality"].map(order)).sort_values(["replication", "year", "_order"])
           [COLUMNS].reset_index(drop=True))
    if mean:
        out = out.groupby(["municipality", "year"], as_index=False, sort=False)[COLUMNS[3:]].mean()
    return out
