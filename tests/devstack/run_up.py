"""Runs `up` with dummy services and a no-op migration, for test_up.py.

Usage: python run_up.py STATE_DIR PORT_BASE. The services listen on PORT_BASE+1..+4.
"""

from __future__ import annotations

import sys
from pathlib import Path

from shared.settings import SERVICES

DUMMY = Path(__file__).with_name("dummy_service.py")


def main() -> int:
    from shared.devstack.up import up

    state_dir, base = Path(sys.argv[1]), int(sys.argv[2])
    return up(
        state_dir,
        service_command=lambda service: [sys.executable, str(DUMMY)],
        migrate_command=lambda: [sys.executable, "-c", "print('migrated')"],
        service_ports={service: base + i for i, service in enumerate(SERVICES, start=1)},
        ready_timeout=30,
    )


if __name__ == "__main__":
    raise SystemExit(main())
