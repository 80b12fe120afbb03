"""Classification metrics: accuracy, precision, recall, F1, the confusion matrix.

All functions take integer class labels (not probabilities): ``y_true`` and
``y_pred`` of shape (N,). Turn probabilities into labels first, e.g.
``(p >= 0.5).astype(int)`` or ``p.argmax(axis=1)``.

Zero division: when a ratio has a zero denominator (precision with no
positive predictions, recall with no positive examples, F1 when precision
and recall are both 0) the value is defined to be 0.0, with no warning,
like scikit-learn's ``zero_division=0``.
"""
import numpy as np

from ._checks import as_float_array, check_choice, check_int, check_labels, check_same_batch

__all__ = ["accuracy", "confusion_matrix", "precision", "recall", "f1_score",
           "classification_report"]


def _labels(y_true, y_pred, who, n_classes=None):
    """Check a pair of label vectors; return them as int arrays and the class count."""
    t = as_float_array(y_true, f"{who}: y_true", ndim=1)
    p = as_float_array(y_pred, f"{who}: y_pred", ndim=1)
    check_same_batch(t, p, (f"{who}: y_true", f"{who}: y_pred"))
    if t.size == 0:
        raise ValueError(f"{who}: y_true and y_pred are empty; need at least one label")
    if n_classes is None:
        n_classes = int(max(t.max(), p.max(), 0)) + 1
    n_classes = check_int(n_classes, f"{who}: n_classes")
    t = check_labels(t, n_classes, f"{who}: y_true")
    p = check_labels(p, n_classes, f"{who}: y_pred")
    return t, p, n_classes


def _ratio(num, den):
    """num / den elementwise, with 0.0 where den == 0 (no warning)."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.zeros_like(num), where=den != 0)


def accuracy(y_true, y_pred):
    """Fraction of labels predicted correctly.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)

    Returns
    -------
    float
        ``mean(y_true == y_pred)``, in [0, 1].
    """
    t, p, _ = _labels(y_true, y_pred, "accuracy")
    return float(np.mean(t == p))


def confusion_matrix(y_true, y_pred, n_classes=None):
    """Count how often each true class was predicted as each class.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)
    n_classes : int, optional
        Number of classes C; default: the largest label seen + 1.

    Returns
    -------
    ndarray of int, shape (C, C)
        ``cm[i, j]`` = number of examples of true class i predicted as j
        (rows: true class, columns: predicted class). The diagonal holds the
        correct predictions.
    """
    t, p, c = _labels(y_true, y_pred, "confusion_matrix", n_classes)
    cm = np.zeros((c, c), dtype=np.int64)
    np.add.at(cm, (t, p), 1)  # one count per (true, predicted) pair
    return cm


def _scores(cm):
    """Per-class precision, recall and F1 from a confusion matrix, each shape (C,)."""
    tp = np.diag(cm)  # (C,) true positives of each class
    prec = _ratio(tp, cm.sum(axis=0))  # TP / (TP + FP): column sums count predictions
    rec = _ratio(tp, cm.sum(axis=1))  # TP / (TP + FN): row sums count true examples
    return prec, rec, _ratio(2 * prec * rec, prec + rec)


def _averaged(y_true, y_pred, who, average, pos_label, which):
    """Compute score number `which` (0 P, 1 R, 2 F1) with the requested averaging."""
    if average is not None:
        check_choice(average, ["binary", "macro"], f"{who}: average")
    t, p, c = _labels(y_true, y_pred, who)
    if average == "binary":
        if c > 2:
            seen = np.union1d(t, p).tolist()
            raise ValueError(f"{who}: average='binary' needs labels 0 and 1 only; got labels "
                             f"{seen}. Use average='macro' for more classes")
        if isinstance(pos_label, bool) or pos_label not in (0, 1):
            raise ValueError(f"{who}: pos_label must be 0 or 1; got {pos_label!r}")
        return float(_scores(confusion_matrix(t, p, 2))[which][pos_label])
    score = _scores(confusion_matrix(t, p, c))[which]  # (C,)
    return score if average is None else float(np.mean(score))


def precision(y_true, y_pred, average="binary", pos_label=1):
    """Precision: of the examples predicted positive, the fraction that are.

    ``precision = TP / (TP + FP)``; 0.0 if nothing was predicted positive.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)
    average : {"binary", "macro", None}, default "binary"
        "binary": labels must be 0/1, score the class `pos_label`.
        "macro": unweighted mean of the per-class scores.
        None: return the per-class scores, shape (C,).
    pos_label : int, default 1

    Returns
    -------
    float, or ndarray of shape (C,) if ``average=None``
    """
    return _averaged(y_true, y_pred, "precision", average, pos_label, 0)


def recall(y_true, y_pred, average="binary", pos_label=1):
    """Recall: of the truly positive examples, the fraction predicted positive.

    ``recall = TP / (TP + FN)``; 0.0 if there are no positive examples.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)
    average : {"binary", "macro", None}, default "binary"
        As in :func:`precision`.
    pos_label : int, default 1

    Returns
    -------
    float, or ndarray of shape (C,) if ``average=None``
    """
    return _averaged(y_true, y_pred, "recall", average, pos_label, 1)


def f1_score(y_true, y_pred, average="binary", pos_label=1):
    """F1: the harmonic mean of precision and recall, ``2 P R / (P + R)``.

    0.0 when P + R = 0. With ``average="macro"`` the per-class F1 scores are
    averaged (not the F1 of the averaged P and R).

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)
    average : {"binary", "macro", None}, default "binary"
    pos_label : int, default 1

    Returns
    -------
    float, or ndarray of shape (C,) if ``average=None``
    """
    return _averaged(y_true, y_pred, "f1_score", average, pos_label, 2)


def classification_report(y_true, y_pred, target_names=None, n_classes=None, digits=2):
    """A text table of precision, recall, F1 and support for every class.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)
    target_names : sequence of str, optional
        One name per class; default ``"0", "1", ...``.
    n_classes : int, optional
        Number of classes C; default: ``len(target_names)`` or the largest label + 1.
    digits : int, default 2
        Decimals shown.

    Returns
    -------
    str
        One row per class, then the accuracy and the macro averages.
    """
    if n_classes is None and target_names is not None:
        n_classes = len(target_names)
    t, p, c = _labels(y_true, y_pred, "classification_report", n_classes)
    digits = check_int(digits, "classification_report: digits", minimum=0)
    names = [str(i) for i in range(c)] if target_names is None else [str(s) for s in target_names]
    if len(names) != c:
        raise ValueError(f"classification_report: target_names has {len(names)} names; "
                         f"expected {c} (one per class)")
    prec, rec, f1 = _scores(confusion_matrix(t, p, c))  # each (C,)
    support = np.bincount(t, minlength=c)  # (C,) true examples per class
    w = max(12, *(len(s) for s in names))
    head = f"{'':>{w}} {'precision':>9} {'recall':>9} {'f1-score':>9} {'support':>9}"
    lines = [head, ""]
    for i in range(c):
        lines.append(f"{names[i]:>{w}} {prec[i]:>9.{digits}f} {rec[i]:>9.{digits}f} "
                     f"{f1[i]:>9.{digits}f} {support[i]:>9d}")
    lines.append("")
    lines.append(f"{'accuracy':>{w}} {'':>9} {'':>9} {np.mean(t == p):>9.{digits}f} {len(t):>9d}")
    lines.append(f"{'macro avg':>{w}} {prec.mean():>9.{digits}f} {rec.mean():>9.{digits}f} "
                 f"{f1.mean():>9.{digits}f} {len(t):>9d}")
    return "\n".join(lines)
