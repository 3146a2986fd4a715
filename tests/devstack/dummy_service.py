"""A stand-in for a fieldops service: answers /readyz (after a short start-up) and /v1/*.

Run as `python dummy_service.py`, configured like a service by FIELDOPS_PORT; with
DUMMY_FORK=1 it also forks a grandchild, to prove that stopping a child stops its whole group.
Like a service, it answers /v1/* only with a Bearer token signed by FIELDOPS_JWT_SECRET (else
401), and logs each such request with the token's subject.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

STARTED = time.monotonic()
READY_AFTER = float(os.environ.get("DUMMY_READY_AFTER", "0.3"))


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.startswith("/v1/"):
            if self._authenticated():
                self._answer(200, {"id": "00000000-0000-0000-0000-00000000c0de"})
            return
        ready = time.monotonic() - STARTED >= READY_AFTER
        self._answer(200 if ready else 503, {"ready": ready})

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self._authenticated():
            self._answer(201, {"id": "00000000-0000-0000-0000-00000000c0de"})

    def _authenticated(self) -> bool:
        secret = os.environ.get("FIELDOPS_JWT_SECRET", "")
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            claims = (
                jwt.decode(token, secret, algorithms=["HS256"], audience="fieldops")
                if secret
                else None
            )
        except jwt.PyJWTError:
            claims = None
        if claims is None:
            self._answer(401, {"title": "Unauthorized"})
            return False
        print(f"{self.command} {self.path} as {claims['sub']}", flush=True)
        return True

    def _answer(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        print(f"{self.command} {self.path} {args[1] if len(args) > 1 else ''}", flush=True)


def main() -> None:
    if os.environ.get("DUMMY_FORK") == "1":
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    port = int(os.environ.get("FIELDOPS_PORT", "0"))
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(
        f"{os.environ.get('FIELDOPS_SERVICE', 'dummy')} listening on {server.server_address[1]}",
        flush=True,
    )
    server.serve_forever()


if __name__ == "__main__":
    main()
