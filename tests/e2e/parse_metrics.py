#!/usr/bin/env python3
"""Parses a Prometheus text exposition with the official client's parser
(Debian python3-prometheus-client) and prints it as one JSON object:
{"FAMILY": {"type": T, "samples": [{"name": N, "labels": {...}, "value": V}]}}.
Usage: parse_metrics.py FILE. Exits 1 (with the parser's error) if FILE does not parse.
Counter families are named without "_total", as the parser names them."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as handle:
        text = handle.read()
    try:
        families = {
            family.name: {
                "type": family.type,
                "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples],
            }
            for family in text_string_to_metric_families(text)
        }
    except Exception as error:  # The parser raises ValueError and others on bad input.
        print(f"parse_metrics: {error}", file=sys.stderr)
        return 1
    json.dump(families, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
