"""The `sandbox` command: one sub-command group per part of the sandbox."""

from __future__ import annotations

import typer

from sandbox import __version__
from sandbox.cli import proactive, rules, synth, world

__all__ = ["app", "main"]

app = typer.Typer(
    name="sandbox",
    help=(
        "Proactief Lab: experimenteer met proactieve dienstverlening op synthetische burgers. "
        "Begin met 'sandbox world generate' en 'sandbox world check'."
    ),
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(world.app, name="world")
app.add_typer(synth.app, name="synth")
app.add_typer(rules.app, name="rules")
app.command("run")(proactive.run)
app.add_typer(proactive.runs_app, name="runs")
app.add_typer(proactive.strategies_app, name="strategies")
app.add_typer(proactive.takeup_app, name="takeup")
app.add_typer(proactive.model_app, name="model")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"proactief-lab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Toon de versie en stop."
    ),
) -> None:
    """Proactief Lab."""


def main() -> None:
    """Entry point of the `sandbox` console script."""
    app()
