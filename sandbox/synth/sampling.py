"""Fast sampling from fitted SDV GaussianCopula models, checked against SDV's own path.

SDV's ``sample`` spends most of its time in per-column pandas steps (decoding categories
with ``pd.cut``, copying and re-casting the frame for every constraint) and in a scipy call
pair per column of the copula. For the models this package fits (normal marginals, two kinds of
RDT transformer, our own programmable constraints) the same mapping is a few array operations.
Anything else falls back to SDV's ``sample``.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr

import numpy as np
import pandas as pd

from sandbox.synth.constraints import DomainRules
from sandbox.synth.marginals import QuantileMarginals

__all__ = ["TABLE", "sdv_quiet", "sample_rows", "join_origin", "split_origin"]

TABLE = "rijen"  # SDV 2 takes and returns {table name: frame}, also for one table
_SEP = "|"


@contextmanager
def sdv_quiet() -> Iterator[None]:
    """Silence the notices and tqdm bars SDV and its libraries print during fit and sample."""
    with warnings.catch_warnings(), redirect_stderr(io.StringIO()):
        warnings.filterwarnings("ignore", module=r"(sdv|rdt|copulas|ctgan|sklearn)(\.|$)")
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", message=".*(SDV|metadata|ConstantInputWarning).*")
        yield


def _fast_reverse(model, raw: pd.DataFrame) -> pd.DataFrame | None:
    """RDT's reverse transforms of a GaussianCopula sample, vectorised; None if unsupported.

    SDV reverses each column with pandas (``pd.cut`` per categorical column, copies per step),
    which dominates sampling time. For the two transformers our models use, UniformEncoder
    (categories on intervals of [0, 1]) and FloatFormatter without null modelling, clipping or
    rounding, the same mapping is a ``searchsorted`` or the identity; tests check that both
    paths give identical rows.
    """
    from rdt.transformers.categorical import UniformEncoder
    from rdt.transformers.numerical import FloatFormatter

    out = {}
    for col, tr in model.get_transformers().items():
        if tr is None or col not in raw:
            return None
        x = raw[col].to_numpy(float)
        if isinstance(tr, UniformEncoder) and tr.missing_value_encoding == "new_category":
            keys = list(tr.intervals)
            ends = np.array([tr.intervals[k][1] for k in keys[:-1]], dtype=float)
            idx = np.searchsorted(ends, np.clip(x, 0, 1), side="left")
            labels = np.array([np.nan if pd.isna(k) else k for k in keys], dtype=object)
            out[col] = labels[idx]
        elif (
            isinstance(tr, FloatFormatter)
            and not tr.enforce_min_max_values
            and not (tr.learn_rounding_scheme and tr._rounding_digits is not None)
            and not tr.null_transformer.models_missing_values()
            and str(tr._dtype).startswith("float")
        ):
            out[col] = x
        else:
            return None
    return pd.DataFrame(out, index=raw.index)


def _copula_sample(model, n: int, seed: int) -> pd.DataFrame | None:
    """Draw from a fitted Gaussian copula whose marginals are all normal; None otherwise.

    ``copulas`` maps each normal draw z through ``norm.ppf(norm.cdf(z))`` with the column's
    mean and spread, one scipy call pair per column; with normal marginals that is
    ``loc + scale * z``, computed here at once. Tests compare both paths' moments.
    """
    from copulas.univariate import GaussianUnivariate

    copula = model._model
    univariates = copula.univariates
    if not all(type(u) is GaussianUnivariate for u in univariates):
        return None
    loc = np.array([u._params["loc"] for u in univariates], dtype=float)
    scale = np.array([u._params["scale"] for u in univariates], dtype=float)
    corr = np.asarray(copula.correlation, dtype=float)
    z = np.random.default_rng(seed).multivariate_normal(
        np.zeros(len(loc)), corr, size=n, method="eigh"
    )
    return pd.DataFrame(loc + scale * z, columns=list(copula.columns))


def _reverse(constraint, frame: pd.DataFrame) -> pd.DataFrame:
    """Reverse one SDV constraint; our own programmable ones directly, without SDV's wrapper.

    The wrapper copies the frame and re-casts every column for each constraint; ours keep
    their columns and dtypes (``DomainRules`` only filters, which the callers do once).
    """
    inner = getattr(constraint, "programmable_constraint", None)
    if isinstance(inner, DomainRules):
        return frame
    if isinstance(inner, QuantileMarginals):
        return inner.reverse_transform(frame)
    return constraint.reverse_transform(frame)


def sample_rows(model, n: int, seed: int) -> pd.DataFrame:
    """Sample ``n`` rows (fewer when the constraints reject some) from one SDV model."""
    from sdv.single_table import GaussianCopulaSynthesizer

    with sdv_quiet():
        if isinstance(model, GaussianCopulaSynthesizer):
            raw = _copula_sample(model, n, seed)
            if raw is None:
                model._set_random_state(seed)  # SDV's seed hook (also used by its own sample)
                raw = model._sample(n)
            fast = _fast_reverse(model, raw)
            if fast is not None:
                # SDV's own constraint reversal, without its per-constraint validity passes:
                # Inequality is valid by construction and the callers check the rules once.
                for constraint in reversed(model._chained_constraints):
                    fast = _reverse(constraint, fast)
                return split_origin(fast.reset_index(drop=True))
        model._set_random_state(seed)
        return split_origin(model.sample(num_rows=n)[TABLE])


def join_origin(frame: pd.DataFrame) -> pd.DataFrame:
    """Herkomst and born-abroad as one column, so no model can make an NL-born migrant."""
    out = frame.copy()
    for who in ("", "a_", "p_"):
        her, abroad = f"{who}herkomst", f"{who}geboren_buitenland"
        if her in out and abroad in out:
            flag = np.where(out[abroad].astype(bool), "buitenland", "nederland")
            out[her] = out[her].astype(str) + _SEP + flag
            out = out.drop(columns=abroad)
    return out


def split_origin(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`join_origin` (by category, not by row: there are only a few)."""
    out = frame.copy()
    for col in [c for c in out.columns if c.endswith("herkomst")]:
        codes, uniques = pd.factorize(out[col].to_numpy(object))
        parts = [str(u).split(_SEP, 1) for u in uniques]
        if not parts or any(len(p) != 2 for p in parts):
            continue
        herkomst = np.array([p[0] for p in parts], dtype=object)
        abroad = np.array([p[1] == "buitenland" for p in parts])
        out[col] = herkomst[codes]
        out[col.replace("herkomst", "geboren_buitenland")] = abroad[codes]
    return out
