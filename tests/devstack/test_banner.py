"""What `fieldops up` prints for a newcomer to paste, and the development secret it keeps."""

import stat
import subprocess
from pathlib import Path

import pytest

from shared.devstack.secret import ensure_dev_secret, read_dev_secret
from shared.devstack.up import run_a_service_commands, try_it_commands
from shared.settings import PUBLISHED_SECRETS, Settings

URLS = {
    "intake": "http://127.0.0.1:8001",
    "dispatch": "http://127.0.0.1:8002",
    "escalation": "http://127.0.0.1:8003",
    "inventory": "http://127.0.0.1:8004",
}


def parses_in_bash(shell: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-n"], input=shell, capture_output=True, text=True, timeout=10, check=False
    )


@pytest.mark.parametrize(
    "note",
    [
        None,
        "could not create the demo customer (ConnectError('refused'))",
        "two lines:\nsecond 'quoted' line",
    ],
)
def test_every_line_of_the_try_it_commands_is_bash(note):
    shell = try_it_commands(
        URLS,
        customer_id="00000000-0000-0000-0000-00000000c0de",
        note=note,
        writer="eyJ.writer.sig",
        reader="eyJ.reader.sig",
    )
    for line in shell.splitlines():
        checked = parses_in_bash(line)
        assert checked.returncode == 0, f"{line!r}: {checked.stderr}"
    assert "<id from the answer>" not in shell and "$TICKET_ID" in shell


def test_the_commands_to_run_a_service_are_bash_and_read_the_secret_instead_of_printing_it(
    tmp_path: Path,
):
    shell = run_a_service_commands(
        "postgresql://postgres@127.0.0.1:5433/fieldops",
        "127.0.0.1:9092",
        secret_file=tmp_path / "state dir" / "jwt-secret",
    )
    assert parses_in_bash(shell).returncode == 0, shell
    assert "FIELDOPS_JWT_SECRET=\"$(cat '" in shell


def test_the_development_secret_is_made_once_random_and_readable_by_its_owner_only(tmp_path: Path):
    state_dir = tmp_path / ".fieldops"
    assert read_dev_secret(state_dir) is None
    secret = ensure_dev_secret(state_dir)
    assert stat.S_IMODE((state_dir / "jwt-secret").stat().st_mode) == 0o600
    assert ensure_dev_secret(state_dir) == read_dev_secret(state_dir) == secret
    assert secret not in PUBLISHED_SECRETS and ensure_dev_secret(tmp_path / "other") != secret
    # Strong enough for production's rule too, so the same file could serve a shared machine.
    assert Settings(environment="production", jwt_secret=secret).jwt_secret is not None


def test_a_loosened_secret_file_is_tightened_again(tmp_path: Path):
    ensure_dev_secret(tmp_path)
    (tmp_path / "jwt-secret").chmod(0o644)
    ensure_dev_secret(tmp_path)
    assert stat.S_IMODE((tmp_path / "jwt-secret").stat().st_mode) == 0o600
