"""The synthesizer: groups, holdout, the fast sampling path, reproducibility, other models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sandbox.synth import load, read_source
from sandbox.synth.flat import flatten
from sandbox.synth.sampling import _fast_reverse, split_origin


def test_one_model_per_household_type_and_woonsituatie_over_the_columns_that_apply(synthesizer):
    groups = synthesizer.info["groups"]
    assert "paar_kinderen__koop" in groups and "alleenstaand__huur_sociaal" in groups
    koop = groups["paar_kinderen__koop"]["kolommen"]
    assert "woz_waarde" in koop and "kale_huur" not in koop and "k_aantal" in koop
    single = groups["alleenstaand__huur_sociaal"]["kolommen"]
    assert "kale_huur" in single and "p_inkomen" not in single and "woz_waarde" not in single


def test_the_holdout_is_a_fifth_of_the_source_and_never_trained_on(synthesizer, source_dataset):
    source = read_source(source_dataset)
    flat, _, _ = flatten(source.households, source.persons, source.peildatum)
    assert len(synthesizer.holdout) == round(len(flat) * 0.2)
    trained = sum(g["rijen"] for g in synthesizer.info["groups"].values())
    dropped = sum(synthesizer.info["weggelaten"]["groepen"].values())
    assert trained + dropped + synthesizer.info["weggelaten"]["huishoudens_regels"] == len(
        flat
    ) - len(synthesizer.holdout)


def test_the_fast_sampling_path_equals_sdvs_own(synthesizer):
    model = synthesizer.groups["paar_kinderen__koop"]
    model._set_random_state(5)
    raw = model._sample(400)
    fast = _fast_reverse(model, raw)
    slow = model._data_processor.reverse_transform(raw.copy())
    assert fast is not None
    pd.testing.assert_frame_equal(
        fast[sorted(fast.columns)].astype(object), slow[sorted(slow.columns)].astype(object)
    )


def test_a_saved_synthesizer_samples_the_same_rows_for_the_same_seed(synthesizer):
    again = load("proef")
    a = synthesizer.sample_flat(300, np.random.default_rng(4))
    b = again.sample_flat(300, np.random.default_rng(4))
    pd.testing.assert_frame_equal(a, b)
    c = again.sample_flat(300, np.random.default_rng(5))
    assert not a["a_leeftijd"].equals(c["a_leeftijd"])


def test_herkomst_and_birth_abroad_stay_consistent(sampled):
    p = sampled.persons
    assert not (p["geboren_buitenland"] & (p["herkomst"] == "NL")).any()
    joined = pd.DataFrame({"a_herkomst": ["NL|nederland", "EU|buitenland"]})
    split = split_origin(joined)
    assert split["a_geboren_buitenland"].tolist() == [False, True]
    assert split["a_herkomst"].tolist() == ["NL", "EU"]


@pytest.mark.slow
def test_ctgan_and_tvae_fit_and_sample_too(synth_env, source_dataset):
    from sandbox.synth import fit_synthesizer, sample_population

    for model in ("ctgan", "tvae"):
        _, syn = fit_synthesizer(source_dataset, model, f"nn-{model}", seed=1, epochs=2)
        result = sample_population(syn, 150, seed=2)
        assert len(result.households) >= 150
        assert result.violations == dict.fromkeys(result.violations, 0)


def test_the_direct_copula_draw_has_the_moments_of_copulas_own(synthesizer):
    from sandbox.synth.sampling import _copula_sample

    model = synthesizer.groups["paar_kinderen__koop"]
    model._set_random_state(8)
    theirs = model._sample(20_000)
    ours = _copula_sample(model, 20_000, seed=8)
    assert list(ours.columns) == list(theirs.columns)
    assert np.allclose(ours.mean(), theirs.mean(), atol=0.03)
    assert np.allclose(ours.std(), theirs.std(), rtol=0.03, atol=0.01)
    assert np.allclose(ours.corr().fillna(0), theirs.corr().fillna(0), atol=0.03)
