"""Tests for nncore.metrics, with hand-computed examples."""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nncore import accuracy, classification_report, confusion_matrix, f1_score, precision, recall

# Eight labels, worked by hand:
#   index   0 1 2 3 4 5 6 7
#   y_true  1 1 1 1 0 0 0 0
#   y_pred  1 1 0 0 1 0 0 0
# TP (true 1, pred 1) = 2 (idx 0, 1); FN (true 1, pred 0) = 2 (idx 2, 3)
# FP (true 0, pred 1) = 1 (idx 4);   TN (true 0, pred 0) = 3 (idx 5, 6, 7)
Y_TRUE = [1, 1, 1, 1, 0, 0, 0, 0]
Y_PRED = [1, 1, 0, 0, 1, 0, 0, 0]


def test_hand_example_binary():
    cm = confusion_matrix(Y_TRUE, Y_PRED)
    # rows = true class, columns = predicted class:
    #            pred 0  pred 1
    #   true 0   TN=3    FP=1
    #   true 1   FN=2    TP=2
    assert_array_equal(cm, [[3, 1], [2, 2]])
    assert_allclose(accuracy(Y_TRUE, Y_PRED), 5 / 8)  # (TP + TN) / 8 = (2 + 3) / 8
    assert_allclose(precision(Y_TRUE, Y_PRED), 2 / 3)  # TP / (TP + FP) = 2 / 3
    assert_allclose(recall(Y_TRUE, Y_PRED), 2 / 4)  # TP / (TP + FN) = 2 / 4
    # F1 = 2 P R / (P + R) = 2 (2/3)(1/2) / (2/3 + 1/2) = (2/3) / (7/6) = 4/7
    assert_allclose(f1_score(Y_TRUE, Y_PRED), 4 / 7)


def test_hand_example_other_class_and_macro():
    # class 0 as positive: TP=3, FP=2 (true 1 predicted 0), FN=1
    assert_allclose(precision(Y_TRUE, Y_PRED, pos_label=0), 3 / 5)
    assert_allclose(recall(Y_TRUE, Y_PRED, pos_label=0), 3 / 4)
    # macro = mean of the per-class values
    assert_allclose(precision(Y_TRUE, Y_PRED, average="macro"), (3 / 5 + 2 / 3) / 2)
    assert_allclose(recall(Y_TRUE, Y_PRED, average="macro"), (3 / 4 + 1 / 2) / 2)
    f1_0 = 2 * (3 / 5) * (3 / 4) / (3 / 5 + 3 / 4)  # = 2/3
    assert_allclose(f1_score(Y_TRUE, Y_PRED, average="macro"), (f1_0 + 4 / 7) / 2)
    assert_allclose(precision(Y_TRUE, Y_PRED, average=None), [3 / 5, 2 / 3])


def test_multiclass_confusion_and_macro():
    t = [0, 1, 2, 2, 1, 0]
    p = [0, 2, 2, 2, 1, 1]
    cm = confusion_matrix(t, p)
    assert_array_equal(cm, [[1, 1, 0], [0, 1, 1], [0, 0, 2]])
    # precision per class: col sums 1, 2, 3 -> 1/1, 1/2, 2/3 ; recall: row sums 2, 2, 2 -> 1/2, 1/2, 1
    assert_allclose(precision(t, p, average=None), [1, 1 / 2, 2 / 3])
    assert_allclose(recall(t, p, average="macro"), (1 / 2 + 1 / 2 + 1) / 3)
    assert_array_equal(confusion_matrix([0], [0], n_classes=3), [[1, 0, 0], [0, 0, 0], [0, 0, 0]])


def test_zero_division_is_zero_without_warning():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_allclose(precision([1, 0], [0, 0]), 0.0)  # nothing predicted positive
        assert_allclose(recall([0, 0], [1, 0]), 0.0)  # no positive examples
        assert_allclose(f1_score([1, 0], [0, 1]), 0.0)  # P = R = 0
        # class 0: 1 of 2 predictions right -> 0.5; class 1: never predicted -> 0.0
        assert_allclose(precision([0, 1], [0, 0], average=None), [0.5, 0.0])


def test_classification_report_text():
    text = classification_report(Y_TRUE, Y_PRED, target_names=["horizontal", "vertical"])
    lines = text.splitlines()
    assert lines[0].split() == ["precision", "recall", "f1-score", "support"]
    assert lines[2].split() == ["horizontal", "0.60", "0.75", "0.67", "4"]
    assert lines[3].split() == ["vertical", "0.67", "0.50", "0.57", "4"]
    assert lines[5].split() == ["accuracy", "0.62", "8"]  # 5/8 = 0.625 -> 0.62 (round half even)
    assert lines[6].split()[:2] == ["macro", "avg"]
    # an unseen class still gets a row when n_classes says so
    text = classification_report([0, 1], [0, 1], n_classes=3, digits=3)
    assert text.splitlines()[4].split() == ["2", "0.000", "0.000", "0.000", "0"]


@pytest.mark.parametrize("call, exc, match", [
    (lambda: accuracy([0, 1], [0]), ValueError, r"same number of examples.*\(2,\).*\(1,\)"),
    (lambda: accuracy([[0, 1]], [[0, 1]]), ValueError, "must be 1-D"),
    (lambda: accuracy([], []), ValueError, "empty"),
    (lambda: accuracy([0, np.nan], [0, 1]), ValueError, "non-finite"),
    (lambda: accuracy(["a"], ["b"]), TypeError, "real numbers"),
    (lambda: confusion_matrix([0, 1.5], [0, 1]), ValueError, "whole-number class labels; got 1.5"),
    (lambda: confusion_matrix([0, -1], [0, 1]), ValueError, "labels in 0..1.*from -1 to 0"),
    (lambda: confusion_matrix([0, 3], [0, 1], n_classes=2), ValueError, "labels in 0..1.*to 3"),
    (lambda: confusion_matrix([0], [0], n_classes=0), ValueError, "n_classes must be >= 1"),
    (lambda: precision([0, 2], [0, 1]), ValueError, r"average='binary' needs labels 0 and 1 only; got labels \[0, 1, 2\]"),
    (lambda: recall([0, 1], [0, 1], average="micro"), ValueError, "unknown recall: average 'micro'"),
    (lambda: f1_score([0, 1], [0, 1], pos_label=2), ValueError, "pos_label must be 0 or 1; got 2"),
    (lambda: classification_report([0, 1], [0, 1], target_names=["a"]), ValueError, "labels in 0..0"),
    (lambda: classification_report([0, 1], [0, 1], target_names=["a", "b"], n_classes=3),
     ValueError, "target_names has 2 names; expected 3"),
    (lambda: classification_report([0, 1], [0, 1], digits=-1), ValueError, "digits must be >= 0"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
