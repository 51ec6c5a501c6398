"""The reference for bench/cli_matrix.py: a plain Python script that runs one SQL statement with
the sqlite3 module and prints its rows, nothing else.

Usage: python bench/plain_query.py PATH.sqlite3 STATEMENT.json — the JSON file holds
[sql, parameters] as Revisit's own process sent them to the driver."""

from __future__ import annotations

import json
import sqlite3
import sys


def main() -> None:
    with open(sys.argv[2], encoding="utf-8") as f:
        sql, parameters = json.load(f)
    conn = sqlite3.connect(sys.argv[1])
    for row in conn.execute(sql, parameters):
        print(*row, sep="\t")
    conn.close()


if __name__ == "__main__":
    main()
