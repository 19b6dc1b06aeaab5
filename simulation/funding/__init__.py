"""Bekostiging: contracts (``contracts``), their flow effects in the model (``flow``), payments as a
pure function of the event log (``payments``), provider costs (``costs``) and paired comparisons
of variants on common random numbers (``compare``). See docs/funding.md.

Only ``contracts`` is imported here (the scenario needs it); import the others as submodules.
"""
from simulation.funding.contracts import Funding, VARIANTS

__all__ = ["Funding", "VARIANTS"]
