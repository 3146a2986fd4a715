"""The devstack's commands, for the `fieldops` CLI to mount."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shared.devstack.up import DEFAULT_STATE_DIR, up

devstack_cli = typer.Typer(no_args_is_help=True, add_completion=False)


@devstack_cli.command("up")
def up_command(
    state_dir: Annotated[
        Path, typer.Option(help="Where PostgreSQL and SeaweedFS keep their data between runs.")
    ] = DEFAULT_STATE_DIR,
    services: Annotated[
        bool,
        typer.Option(
            "--services/--no-services", help="Start the four services, or only what they need."
        ),
    ] = True,
    migrate: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Run the migrations first.")
    ] = True,
    ready_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for every service's /readyz.")
    ] = 60.0,
) -> None:
    """Run fieldops on this machine: database, broker, the four services; Ctrl-C stops it all."""
    raise typer.Exit(up(state_dir, services=services, migrate=migrate, ready_timeout=ready_timeout))
