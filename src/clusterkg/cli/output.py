"""The one renderer of the CLI: rows as an aligned table, CSV or JSON, and query results.

Every CSV the CLI prints has its cells neutralised against spreadsheet formula injection
(:func:`clusterkg.io.network.neutralise`, OWASP's advice), like the files ``export`` writes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from clusterkg.analytics.numbers import exact_amount
from clusterkg.io.network import neutralise
from clusterkg.store.results import QueryResult
from clusterkg.store.terms import to_python
from clusterkg.vocab import ID

FORMATS = ("table", "csv", "json")
#: Table cells longer than this are shortened (with "...").
CELL_WIDTH = 60


def to_json(data: Any) -> str:
    """``data`` as indented JSON (non-ASCII kept; dates and IRIs as strings)."""
    return json.dumps(data, indent=2, default=str, ensure_ascii=False)


def cell(value: Any) -> str:
    """A value as table or CSV text: floats to 6 significant digits, lists space-separated."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return " ".join(cell(x) for x in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def columns_of(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every key of ``rows``, in order of first appearance."""
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    return cols


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """``rows`` as CSV with a header row; every cell neutralised against formula injection."""
    cols = list(columns) if columns is not None else columns_of(rows)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([neutralise(c) for c in cols])
    for r in rows:
        writer.writerow([neutralise(cell(r.get(c))) for c in cols])
    return buf.getvalue().rstrip("\n")


def _reading_cell(value: Any) -> str:
    """A table cell as a person reads it: amounts of a million or more in words (5.613 billion,
    not 5.613e+09), every digit kept, as a figure is compared with its source; CSV and JSON
    keep the number itself."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 1e6:
        return exact_amount(value)
    return cell(value)


def _short_cell(value: Any) -> str:
    text = _reading_cell(value).replace(str(ID), "id:")
    return text if len(text) <= CELL_WIDTH else text[: CELL_WIDTH - 3] + "..."


def to_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None, *, title: str = ""
) -> str:
    """``rows`` as a fixed-width text table under an optional title, with a row count."""
    cols = list(columns) if columns is not None else columns_of(rows)
    lines = [title] if title else []
    if not cols:
        return "\n".join([*lines, "(no rows)"])
    cells = [[_short_cell(r.get(c)) for c in cols] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    lines.append("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    lines.append(f"({len(rows)} rows)")
    return "\n".join(lines)


def render(
    rows: Sequence[dict[str, Any]],
    fmt: str,
    *,
    columns: Sequence[str] | None = None,
    title: str = "",
    json_body: Any = None,
) -> str:
    """``rows`` in ``fmt`` (table, csv or json); JSON prints ``json_body`` when given."""
    if fmt == "json":
        return to_json(list(rows) if json_body is None else json_body)
    if fmt == "csv":
        return to_csv(rows, columns)
    return to_table(rows, columns, title=title)


def render_report(report: dict[str, Any], fmt: str) -> str:
    """An analysis report (:mod:`clusterkg.analytics.reports`) in ``fmt``.

    Outputs that used the synthetic network say so: a ``synthetic`` CSV column (the row's
    own mark where the report gives one, else the report's), a
    ``[SYNTHETIC DATA]`` mark on each table title, the ``synthetic`` key of the JSON.
    """
    synthetic = bool(report["synthetic"])
    if fmt == "json":
        return to_json(report["json"])
    if fmt == "csv":
        # a row's own mark (its figures rest on generated links) wins over the report's
        rows = [
            {**r, "synthetic": str(bool(r.get("synthetic", synthetic))).lower()}
            for r in report["rows"]
        ]
        columns = [c for c in columns_of(report["rows"]) if c != "synthetic"]
        return to_csv(rows, [*columns, "synthetic"])
    mark = " [SYNTHETIC DATA]" if synthetic else ""
    tables = [to_table(rows, title=title + mark) for title, rows in report["tables"]]
    return "\n".join([*report["lines"], "\n\n".join(tables)])


def plain(term: Any) -> Any:
    """A query result term as a plain JSON value (whole floats as integers)."""
    value = to_python(term)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, (int, float, str, bool)) or value is None else str(value)


def render_result(result: QueryResult, fmt: str) -> str:
    """A query result as an aligned table, CSV or JSON (plain values); graphs as Turtle."""
    if result.kind == "ask":
        return json.dumps({"boolean": result.boolean}) if fmt == "json" else str(result.boolean)
    if result.kind == "graph":
        return str(result.graph().serialize(format="turtle"))
    records = [{k: plain(row.get(k)) for k in result.vars} for row in result.rows]
    body = {"vars": result.vars, "rows": records, "truncated": result.truncated}
    return render(records, fmt, columns=result.vars, json_body=body)
