"""One-at-a-time sensitivity of the plekken-vs-trajecten comparison (notebook 07)."""
from __future__ import annotations

import copy
from dataclasses import dataclass

from simulation._lazy import pandas as pd
from pydantic import TypeAdapter

from simulation.config.distributions import Distribution, scaled
from simulation.experiment.compare import compare
from simulation.report.helpers import contracts_for

_DISTRIBUTION = TypeAdapter(Distribution)


def scaled_raw(dist: dict, factor: float) -> dict:
    """A distribution in the YAML format with its mean multiplied by ``factor`` (config.distributions.scaled)."""
    return _DISTRIBUTION.dump_python(scaled(_DISTRIBUTION.validate_python(dist), factor), mode="json",
                                     exclude_none=True)


@dataclass
class PlekkenVsTrajecten:
    """The comparison of one municipality's plekken and trajecten contracts in a segment, on common random numbers."""

    base: dict
    base_sc: object
    municipality: str
    segment: str
    tariffs: dict
    traject_contracts: list
    n_plekken: dict          # provider -> {year: plekken bought}
    year: int
    replications: int
    seed: int
    workers: int = 1
    base_comparison: object = None   # the compare() of the base setting, with its event logs

    def setting(self, instroom=1.0, doorlooptijd=1.0, plekken=1.0, behaviour=1.0) -> dict:
        """Plekken minus trajecten (spend, mean wait; mean and 95% CI) with instroom, doorlooptijd, plekken
        bought and the behaviour doorlooptijd factor scaled by the given factors."""
        raw = copy.deepcopy(self.base)
        seg = raw["segments"][self.segment]
        ins = seg["instroom"]
        ins["per_year"] = ({m: v * instroom for m, v in ins["per_year"].items()} if isinstance(ins["per_year"], dict)
                           else ins["per_year"] * instroom)
        for t in seg["traject_types"].values():
            t["doorlooptijd"] = scaled_raw(t["doorlooptijd"], doorlooptijd)
            if "verlenging_doorlooptijd" in t:
                t["verlenging_doorlooptijd"] = scaled_raw(t["verlenging_doorlooptijd"], doorlooptijd)
        extra = ({"behaviour": {"doorlooptijd_factor": behaviour, "source": "aanname: sensitivity"}}
                 if behaviour != 1 else {})
        default = {self.year: 1}
        pk = contracts_for(self.base_sc, [self.municipality], self.segment, "plekken", tariffs=self.tariffs, **extra,
                           plekken=lambda m, p: {y: max(1, int(round(n * plekken)))
                                                 for y, n in self.n_plekken.get(p, default).items()})
        base = (instroom, doorlooptijd, plekken, behaviour) == (1.0, 1.0, 1.0, 1.0)
        c = compare(raw, {"trajecten": {"funding": {"contracts": self.traject_contracts}},
                          "plekken": {"funding": {"contracts": pk}}},
                    replications=self.replications, seed=self.seed, reference="trajecten", workers=self.workers,
                    keep_events=base)
        if base:
            self.base_comparison = c
        s = c.summary
        s = s[(s["variant"] == "plekken") & (s["municipality"] == self.municipality)
              & (s["year"] == self.year)].set_index("measure")
        return {"uitgaven_verschil": s.loc["uitgaven", "verschil_gem"], "uitgaven_verschil_ci_laag": s.loc["uitgaven", "verschil_ci_laag"],
                "uitgaven_verschil_ci_hoog": s.loc["uitgaven", "verschil_ci_hoog"],
                "wacht_verschil": s.loc["wacht_dagen_gem", "verschil_gem"],
                "wacht_verschil_ci_laag": s.loc["wacht_dagen_gem", "verschil_ci_laag"],
                "wacht_verschil_ci_hoog": s.loc["wacht_dagen_gem", "verschil_ci_hoog"]}

    def tornado(self, factors: dict) -> pd.DataFrame:
        """One row per factor label -> (setting name, low, high): the differences at the low and the high value."""
        rows = []
        for label, (name, lo, hi) in factors.items():
            r_lo, r_hi = self.setting(**{name: lo}), self.setting(**{name: hi})
            rows.append({"factor": label, "low": lo, "high": hi,
                         **{f"{k}_bij_laag": v for k, v in r_lo.items()}, **{f"{k}_bij_hoog": v for k, v in r_hi.items()}})
        tornado = pd.DataFrame(rows)
        tornado["uitgaven_bereik"] = (tornado["uitgaven_verschil_bij_hoog"] - tornado["uitgaven_verschil_bij_laag"]).abs()
        tornado["wacht_bereik"] = (tornado["wacht_verschil_bij_hoog"] - tornado["wacht_verschil_bij_laag"]).abs()
        return tornado
