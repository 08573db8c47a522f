"""The bars of the foundation issue on the default recipe (100,000 persons, 2025-2026)."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.world import check_dataset, generate_dataset, load_recipe

pytestmark = pytest.mark.slow

WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1])


@pytest.fixture(scope="module")
def default_dataset(tmp_path_factory, recipes):
    store = tmp_path_factory.mktemp("datasets")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SANDBOX_DATASETS", str(store))
        path, manifest = generate_dataset(load_recipe(recipes / "nl-default.yaml"))
        rows = check_dataset("nl-default")
    return path, manifest, rows


def test_every_share_within_2pp_and_every_rate_within_15pct_of_cbs(default_dataset):
    _, _, rows = default_dataset
    judged = [r for r in rows if r.ok is not None]
    assert len(judged) >= 35
    off = [(r.groep, r.statistiek, r.cbs, round(r.dataset, 4)) for r in judged if not r.ok]
    assert not off


def test_bsn_range_overflow_uses_failing_numbers_and_says_so(default_dataset):
    import pandas as pd

    path, manifest, _ = default_dataset
    bsn = pd.read_parquet(path / "persons.parquet", columns=["bsn"])["bsn"]
    assert bsn.is_unique and len(bsn) > 100_000
    digits = np.array([[int(c) for c in b] for b in bsn])
    valid = (digits @ WEIGHTS) % 11 == 0
    # The 999 range holds 90,909 elfproef-valid numbers; the rest must fail the elfproef.
    assert valid.sum() == manifest["bsn"]["elfproef_geldig"] == 90_909
    assert (~valid).sum() == manifest["bsn"]["elfproef_ongeldig"] == len(bsn) - 90_909
    assert "elfproef" in manifest["bsn"]["regel"]
