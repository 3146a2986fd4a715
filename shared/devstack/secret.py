"""The development JWT secret: made by the first `fieldops up`, kept in its state directory.

Random per machine, so a token signed with anything printed in the source or the docs is
refused; kept, so the tokens `fieldops token` prints keep working across restarts of `up`.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_FILE = "jwt-secret"


def read_dev_secret(state_dir: Path) -> str | None:
    try:
        secret = (state_dir / SECRET_FILE).read_text().strip()
    except FileNotFoundError:
        return None
    return secret or None


def ensure_dev_secret(state_dir: Path) -> str:
    """The state directory's secret, made on first use (the caller holds the state dir's lock)."""
    path = state_dir / SECRET_FILE
    secret = read_dev_secret(state_dir)
    if secret is not None:
        path.chmod(0o600)  # whoever loosened it, the key signs admin tokens
        return secret
    state_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    draft = path.with_name(f".{SECRET_FILE}.{os.getpid()}")
    # Created 0600 rather than chmod-ed later, so the key is never readable by others, even briefly;
    # replaced into place, so a concurrent `fieldops token` never reads half a key.
    draft.unlink(missing_ok=True)
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(secret + "\n")
    os.replace(draft, path)
    return secret
