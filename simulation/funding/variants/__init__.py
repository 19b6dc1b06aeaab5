"""The built-in bekostiging variants, one module each; importing this package registers them.

The registration order is the order of ``variant must be one of ...`` and of the JSON Schema.
"""
from simulation.funding.variants import (pxq, traject, output_monthly, plekken, budget, plafond, lumpsum,  # noqa: F401
                                         population, regio_budget, resultaat, beschikbaarheid,
                                         casusbudget, boeggolf)
