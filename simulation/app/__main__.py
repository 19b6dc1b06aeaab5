"""``python -m simulation.app [--port N] [--address A] [--workers W]``: serve the what-if page (default 127.0.0.1)."""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

import panel as pn

from simulation.app.engine import Engine
from simulation.app.page import Page


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m simulation.app", description="The what-if page (Panel).")
    parser.add_argument("--port", type=int, default=5006)
    parser.add_argument("--address", default="127.0.0.1",
                        help="the address to bind; default 127.0.0.1 (this machine only)")
    parser.add_argument("--workers", type=int, default=2, help="simulation processes, kept warm between questions")
    parser.add_argument("--params", type=Path, default=Path("params"), help="folder of the region scenarios (*.yaml)")
    return parser


def _stop(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    engine = Engine(args.params, workers=args.workers)
    signal.signal(signal.SIGTERM, _stop)   # a terminate closes the pool too (its workers would outlive the server)
    origins = [f"{args.address}:{args.port}"] + ([f"localhost:{args.port}"] if args.address == "127.0.0.1" else [])
    print(f"what-if page on http://{args.address}:{args.port}/ (Ctrl-C stops it)", flush=True)
    try:
        pn.serve({"/": lambda: Page(engine).view()}, address=args.address, port=args.port, show=False,
                 websocket_origin=origins, title="Wat als…?", threaded=False)
    except KeyboardInterrupt:
        pass
    finally:
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
