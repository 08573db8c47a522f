"""`sandbox world`: generate, check and list reference populations."""

from __future__ import annotations

import typer
from rich.table import Table

from sandbox.cli._common import console, progress_bar, user_errors
from sandbox.world import (
    SMALL_POPULATION,
    check_dataset,
    generate_dataset,
    list_population_datasets,
    resolve_recipe,
)

app = typer.Typer(
    help="Referentiepopulaties: genereren uit een recept, toetsen aan CBS, opsommen.",
    no_args_is_help=True,
)


@app.command()
@user_errors
def generate(
    recipe: str = typer.Argument(
        "nl-default",
        help="Recept: een naam uit synthetic/recipes/ (nl-default, nl-small, nl-full) of een pad.",
    ),
    persons: int | None = typer.Option(
        None, "--persons", "-n", help="Aantal personen (overschrijft het recept)."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Toevalszaad (overschrijft het recept)."),
    name: str | None = typer.Option(
        None, "--name", help="Naam van de dataset (standaard: de naam in het recept)."
    ),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Vervang een bestaande dataset met dezelfde naam."
    ),
) -> None:
    """Genereer een referentiepopulatie met levensgebeurtenissen en schrijf haar als dataset.

    Same recipe and seed give byte-identical tables. The dataset lands in
    synthetic/datasets/NAME (or $SANDBOX_DATASETS/NAME), written atomically.
    """
    spec = resolve_recipe(recipe, persons=persons, seed=seed, name=name)
    with progress_bar(f"genereren {spec.name}") as update:
        path, manifest = generate_dataset(spec, overwrite=overwrite, progress=update)
    rows = manifest["rows"]
    console.print(
        f"dataset [bold]{spec.name}[/] geschreven naar {path}: {rows['persons']:,} personen, "
        f"{rows['households']:,} huishoudens, {rows['events']:,} gebeurtenissen"
    )
    if manifest["bsn"]["elfproef_ongeldig"]:
        console.print(f"let op: {manifest['bsn']['regel']}")


@app.command()
@user_errors
def check(name: str = typer.Argument(..., help="Naam van de dataset.")) -> None:
    """Vergelijk een dataset met de CBS-cijfers; exit 1 als een cijfer buiten de marge valt.

    Shares must lie within 2 percentage points of CBS, event rates within 15%.
    """
    rows = check_dataset(name)
    table = Table(title=f"{name} tegen CBS", show_lines=False)
    for col, justify in (
        ("groep", "left"),
        ("statistiek", "left"),
        ("CBS", "right"),
        ("dataset", "right"),
        ("verschil", "right"),
        ("", "center"),
    ):
        table.add_column(col, justify=justify)
    for row in rows:
        pct = row.eenheid == "aandeel"
        if row.eenheid == "personen":
            table.add_row(row.groep, row.statistiek, "", f"{row.dataset:,.0f}", "", "")
            continue
        fmt = (lambda v: f"{v:.1%}") if pct else (lambda v: f"{v:.2f}")
        diff = (
            ""
            if row.verschil is None
            else (f"{row.verschil * 100:+.1f} pp" if pct else f"{row.verschil / row.cbs:+.1%}")
        )
        verdict = {
            True: "[green]ok[/]",
            False: "[red]BUITEN MARGE[/]",
            None: "[dim]geen CBS-cijfer[/]",
        }
        table.add_row(
            row.groep,
            row.statistiek,
            "—" if row.cbs is None else fmt(row.cbs),
            fmt(row.dataset),
            diff,
            verdict[row.ok],
        )
    console.print(table)
    size = next(r.dataset for r in rows if r.eenheid == "personen")
    if size < SMALL_POPULATION:
        console.print(
            f"let op: bij {size:,.0f} personen is de toevalsruis in de gebeurteniscijfers van "
            f"dezelfde orde als de marge; de marges zijn bedoeld voor {SMALL_POPULATION:,}+"
        )
    failed = [r for r in rows if r.ok is False]
    if failed:
        console.print(f"[red]{len(failed)} cijfer(s) buiten de marge[/]")
        raise typer.Exit(1)
    console.print("[green]alle cijfers binnen de marge[/]")


@app.command("list")
@user_errors
def list_() -> None:
    """Toon de datasets in de datasetmap."""
    manifests = list_population_datasets()
    if not manifests:
        console.print("nog geen datasets; maak er een met 'sandbox world generate'")
        return
    table = Table(title="datasets")
    for col in ("naam", "soort", "personen", "huishoudens", "gebeurtenissen", "periode", "gemaakt"):
        table.add_column(col)
    for manifest in manifests:
        rows = manifest.get("rows", {})
        period = manifest.get("period", {})
        table.add_row(
            manifest["name"],
            manifest.get("kind", "?"),
            f"{rows.get('persons', 0):,}",
            f"{rows.get('households', 0):,}",
            f"{rows.get('events', 0):,}",
            f"{period.get('van', '?')}..{period.get('tot', '?')}",
            manifest.get("created", "?"),
        )
    console.print(table)
