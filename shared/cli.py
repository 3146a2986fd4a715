"""`fieldops`: run a service, migrate, issue development tokens, bring up the local stack."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import SecretStr, ValidationError
from rich.console import Console

from shared.devstack.commands import devstack_cli
from shared.devstack.up import DEFAULT_STATE_DIR
from shared.settings import SERVICES, Settings

app = typer.Typer(help="fieldops: after-sales field service backend", no_args_is_help=True)
app.add_typer(devstack_cli)
console = Console()


def _settings(**given: Any) -> Settings:
    """The settings, or a one-line refusal naming what is wrong (not a traceback)."""
    try:
        return Settings(**given)
    except ValidationError as exc:
        for error in exc.errors():
            reason = str(error["msg"]).removeprefix("Value error, ")
            console.print(
                f"[red]fieldops: configuration refused:[/red] {reason}",
                highlight=False,
                soft_wrap=True,
            )
        raise typer.Exit(2) from None


def _check_service(name: str) -> str:
    if name not in SERVICES:
        raise typer.BadParameter(f"one of {', '.join(SERVICES)}")
    return name


@app.command()
def serve(
    service: Annotated[
        str,
        typer.Argument(callback=_check_service, help="intake, dispatch, escalation or inventory"),
    ],
    port: Annotated[
        int | None, typer.Option(help="default: the service's own port (8001-8004)")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="worker processes (default FIELDOPS_WORKERS or 1)")
    ] = None,
) -> None:
    """Run one service."""
    from shared.http.server import run

    os.environ["FIELDOPS_SERVICE"] = service
    # Only a given port overrides FIELDOPS_PORT: an init argument, even None, beats the env.
    settings = _settings(service=service, port=port) if port else _settings(service=service)
    run(settings, workers=workers or settings.workers)


@app.command()
def migrate(
    service: Annotated[
        list[str] | None, typer.Option(help="only these services (repeatable)")
    ] = None,
    create_topics: Annotated[
        bool, typer.Option(help="also create every topic and its dead-letter topic")
    ] = False,
    replication_factor: Annotated[int, typer.Option(help="with --create-topics")] = 1,
) -> None:
    """Run every service's Alembic migrations up to head (and create the topics)."""
    from shared.migrations import migrate as run

    settings = _settings()
    chosen = tuple(_check_service(s) for s in service) if service else SERVICES
    run(settings, chosen)
    console.print(f"[green]migrated[/green] {', '.join(chosen)}")
    if create_topics:
        import asyncio

        from shared.devstack.broker import create_topics as create

        # Explicitly, with the configured partition count: auto-created topics get the broker's default.
        asyncio.run(
            create(
                settings.kafka_bootstrap_servers,
                settings.all_topics(),
                settings.kafka_partitions,
                replication_factor=replication_factor,
            )
        )
        console.print(f"[green]topics[/green] {', '.join(settings.all_topics())}")


@app.command()
def token(
    sub: Annotated[str, typer.Option(help="subject: a user, an engineer id, a vendor's client id")],
    scope: Annotated[list[str], typer.Option(help="scopes, repeatable or space-separated")],
    vendor: Annotated[
        str | None, typer.Option(help="vendor code, for partner-vendor tokens")
    ] = None,
    ttl: Annotated[int, typer.Option(help="lifetime in seconds")] = 86_400,
    state_dir: Annotated[
        Path, typer.Option(help="the `fieldops up` state dir whose secret signs the token")
    ] = (DEFAULT_STATE_DIR),
) -> None:
    """Print a development JWT, signed with FIELDOPS_JWT_SECRET or else the secret `fieldops up` keeps."""
    from shared.auth import issue_dev_token
    from shared.devstack.secret import SECRET_FILE, read_dev_secret

    settings = _settings()
    if settings.jwt_secret is None:
        secret = read_dev_secret(state_dir)
        if secret is None:
            typer.echo(
                f"no development secret: {state_dir / SECRET_FILE} is made by the first `fieldops up` "
                "(`make up`); or set FIELDOPS_JWT_SECRET",
                err=True,
            )
            raise typer.Exit(1)
        settings = settings.model_copy(update={"jwt_secret": SecretStr(secret)})
    scopes = [s for part in scope for s in part.split()]
    print(issue_dev_token(settings, sub, scopes, ttl_s=ttl, vendor=vendor))


@app.command()
def asyncapi() -> None:
    """Print the AsyncAPI document of the event stream (for the ops dashboards)."""
    import json

    from shared.events.asyncapi import document

    print(json.dumps(document(), indent=2, default=str))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
