"""The contract schemas and helpers under their old module path.

The shared schemas live in ``simulation.config.contracts`` (and ``config.pricing``), each variant's
schema in its module under ``simulation.funding.variants``; this module re-exports them so
``from simulation.funding import contracts`` keeps working.
"""
from __future__ import annotations

from simulation.config.contracts import (Behaviour, BonusMalus, ContractBase, Conversion, Funding,  # noqa: F401
                                         ProviderCosts, SettledContract, contract_period, phases)
from simulation.config.funding_checks import validate_funding  # noqa: F401
from simulation.config.pricing import (MonthlyPricing, MonthlyRealisation, PlekSchedule, PxqPricing,  # noqa: F401
                                       PxqRealisation, Realisation, TrajectPricing, TrajectRealisation,
                                       YearSchedule, check_schedule, for_year)
from simulation.funding.valuation import planned_value  # noqa: F401
from simulation.funding.variant import VARIANTS  # noqa: F401
from simulation.funding.variants.budget import BudgetContract  # noqa: F401
from simulation.funding.variants.lumpsum import LumpsumContract  # noqa: F401
from simulation.funding.variants.output_monthly import OutputMonthlyContract  # noqa: F401
from simulation.funding.variants.plafond import PlafondContract  # noqa: F401
from simulation.funding.variants.plekken import PlekkenContract, plek_day_price  # noqa: F401
from simulation.funding.variants.population import PopulationContract  # noqa: F401
from simulation.funding.variants.pxq import PxqContract  # noqa: F401
from simulation.funding.variants.traject import TrajectContract  # noqa: F401


def heavy_types(contract, scenario) -> set[str]:
    """Traject types the provider may refuse; see ``ContractBase.heavy_types``."""
    return contract.heavy_types(scenario)
