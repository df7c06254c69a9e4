"""`ott-analytics`: the command line for one-off runs of the platform's jobs."""

import argparse
import sys
from datetime import date
from pathlib import Path


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ott-analytics", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="generate sample data and run the whole pipeline on it")
    demo.add_argument("--days", type=_positive_int, default=14)
    demo.add_argument("--scale", type=_positive_float, default=1.0, help="1.0 is about 2,000 accounts")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--start", type=_date, help="first day (default: DAYS days before today)")

    gen = commands.add_parser("generate", help="write a sample world to a landing directory")
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--start", type=_date, required=True)
    gen.add_argument("--days", type=_positive_int, default=14)
    gen.add_argument("--scale", type=_positive_float, default=1.0)
    gen.add_argument("--seed", type=int, default=42)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from orchestration.demo import run_demo

        print(run_demo(args.days, args.scale, args.seed, args.start))
        print("\nOpen the Dagster UI on the same data with: make ui  (then http://127.0.0.1:3000)")
    elif args.command == "generate":
        from ingest.generator import generate

        print(generate(args.out, args.start, args.days, args.scale, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
