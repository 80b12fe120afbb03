"""The book's apparatus: how the book teaches with ``nncore``.

``nncore`` is the network library; ``nnbook`` imports it and never the other
way round. Import the modules by name:

* :mod:`nnbook.plot`: figures in the book's colour-blind-safe style.
* :mod:`nnbook.checkers`: exercise checkers that say what is wrong.
* :mod:`nnbook.handtrace`: the 2-3-1 network traced by hand, every number.
* :mod:`nnbook.quiz`: self-check quizzes from one YAML file per chapter.
* :func:`glue`: myst-nb's ``glue`` for numbers, safe with NumPy 2 scalars.
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
