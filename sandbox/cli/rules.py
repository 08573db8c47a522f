"""`sandbox rules`: list and show regelingen, calculate a case, evaluate a dataset."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sandbox.cli._common import console, progress_bar, user_errors
from sandbox.rules import calc, evaluate_dataset, grondslag_text, load_case, load_catalog, select

_Regelingen = Annotated[
    list[str] | None,
    typer.Option("--regeling", "-r", help="Alleen deze regeling(en); herhaal voor meer."),
]

app = typer.Typer(
    help="Regelingen als code: opsommen, uitleggen, doorrekenen voor een casus of dataset.",
    no_args_is_help=True,
)


@app.command("list")
@user_errors
def list_() -> None:
    """Toon alle regelingen in de catalogus met uitvoerder, jaren en niet-gebruik."""
    table = Table("regeling", "naam", "uitvoerder", "eenheid", "jaren", "niet-gebruik")
    for reg in load_catalog().values():
        ng = reg.niet_gebruik
        table.add_row(
            reg.id,
            reg.naam,
            reg.uitvoerder,
            reg.eenheid,
            ", ".join(str(j) for j in reg.jaren),
            f"{ng.percentage:g}% ({ng.jaar})" if ng else "onbekend",
        )
    console.print(table)


@app.command()
@user_errors
def show(regeling: str = typer.Argument(..., help="Id van de regeling, zie 'rules list'.")) -> None:
    """Toon de voorwaarden met hun wetsartikel, de berekening en de parameters per jaar."""
    reg = select(load_catalog(), [regeling])[0]
    g = reg.grondslag
    console.print(f"[bold]{reg.naam}[/] ({reg.id}) — {reg.uitvoerder}, per {reg.eenheid}")
    console.print(f"grondslag: art. {g.artikel} {g.wet} ({g.bwbr}) {g.link}", highlight=False)
    if reg.niet_gebruik:
        ng = reg.niet_gebruik
        console.print(f"niet-gebruik: {ng.percentage:g}% ({ng.jaar}) — {ng.bron}", highlight=False)
    if reg.levensgebeurtenissen:
        console.print("relevante gebeurtenissen: " + ", ".join(reg.levensgebeurtenissen))
    conds = Table("voorwaarde", "omschrijving", "grondslag", "expressie", title="Voorwaarden")
    for v in reg.voorwaarden:
        conds.add_row(v.id, v.omschrijving, grondslag_text(reg, v.grondslag), v.expressie.strip())
    console.print(conds)
    calc_table = Table("naam", "omschrijving", "grondslag", "expressie", title="Berekening")
    for b in reg.berekening:
        calc_table.add_row(
            b.naam, b.omschrijving, grondslag_text(reg, b.grondslag), b.expressie.strip()
        )
    calc_table.add_row(
        "bedrag_maand",
        reg.bedrag.omschrijving,
        grondslag_text(reg, reg.bedrag.grondslag),
        reg.bedrag.expressie.strip(),
    )
    console.print(calc_table)
    pars = Table("parameter", "vanaf", "waarde", "eenheid", "bron", title="Parameters")
    for name, par in reg.parameters.items():
        for w in par.waarden:
            pars.add_row(
                name,
                str(w.vanaf),
                f"{w.waarde:g}" if isinstance(w.waarde, float) else str(w.waarde),
                par.unit,
                w.bron,
            )
    console.print(pars)
    ins = Table("kolom", "register", "attribuut", title="Gegevens die de regeling leest")
    for i in reg.inputs:
        ins.add_row(i.kolom, i.register_naam, i.attribuut)
    console.print(ins)


@app.command("calc")
@user_errors
def calc_(
    case: Annotated[
        Path, typer.Argument(help="Casusbestand (JSON): één huishouden op een peildatum.")
    ],
    regeling: _Regelingen = None,
    fmt: str = typer.Option("table", "--format", "-f", help="Uitvoer: table of json."),
) -> None:
    """Reken een casus door: per regeling recht, bedrag en elke voorwaarde met wetsartikel."""
    if fmt not in ("table", "json"):
        raise typer.BadParameter("kies table of json", param_hint="--format")
    spec = load_case(case)
    regelingen = select(load_catalog(), regeling)
    result = calc(spec, regelingen)
    if fmt == "json":
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for entry in result:
        who = f" (persoon {entry['persoon']})" if "persoon" in entry else ""
        verdict = "[green]recht[/]" if entry["recht"] else "[red]geen recht[/]"
        console.print(
            f"[bold]{entry['regeling']}[/]{who}: {verdict}, "
            f"€ {entry['bedrag_maand']:,.2f} per maand, € {entry['bedrag_jaar']:,.2f} per jaar"
        )
        for v in entry["voorwaarden"]:
            mark = "ja " if v["voldaan"] else "nee"
            console.print(f"  {mark} {v['omschrijving']} [dim]({v['grondslag']})[/]")


@app.command("evaluate")
@user_errors
def evaluate_(
    dataset: str = typer.Argument(..., help="Naam van de dataset."),
    period: str | None = typer.Option(
        None, "--period", "-p", help="Periode JJJJ-MM..JJJJ-MM (standaard: die van de dataset)."
    ),
    regeling: _Regelingen = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Parquet-bestand (standaard: in de datasetmap)."),
    ] = None,
) -> None:
    """Bereken voor elke eenheid, regeling en maand recht en bedrag; schrijf ze weg.

    Prints per regeling the units entitled (average per month) and the total in euros per year.
    """
    with progress_bar(f"rechten {dataset}") as update:
        summary = evaluate_dataset(dataset, period, regeling, output, progress=update)
    table = Table("regeling", "eenheid", "maanden", "eenheden met recht", "€ per jaar")
    for r in summary.per_regeling:
        table.add_row(
            r["regeling"],
            r["eenheid"],
            str(r["maanden"]),
            f"{r['eenheden_met_recht']:,.0f}",
            f"{r['bedrag_per_jaar']:,.0f}",
        )
    console.print(table)
    console.print(f"{summary.rows:,} rijen geschreven naar {summary.path}")
