"""Realised trajecten as records: the format, its import checks and the simulation's own export.

One record (row) is one traject = one toewijzing (iJw JW301 / iWmo WMO301) with what the
start-zorg and stop-zorg messages (JW305/JW307) added to it. The columns are listed in
``COLUMNS`` and documented in docs/records.md.

``read_records`` checks every row and reports every problem at once (row, column, value,
rule); a file with errors is only imported when the caller asks to drop the bad rows, and
then a report of the dropped rows is written. Records must be pseudonymous: a client key
that passes the BSN eleven-test, or a column that looks like a name, birth date, address,
postcode or e-mail address, stops the import whatever else is asked.

``export_records`` writes the simulation's event log in the same format, so a synthetic
dataset for any scenario is one call (or ``python -m simulation export-records ...``).

The concepts live in their own modules: ``format`` (columns, code lists), ``checks``
(``validate``, ``Problem``, ``RecordsError``), ``privacy`` (the pseudonymity guard),
``reading`` (``load_table``, ``read_records``) and ``export`` (``export_records``,
``write_records``); every public name is importable from here.
"""
from simulation.data.records.checks import PrivacyError, Problem, RecordsError, RecordsFileError, validate
from simulation.data.records.export import export_records, product_category, write_records
from simulation.data.records.format import (BEKOSTIGING, COLUMN_NAMES, COLUMNS, DATE_COLUMNS, DEFAULT_STUDY_PERIOD,
                                            JZ020, JZ588, MODEL_TO_REDEN, PERIOD_METADATA_KEY, REDEN_LISTS,
                                            REDEN_TO_MODEL, WJ756, WMO588, Column, as_date, parse_study_period)
from simulation.data.records.privacy import passes_elfproef, privacy_problems, pseudonymous_key
from simulation.data.records.reading import as_scenario, load_table, read_records

__all__ = [
    "BEKOSTIGING", "COLUMN_NAMES", "COLUMNS", "DATE_COLUMNS", "DEFAULT_STUDY_PERIOD", "JZ020", "JZ588",
    "MODEL_TO_REDEN", "PERIOD_METADATA_KEY", "REDEN_LISTS", "REDEN_TO_MODEL", "WJ756", "WMO588", "Column",
    "PrivacyError", "Problem", "RecordsError", "RecordsFileError", "as_date", "as_scenario", "export_records", "load_table",
    "parse_study_period", "passes_elfproef", "privacy_problems", "product_category", "pseudonymous_key",
    "read_records", "validate", "write_records",
]
