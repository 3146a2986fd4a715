"""Runs `up` with dummy services and a no-op migration, for test_up.py.

Usage: python run_up.py STATE_DIR PORT_BASE. The services listen on PORT_BASE+1..+4.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

from shared.settings import SERVICES

DUMMY = Path(__file__).with_name("dummy_service.py")


def _stand_in_for_dev_tokens() -> None:
    # shared.auth is written elsewhere; the dummy intake accepts any token anyway.
    try:
        import shared.auth.tokens  # noqa: F401
    except ImportError:
        tokens = types.ModuleType("shared.auth.tokens")
        tokens.issue_dev_token = lambda settings, sub, scopes: f"dev-{sub}"  # type: ignore[attr-defined]
        sys.modules.setdefault("shared.auth", types.ModuleType("shared.auth"))
        sys.modules["shared.auth.tokens"] = tokens


def main() -> int:
    _stand_in_for_dev_tokens()
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
