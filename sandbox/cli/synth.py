"""`sandbox synth`: fit a synthesizer, sample a synthetic population, report on it."""

from __future__ import annotations

import typer

from sandbox import synth as lib  # public names only (sandbox.synth.__all__)
from sandbox.cli._common import console, progress_bar, user_errors

app = typer.Typer(
    help=(
        "Synthetische populaties: een synthesizer leren op een bron, er een populatie uit "
        "trekken, en rapporteren over kwaliteit en privacy."
    ),
    no_args_is_help=True,
)

_MODEL_HELP = (
    "Model: gaussian_copula (standaard; snel, seconden tot een minuut, beste keus voor "
    "populaties van deze vorm), ctgan (neuraal netwerk; voor bronnen met grillige, "
    "meertoppige verdelingen die de copula mist; minuten tot uren op CPU), tvae (neuraal, "
    "sneller dan ctgan, vergelijkbaar doel)."
)


@app.command()
@user_errors
def fit(
    source: str = typer.Argument(
        ...,
        help="Bron: een datasetnaam (bv. nl-default) of een map met households/persons als "
        ".parquet of .csv (zie 'sandbox synth template').",
    ),
    model: str = typer.Option("gaussian_copula", "--model", "-m", help=_MODEL_HELP),
    name: str = typer.Option(..., "--name", help="Naam van de synthesizer."),
    seed: int = typer.Option(0, "--seed", help="Toevalszaad voor de holdout en het leren."),
    peildatum: str | None = typer.Option(
        None, "--peildatum", help="Peildatum van een extract (JJJJ-MM-DD, standaard 2025-01-01)."
    ),
    epochs: int | None = typer.Option(
        None, "--epochs", help="Trainingsrondes voor ctgan en tvae (standaard 300)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Vervang een synthesizer."),
) -> None:
    """Leer een synthesizer op een bron: één model per huishoudtype en woonsituatie.

    Which model: gaussian_copula is the default and what the quality bars are measured on;
    take ctgan or tvae only when the report shows column shapes the copula cannot follow,
    and expect much longer fits. A fifth of the households is held out for the privacy
    check. The synthesizer is stored under .sandbox/synthesizers/NAME.
    """
    with progress_bar(f"leren {name}") as update:
        path, syn = lib.fit_synthesizer(
            source,
            model,
            name,
            seed,
            peildatum=peildatum,
            epochs=epochs,
            overwrite=overwrite,
            progress=update,
        )
    info = syn.info
    left = sum(info["weggelaten"]["groepen"].values())
    console.print(
        f"synthesizer [bold]{name}[/] ({model}) geleerd op {info['trainingshuishoudens']:,} "
        f"huishoudens van {info['bron']['naam']} in {info['fit_seconden']} s: "
        f"{len(info['groups'])} groepsmodellen; opgeslagen in {path}"
    )
    if left:
        console.print(
            f"let op: {left} huishoudens in te kleine groepen weggelaten "
            f"({', '.join(info['weggelaten']['groepen'])})"
        )


@app.command()
@user_errors
def sample(
    name: str = typer.Argument(..., help="Naam van de synthesizer."),
    households: int = typer.Option(..., "--households", "-n", help="Aantal huishoudens."),
    seed: int = typer.Option(0, "--seed", help="Toevalszaad."),
    out: str = typer.Option(..., "--name", help="Naam van de synthetische dataset."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Vervang een bestaande dataset."),
) -> None:
    """Trek een synthetische populatie en schrijf haar als dataset van soort 'synthetic'.

    Identities are new (the world's identity code; no BSN of the source), life events are
    simulated with the reference's event model. The release guard refuses to write when a
    household equals a source household on the quasi-identifiers or an identity recurs.
    """
    with progress_bar(f"trekken {out}") as update:
        path, result = lib.sample_dataset(
            name, households, seed, out, overwrite=overwrite, progress=update
        )
    console.print(
        f"dataset [bold]{out}[/] geschreven naar {path}: {len(result.households):,} "
        f"huishoudens, {len(result.persons):,} personen, {len(result.events):,} gebeurtenissen; "
        f"toets: geen kopieën, geen overlap in identiteit; regelschendingen: "
        f"{sum(result.violations.values())}"
    )


@app.command()
@user_errors
def report(
    name: str = typer.Argument(..., help="Naam van de synthetische dataset."),
    track: bool = typer.Option(True, "--mlflow/--geen-mlflow", help="Log naar MLflow."),
) -> None:
    """Rapporteer kwaliteit, diagnose, huishoudgrootte, regels en privacy (JSON en HTML).

    Written to report.json and report.html in the dataset folder and, unless --geen-mlflow,
    logged to MLflow in the experiment 'synthese'.
    """
    with progress_bar(f"rapport {name}") as update:
        result = lib.report_dataset(name, track=track, progress=update)
    hh, p, priv = result["huishoudens"], result["personen"], result["privacy"]
    console.print(f"[bold]{name}[/] tegen {result['bron']['naam']}")
    console.print(
        f"kwaliteit huishoudens {hh['kwaliteit']:.3f} (diagnose {hh['diagnose']:.2f}), "
        f"personen {p['kwaliteit']:.3f} (diagnose {p['diagnose']:.2f})"
    )
    console.print(
        f"regelschendingen {sum(result['regels']['schendingen_synthetisch'].values())}; "
        f"DCR-overfitting {priv['dcr_overfitting_protection']:.2f}, DCR-baseline "
        f"{priv['dcr_baseline_protection']:.2f}; kopieën {priv['toets']['copied_households']}, "
        f"BSN-overlap {priv['toets']['bsn_overlap']}, identiteitsoverlap "
        f"{priv['toets']['identity_overlap']}"
    )
    run = result.get("mlflow_run_id")
    console.print(f"rapport in de datasetmap{f'; MLflow-run {run}' if run else ''}")


@app.command()
@user_errors
def template(folder: str = typer.Argument(..., help="Map voor het voorbeeld-extract.")) -> None:
    """Schrijf een leeg voorbeeld-extract met alle verplichte kolommen."""
    path = lib.write_template(folder)
    console.print(
        f"voorbeeld geschreven in {path}: households.csv ({len(lib.HOUSEHOLD_COLUMNS)} kolommen), "
        f"persons.csv ({len(lib.PERSON_COLUMNS)} kolommen) en LEESMIJ.txt"
    )
