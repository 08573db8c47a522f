"""MLflow conventions: where runs are stored, how a run starts and ends, how datasets are logged.

Every part that tracks work (synthesis now, the proactive simulation later) goes through these
helpers, so runs, metric names and dataset inputs look the same in the MLflow UI.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sandbox.dataset import dataset_path, read_manifest

__all__ = [
    "sandbox_home",
    "tracking_uri",
    "start_run",
    "log_dataset",
    "dataset_digest",
    "metric_name",
    "log_metrics",
    "log_params",
    "log_artifact",
    "search_runs",
]

# MLflow's own start-up chatter (database migrations) is not for the user's terminal.
for _name in ("mlflow.store.db.utils", "alembic.runtime.migration"):
    logging.getLogger(_name).setLevel(logging.WARNING)


def sandbox_home() -> Path:
    """The sandbox's working folder: ``$SANDBOX_HOME``, else ``.sandbox`` under the cwd."""
    env = os.environ.get("SANDBOX_HOME")
    return Path(env) if env else Path.cwd() / ".sandbox"


def tracking_uri() -> str:
    """The MLflow tracking URI: ``$MLFLOW_TRACKING_URI``, else a sqlite store in the home.

    Example:
        With neither variable set and the cwd ``/lab``: ``sqlite:////lab/.sandbox/mlflow.db``.
    """
    env = os.environ.get("MLFLOW_TRACKING_URI")
    if env:
        return env
    return f"sqlite:///{(sandbox_home() / 'mlflow.db').resolve()}"


def _artifact_root() -> str:
    return (sandbox_home() / "mlartifacts").resolve().as_uri()


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence the deprecation warnings MLflow's own SQLAlchemy use raises (not ours to fix)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*noload.*")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="mlflow")
        warnings.filterwarnings("ignore", category=FutureWarning, module="mlflow")
        yield


def _client():
    import mlflow

    uri = tracking_uri()
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # set_tracking_uri also exports $MLFLOW_TRACKING_URI; put the variable back, so that
    # tracking_uri() keeps following $SANDBOX_HOME and the user's own setting.
    before = os.environ.get("MLFLOW_TRACKING_URI")
    mlflow.set_tracking_uri(uri)
    if before is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = before
    return mlflow


@contextmanager
def start_run(
    experiment: str,
    run_name: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> Iterator[Any]:
    """Start an MLflow run in ``experiment``; the run always ends, FAILED if an error escapes.

    The experiment is created when missing, with its artifacts under the sandbox home (unless
    ``$MLFLOW_TRACKING_URI`` points at a server, which then decides).

    Args:
        experiment: experiment name, e.g. ``synthese``.
        run_name: the run's display name.
        tags: extra tags on the run.

    Yields:
        The active ``mlflow.ActiveRun``.
    """
    server = "MLFLOW_TRACKING_URI" in os.environ
    with _quiet():
        mlflow = _client()
        found = mlflow.get_experiment_by_name(experiment)
        if found is None:
            location = None if server else _artifact_root()
            exp_id = mlflow.create_experiment(experiment, artifact_location=location)
        else:
            exp_id = found.experiment_id
        run = mlflow.start_run(experiment_id=exp_id, run_name=run_name, tags=dict(tags or {}))
    try:
        yield run
    except BaseException:  # also Ctrl-C: never leave a run RUNNING
        with _quiet():
            mlflow.end_run(status="FAILED")
        raise
    with _quiet():
        mlflow.end_run(status="FINISHED")


def dataset_digest(manifest: Mapping[str, Any]) -> str:
    """A 32-character digest of a dataset from the sha256 of each table in its manifest.

    Example:
        >>> dataset_digest({"sha256": {"persons": "ab", "households": "cd"}})[:8]
        '6e5ba901'
    """
    hashes = manifest.get("sha256", {})
    text = ";".join(f"{table}={hashes[table]}" for table in sorted(hashes))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def log_dataset(name_or_manifest: str | Mapping[str, Any], context: str) -> str:
    """Log a dataset folder as an ``mlflow.data`` input of the active run.

    Args:
        name_or_manifest: a dataset name in the store, or a manifest (``name``, ``sha256`` or
            a ready ``digest`` and, for folders outside the store, ``path``).
        context: the role of the dataset in the run, e.g. ``bron`` or ``synthetisch``.

    Returns:
        The digest that was logged.
    """
    from mlflow.data.meta_dataset import MetaDataset
    from mlflow.data.sources import LocalArtifactDatasetSource

    if isinstance(name_or_manifest, str):
        manifest = read_manifest(name_or_manifest)
        path = dataset_path(name_or_manifest)
    else:
        manifest = name_or_manifest
        path = Path(manifest.get("path") or dataset_path(manifest["name"]))
    digest = manifest.get("digest") or dataset_digest(manifest)
    with _quiet():
        mlflow = _client()
        source = LocalArtifactDatasetSource(str(path.resolve()))
        dataset = MetaDataset(source=source, name=manifest["name"], digest=digest)
        mlflow.log_input(dataset, context=context)
    return digest


def metric_name(*parts: str) -> str:
    """Join name parts into the dotted metric naming used everywhere.

    Example:
        >>> metric_name("kwaliteit", "huishoudens", "overall")
        'kwaliteit.huishoudens.overall'
    """
    return ".".join(p.strip(".").replace(" ", "_") for p in parts if p)


def _flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = metric_name(prefix, str(key))
        if isinstance(value, Mapping):
            out.update(_flatten(value, name))
        else:
            out[name] = value
    return out


def log_metrics(metrics: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """Log the numeric leaves of a nested mapping as metrics with dotted names.

    Booleans become 0/1; ``None`` and non-numbers are skipped.

    Returns:
        The metrics that were logged.
    """
    flat = {}
    for key, value in _flatten(metrics, prefix).items():
        if isinstance(value, bool) or isinstance(value, int | float) and value == value:
            flat[key] = float(value)
    with _quiet():
        _client().log_metrics(flat)
    return flat


def log_params(params: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Log a nested mapping as params with dotted names (values as text, max 6000 chars).

    Returns:
        The params that were logged.
    """
    flat = {k: str(v)[:6000] for k, v in _flatten(params, prefix).items() if v is not None}
    with _quiet():
        _client().log_params(flat)
    return flat


def log_artifact(path: str | Path, artifact_path: str | None = None) -> None:
    """Log a file or a whole folder as artifacts of the active run, under ``artifact_path``."""
    path = Path(path)
    with _quiet():
        mlflow = _client()
        if path.is_dir():
            mlflow.log_artifacts(str(path), artifact_path=artifact_path)
        else:
            mlflow.log_artifact(str(path), artifact_path=artifact_path)


def search_runs(experiment: str, status: str = "FINISHED"):
    """The runs of ``experiment`` with ``status`` as a DataFrame (``None``: no experiment).

    Columns follow `mlflow.search_runs`: ``run_id``, ``tags.<name>``, ``metrics.<name>``,
    ``params.<name>``.
    """
    with _quiet():
        mlflow = _client()
        found = mlflow.get_experiment_by_name(experiment)
        if found is None:
            return None
        return mlflow.search_runs(
            experiment_ids=[found.experiment_id],
            filter_string=f"attributes.status = '{status}'",
            output_format="pandas",
        )
