"""`sandbox run`, `sandbox runs compare`, `sandbox strategies` and `sandbox takeup`."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sandbox.cli._common import console, progress_bar, user_errors
from sandbox.proactive import (
    EXPERIMENT,
    METRICS,
    calibrate_dataset,
    compare_runs,
    list_strategies,
    load_strategy,
    prepare,
    run_strategy,
    save_model,
    train_model,
)

runs_app = typer.Typer(help="Experimenten vergelijken (MLflow).", no_args_is_help=True)
strategies_app = typer.Typer(help="De voorbeeldstrategieën.", no_args_is_help=True)
takeup_app = typer.Typer(help="Het gedragsmodel voor niet-gebruik.", no_args_is_help=True)
model_app = typer.Typer(
    help="Contactmodellen (scikit-learn) voor 'beslissing: model'.", no_args_is_help=True
)

_HEADLINE = (
    "bereik", "precisie", "take_up_winst_pp", "euro_per_jaar", "contacten",
    "contacten_zonder_recht", "nieuwe_aanvragen", "contacten_per_nieuwe_aanvraag", "kosten",
    "mediaan_dagen_tot_contact", "fairness_gap", "registers_gelezen", "attributen_gelezen",
    "grondslag_schendingen",
)  # fmt: skip


def _fmt(value: float) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "-"
    if isinstance(value, float) and abs(value) < 10 and value != int(value):
        return f"{value:.3f}"
    return f"{value:,.0f}"


@user_errors
def run(
    strategy: Annotated[
        str,
        typer.Argument(
            metavar="STRATEGY", help="Naam van een voorbeeldstrategie of pad naar een YAML-bestand."
        ),
    ],
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="Naam van de dataset.")],
    settings: Annotated[
        list[str] | None,
        typer.Option("--set", "-s", help="Wijzig een instelling: sleutel=waarde (herhaalbaar)."),
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", "-p", help="Periode JJJJ-MM..JJJJ-MM.")
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            "--mode", "-m", help="strict: stop bij een lezing zonder grondslag; audit: noteer."
        ),
    ] = "strict",
    transfer_to: Annotated[
        str | None,
        typer.Option("--transfer-to", help="Draai ook op de referentie-ouder en log het verschil."),
    ] = None,
    experiment: Annotated[
        str, typer.Option("--experiment", "-e", help="MLflow-experiment.")
    ] = EXPERIMENT,
) -> None:
    r"""Simuleer een strategie maand voor maand en log één MLflow-run.

    Voorbeelden: 'sandbox run achttien-zorgtoeslag --dataset nl-default',
    'sandbox run baanverlies-toeslagen -d nl-default --set amvb=\[wpd_gegevensdeling]'.
    """
    spec = load_strategy(strategy, settings)
    with progress_bar(f"{spec.id} op {dataset}") as update:
        result = run_strategy(
            spec,
            dataset,
            period=period,
            mode=mode,
            transfer_to=transfer_to,
            experiment=experiment,
            settings=settings,
            progress=update,
        )
    cols = ["maatstaf", "waarde"] + (["referentie", "verschil"] if result.reference else [])
    table = Table(*cols, title=f"{spec.naam} — {dataset}")
    for key in _HEADLINE:
        row = [key, _fmt(result.metrics[key])]
        if result.reference:
            row += [_fmt(result.reference[key]), _fmt(result.gaps[key])]
        table.add_row(*row)
    console.print(table)
    per = Table("regeling", "niet-gebruik zonder", "met", "winst (pp)", "€ per jaar", "contacten")
    for r in result.per_regeling.itertuples():
        per.add_row(
            r.regeling,
            f"{r.niet_gebruik_basis:.2f}%",
            f"{r.niet_gebruik:.2f}%",
            f"{r.take_up_winst_pp:.2f}",
            f"{r.euro_per_jaar:,.0f}",
            str(r.contacten),
        )
    console.print(per)
    console.print(f"MLflow-run {result.run_id} in experiment '{experiment}'", highlight=False)


@runs_app.command("compare")
@user_errors
def compare(
    experiment: Annotated[
        str, typer.Option("--experiment", "-e", help="MLflow-experiment.")
    ] = EXPERIMENT,
    sort: Annotated[
        str, typer.Option("--sort", help=f"Sorteer op een maatstaf: {', '.join(METRICS)}.")
    ] = "euro_per_jaar",
) -> None:
    """Toon een ranglijst van de afgeronde runs van een experiment."""
    board = compare_runs(experiment, sort)
    if board.empty:
        console.print(f"experiment '{experiment}' heeft nog geen afgeronde runs")
        return
    table = Table(*board.columns, title=f"Ranglijst '{experiment}' (op {sort})")
    for row in board.itertuples(index=False):
        table.add_row(*[v if isinstance(v, str) else _fmt(v) for v in row])
    console.print(table)


@strategies_app.command("list")
@user_errors
def strategies_list() -> None:
    """Toon de voorbeeldstrategieën: organisatie, trigger, regelingen, kanaal."""
    table = Table("strategie", "naam", "organisatie", "trigger", "regelingen", "kanaal")
    for name in list_strategies():
        s = load_strategy(name)
        trigger = "-"
        if s.trigger:
            t = s.trigger
            trigger = ", ".join(t.gebeurtenissen) or t.signaal or f"elke {t.periodiek_maanden} mnd"
        table.add_row(name, s.naam, s.organisatie or "-", trigger, ", ".join(s.regelingen),
                      s.kanaal or "-")  # fmt: skip
    console.print(table)


@takeup_app.command("calibrate")
@user_errors
def calibrate(
    dataset: Annotated[str, typer.Argument(help="De referentiedataset.")] = "nl-default",
    period: Annotated[str | None, typer.Option("--period", "-p", help="JJJJ-MM..JJJJ-MM")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Alleen tonen, niet opslaan.")] = False,
) -> None:
    """Pas het gedragsmodel aan zodat het niet-gebruik zonder strategie de literatuur volgt."""
    with progress_bar(f"kalibratie op {dataset}") as update:
        result = calibrate_dataset(dataset, period, write=not dry_run, progress=update)
    table = Table("regeling", "doel", "bereikt", "paren", "bron")
    for name, r in result["regelingen"].items():
        table.add_row(name, f"{r['doel']:.1f}%", f"{r['bereikt']:.2f}%", str(r["paren"]),
                      r["bron"][:70])  # fmt: skip
    console.print(table)
    if not dry_run:
        console.print("opgeslagen in sandbox/proactive/data/kalibratie.yaml")


@model_app.command("train")
@user_errors
def model_train(
    dataset: Annotated[str, typer.Argument(help="De dataset om op te trainen.")],
    regeling: Annotated[str, typer.Option("--regeling", "-r", help="De regeling.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Het modelbestand (.joblib).")],
    registers: Annotated[
        str | None,
        typer.Option("--registers", help="Alleen kolommen uit deze registers, komma-gescheiden."),
    ] = None,
    period: Annotated[str | None, typer.Option("--period", "-p", help="JJJJ-MM..JJJJ-MM")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed van steekproef en model.")] = 1,
) -> None:
    """Train een model: wie heeft recht en gebruikt het niet, volgens wat registers tonen."""
    with progress_bar(f"model {regeling} op {dataset}") as update:
        prepared = prepare(dataset, [regeling], period, progress=update)
        chosen = [r.strip() for r in registers.split(",")] if registers else None
        model = train_model(prepared, regeling, seed=seed, registers=chosen)
    path = save_model(model, output)
    info = model.trained_on
    console.print(
        f"model voor {regeling} op {info['rijen']:,} rijen ({info['positief']:,} positief), "
        f"AUC {info['auc']:.3f} op apart gehouden eenheden; opgeslagen in {path}",
        highlight=False,
    )
