"""Book helpers that chapters reuse (nothing neural lives here).

* :func:`glue`: myst-nb's ``glue`` for numbers, safe with NumPy 2 scalars.
* :mod:`nnbook.quiz`: self-check quizzes from one YAML file per chapter.
"""
import numpy as np

__all__ = ["glue"]


def glue(name, value, display=False):
    """Store ``value`` under ``name`` for ``{glue:text}`` and friends.

    NumPy 2 writes a scalar's repr as ``np.float64(0.75)``, which myst-nb's
    number formatting (``{glue:text}`name:.2f```) cannot parse. Scalars are
    therefore turned into plain Python numbers first; everything else
    (figures, arrays, ``Math`` objects) is passed through unchanged.
    """
    from myst_nb import glue as _glue

    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        value = value.item()
    _glue(name, value, display=display)
