"""Bekostiging: one module per variant (``variants``) with its contract schema and rules, registered
by name (``variant.register``); the flow effects in the model (``flow``), payments as a pure function
of the event log (``payments``) and provider costs (``costs``). See docs/funding.md.

Importing this package registers the built-in variants, so scenarios with them validate.
"""
from simulation.config.contracts import Funding
from simulation.funding import variants  # noqa: F401  (registers the built-in variants)
from simulation.funding.payments import FundingResult, compute_payments
from simulation.funding.variant import VARIANTS, Phase, Money, Variant, register, unregister, variants as variant_names

__all__ = ["Funding", "VARIANTS", "Variant", "Phase", "Money", "register", "unregister", "variant_names", "compute_payments",
           "FundingResult"]
