"""``calibrate``: fit a scenario to realised records (docs/records.md)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simulation.data.calibration import calibrate, write_calibrated_yaml
from simulation.cli._options import add_spreadsheet_options, check_output_file, check_period, iso_date
from simulation.data.records import RecordsError, RecordsFileError, read_records

NAME = "calibrate"


def add_parser(subparsers):
    parser = subparsers.add_parser(NAME, help="pas een scenario aan op gerealiseerde registraties (docs/records.md)",
                                   description="Pas een scenario aan op gerealiseerde registraties van trajecten.")
    parser.add_argument("records", help="registratiebestand (.csv of .parquet, zie docs/records.md)")
    parser.add_argument("--out", required=True, help="het scenario (YAML) dat geschreven wordt")
    parser.add_argument("--base", help="basisscenario (YAML) voor wat registraties niet tonen")
    parser.add_argument("--period", nargs=2, metavar=("FIRST_DAY", "LAST_DAY"), type=iso_date,
                        help="onderzoeksperiode, inclusief (standaard: opgeslagen in het Parquet-bestand, anders 2022)")
    parser.add_argument("--drop-invalid", action="store_true", help="laat rijen met problemen weg en schrijf een verslag")
    parser.add_argument("--report", help="verslag in markdown (standaard: naast --out, .report.md)")
    parser.add_argument("--name", default="calibrated", help="naam van het gekalibreerde scenario")
    add_spreadsheet_options(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    check_period(args.period)
    check_output_file(args.out, "--out")       # before the work, not after it
    check_output_file(args.report, "--report")
    try:
        records = read_records(args.records, scenario=args.base, study_period=args.period,
                               drop_invalid=args.drop_invalid, date_order=args.date_order,
                               decimal=args.decimal)
        scenario, report = calibrate(records, base_scenario=args.base, name=args.name)
    except RecordsError as exc:
        print(f"fout: {exc}" if isinstance(exc, RecordsFileError) else str(exc), file=sys.stderr)
        return 2 if isinstance(exc, RecordsFileError) else 1
    out = write_calibrated_yaml(scenario, report, args.out)
    report_path = Path(args.report) if args.report else out.with_suffix(".report.md")
    report_path.write_text(report.to_markdown(), encoding="utf-8")
    print(f"{out}: scenario uit {len(records)} registraties; verslag {report_path}")
    if records.attrs["dropped"]:
        print(f"weggelaten rijen staan in {records.attrs['report_path']}")
    return 0
