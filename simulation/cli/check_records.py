"""``check-records``: validate a records file and list every problem."""
from __future__ import annotations

import sys

from simulation.cli._options import add_spreadsheet_options, check_output_file, check_period, iso_date
from simulation.data.records import RecordsError, RecordsFileError, read_records

NAME = "check-records"


def add_parser(subparsers):
    parser = subparsers.add_parser(NAME, help="controleer een registratiebestand en noem elk probleem",
                                   description="Controleer gerealiseerde registraties en noem elk probleem.")
    parser.add_argument("records", help="registratiebestand (.csv of .parquet, zie docs/records.md)")
    parser.add_argument("--scenario", help="scenario (YAML): controleer ook gemeenten, segmenten en aanbieders")
    parser.add_argument("--period", nargs=2, metavar=("FIRST_DAY", "LAST_DAY"), type=iso_date,
                        help="onderzoeksperiode, inclusief, JJJJ-MM-DD (standaard: opgeslagen in het Parquet-bestand, anders 2022)")
    parser.add_argument("--drop-invalid", action="store_true", help="laat rijen met problemen weg en schrijf een verslag")
    parser.add_argument("--report", help="waar het verslag van weggelaten rijen komt "
                                         "(standaard: naast de registraties, <naam>.dropped.csv)")
    add_spreadsheet_options(parser)
    return parser


def run(args) -> int:
    """0: valid; 1: the records have problems (listed); 2: the file or an option cannot be used."""
    check_period(args.period)
    check_output_file(args.report, "--report")
    try:
        frame = read_records(args.records, scenario=args.scenario, study_period=args.period,
                             drop_invalid=args.drop_invalid, date_order=args.date_order,
                               decimal=args.decimal, report_path=args.report)
    except RecordsError as exc:
        print(f"fout: {exc}" if isinstance(exc, RecordsFileError) else str(exc), file=sys.stderr)
        return 2 if isinstance(exc, RecordsFileError) else 1
    message = f"{args.records}: {len(frame)} geldige registraties"
    if frame.attrs["dropped"]:
        message += (f"; {len({p.row for p in frame.attrs['dropped']})} rijen weggelaten, "
                    f"verslag: {frame.attrs['report_path']}")
    print(message)
    return 0
