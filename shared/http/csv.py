"""Reports as CSV when the client asks for it (`Accept: text/csv`), JSON otherwise."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import Request, Response

CSV = "text/csv"
# For a report route's `responses`: the same 200 as JSON or as CSV.
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON by default; CSV when the request sends `Accept: text/csv`",
        "content": {CSV: {"schema": {"type": "string"}}},
    }
}


def wants_csv(request: Request) -> bool:
    """CSV when the client names text/csv in Accept (a q of 0 refuses it)."""
    for media_range in request.headers.get("accept", "").split(","):
        kind, *params = (part.strip() for part in media_range.split(";"))
        if kind.lower() == CSV and not any(p.replace(" ", "") in ("q=0", "q=0.0") for p in params):
            return True
    return False


def csv_response(header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return Response(
        out.getvalue(),
        media_type=f"{CSV}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
