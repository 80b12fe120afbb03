"""The debugging chapter's gallery: each fault is the one change it claims to be."""
import numpy as np
import pytest

from nncore import ReLU, Sigmoid, dead_unit_fraction, gradcheck
from nnbook import gallery
from nnbook.gallery import (FAULTS, STAGES, check_diagnosis, mystery_run, recipe, run,
                            train_loop)


@pytest.fixture(scope="module")
def healthy():
    return recipe(None, seed=0)


def test_every_fault_belongs_to_a_stage_of_the_checklist():
    assert STAGES == ("data", "loss", "gradients", "updates", "model")
    assert {stage for stage, _ in FAULTS.values()} == set(STAGES)


def test_healthy_recipe_shapes_and_split(healthy):
    assert healthy.X_train.shape == (360, 9) and healthy.y_train.shape == (360,)
    assert healthy.X_val.shape == (120, 9) and healthy.X_test.shape == (120, 9)
    assert healthy.model[0].out_features == 8 and type(healthy.model[1]) is ReLU
    assert healthy.zero_grad is True and healthy.lr == gallery.LR


def test_data_faults_change_only_the_data(healthy):
    unscaled = recipe("unscaled", 0)
    np.testing.assert_allclose(unscaled.X_train, 255 * healthy.X_train)
    leak = recipe("leak", 0)
    assert leak.X_train.shape == (360, 10)
    np.testing.assert_array_equal(leak.X_train[:, :9], healthy.X_train)
    np.testing.assert_array_equal(leak.X_train[:, 9], leak.y_train)
    np.testing.assert_array_equal(leak.X_test[:, 9], leak.y_test)
    wrong = recipe("wrong-labels", 0)
    np.testing.assert_array_equal(wrong.X_train, healthy.X_train)
    flipped = np.mean(wrong.y_train != healthy.y_train)
    assert 0.2 < flipped < 0.4
    np.testing.assert_array_equal(wrong.y_test, healthy.y_test)   # the test labels stay true


def test_model_and_loop_faults(healthy):
    assert isinstance(recipe("loss-mismatch", 0).model[-1], Sigmoid)
    assert recipe("lr-too-large", 0).lr == 50 * healthy.lr
    assert recipe("no-zero-grad", 0).zero_grad is False
    assert recipe("too-small", 0).model[0].out_features == 1
    dead = recipe("dead-relu", 0)
    assert dead_unit_fraction(dead.model, dead.X_train)["1 (ReLU)"] == 1.0
    assert dead_unit_fraction(healthy.model, healthy.X_train)["1 (ReLU)"] < 0.5


def test_backward_bug_is_caught_by_gradcheck_and_forward_is_unchanged(healthy):
    buggy = recipe("backward-bug", 0)
    np.testing.assert_array_equal(buggy.model(buggy.X_train), healthy.model(healthy.X_train))
    assert not gradcheck(buggy.model, buggy.loss, buggy.X_train[:8], buggy.y_train[:8]).passed
    assert gradcheck(healthy.model, healthy.loss, healthy.X_train[:8],
                     healthy.y_train[:8]).passed


def test_healthy_run_learns_and_is_deterministic():
    a, b = run(None, seed=0), run(None, seed=0)
    assert a.test_acc > 0.9
    assert a.history["train_loss"][-1] < 0.2 < a.history["train_loss"][0]
    assert a.history["train_loss"] == b.history["train_loss"]
    assert len(a.history) == gallery.EPOCHS


def test_dead_relu_run_never_moves_off_ln2():
    r = run("dead-relu", seed=0)
    np.testing.assert_allclose(r.history["train_loss"], np.log(2), atol=5e-3)


def test_forgotten_zero_grad_changes_training():
    fresh = recipe(None, 0)
    piled = recipe(None, 0)._replace(zero_grad=False)
    h1 = train_loop(fresh, epochs=2, rng=np.random.default_rng(1))
    h2 = train_loop(piled, epochs=2, rng=np.random.default_rng(1))
    assert h1["train_loss"][0] != h2["train_loss"][0]


def test_every_fault_trains_to_the_end_on_many_seeds():
    # the mystery run may pick any fault for any seed: none may crash
    for seed in range(12):
        assert len(run(gallery._mystery_fault(seed), seed).history) == gallery.EPOCHS


def test_mystery_run_hides_its_fault_and_the_checker_knows_it():
    seed = 3
    m = mystery_run(seed)
    assert m.fault == "?" and m.recipe.zero_grad is None
    truth = gallery._mystery_fault(seed)
    assert check_diagnosis(seed, truth).startswith("Right")
    wrong = [f for f in FAULTS if f != truth]
    other_stage = next(f for f in wrong if FAULTS[f][0] != FAULTS[truth][0])
    verdict = check_diagnosis(seed, other_stage)
    assert verdict.startswith("Not quite") and f"'{FAULTS[truth][0]}'" in verdict
    # the mystery's recipe is the untrained one that the run started from
    again = recipe(truth, seed)
    np.testing.assert_array_equal(m.recipe.model[0].params["W"], again.model[0].params["W"])


def test_mystery_seeds_cover_several_faults():
    assert len({gallery._mystery_fault(s) for s in range(30)}) >= 6


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_mystery_run_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed must be an int"):
        mystery_run(bad)


def test_unknown_names_are_refused_with_the_choices():
    with pytest.raises(ValueError, match="unknown fault 'typo'.*unscaled"):
        run("typo")
    with pytest.raises(ValueError, match="unknown fault"):
        recipe("typo")
    with pytest.raises(ValueError, match="answer must be one of"):
        check_diagnosis(0, "the learning rate")
