"""The HTTP ceiling: intake's POST /v1/tickets with nothing behind it.

Same framework, server options and body model (`TicketCreate`) as intake, no database, no
auth, no outbox: whatever intake does beyond this costs it throughput relative to this app.
Run as its own process: `python -m bench.bare_app --port N`.
"""

from __future__ import annotations

import argparse
import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from services.intake.tickets.schemas import TicketCreate


def create_app() -> FastAPI:
    app = FastAPI(title="bench: bare ticket POST")

    @app.post("/v1/tickets", status_code=201)
    async def create_ticket(body: TicketCreate) -> Any:
        # Answered the way intake answers (JSONResponse of a JSON-ready dict), minus the work.
        return JSONResponse(
            {"id": str(uuid.uuid4()), **body.model_dump(mode="json")}, status_code=201
        )

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def main() -> None:
    from shared.http.server import run
    from shared.settings import Settings

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # The server `fieldops serve` runs (shared/http/server.py), so the only difference is the handler.
    run(Settings(host="127.0.0.1", port=args.port, ops_port=None), app="bench.bare_app:create_app")


if __name__ == "__main__":
    main()
