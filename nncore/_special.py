"""The complementary error function erfc, vectorised in NumPy.

NumPy has no ``erf``; ``math.erfc`` works on one number at a time. GELU needs
the normal CDF  Phi(x) = 0.5 * erfc(-x / sqrt(2))  on whole arrays and to
full float64 accuracy (gradient checks compare to ~1e-6 relative error, so an
approximation good to 1e-7 is not enough).

We use W. J. Cody's rational Chebyshev approximations (Cody 1969, "Rational
Chebyshev approximations for the error function", Math. Comp. 23, 631-637;
the coefficients are those of his public-domain routine CALERF in the SPECFUN
package), which are accurate to about 1e-16 relative error:

    |x| <= 0.46875     erf(x)  = x * R1(x^2)                 erfc = 1 - erf
    0.46875 < x <= 4   erfc(x) = exp(-x^2) * R2(x)
    x > 4              erfc(x) = exp(-x^2) / x * (1/sqrt(pi) - R3(1/x^2) / x^2)
    x < -0.46875       erfc(x) = 2 - erfc(-x)

Each R is a ratio of two polynomials; their coefficients below are listed
highest power first, the order ``np.polyval`` expects. The tests compare
against ``math.erfc`` to 1e-14 relative error.
"""
import numpy as np

__all__ = []  # private module

_R1_NUM = [1.85777706184603153e-1, 3.16112374387056560e00, 1.13864154151050156e02,
           3.77485237685302021e02, 3.20937758913846947e03]
_R1_DEN = [1.0, 2.36012909523441209e01, 2.44024637934444173e02,
           1.28261652607737228e03, 2.84423683343917062e03]
_R2_NUM = [2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594e00,
           6.61191906371416295e01, 2.98635138197400131e02, 8.81952221241769090e02,
           1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03]
_R2_DEN = [1.0, 1.57449261107098347e01, 1.17693950891312499e02,
           5.37181101862009858e02, 1.62138957456669019e03, 3.29079923573345963e03,
           4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03]
_R3_NUM = [1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1,
           1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4]
_R3_DEN = [1.0, 2.56852019228982242e00, 1.87295284992346047e00,
           5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3]


def _exp_minus_square(y):
    """exp(-y^2) without the rounding error of forming y*y first.

    Split y = s + d where s = trunc(16 y) / 16 has few bits, so s*s is exact,
    then exp(-y^2) = exp(-s^2) * exp(-(y - s)(y + s)).
    """
    s = np.trunc(16.0 * y) / 16.0
    return np.exp(-s * s) * np.exp(-(y - s) * (y + s))


def erfc(x):
    """Complementary error function erfc(x) = 1 - erf(x), elementwise.

    Parameters
    ----------
    x : ndarray of float64, any shape

    Returns
    -------
    ndarray of float64, same shape as `x`, values in [0, 2]
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.abs(x)
    out = np.full_like(y, np.nan)  # NaN in, NaN out

    small = y <= 0.46875
    mid = (y > 0.46875) & (y <= 4.0)
    big = y > 4.0

    t = y[small] ** 2
    out[small] = 1.0 - x[small] * np.polyval(_R1_NUM, t) / np.polyval(_R1_DEN, t)

    ym = y[mid]
    out[mid] = _exp_minus_square(ym) * np.polyval(_R2_NUM, ym) / np.polyval(_R2_DEN, ym)

    yb = np.minimum(y[big], 30.0)  # erfc(30) ~ 1e-393 is 0.0 in float64 already
    t = 1.0 / yb**2
    r3 = t * np.polyval(_R3_NUM, t) / np.polyval(_R3_DEN, t)
    out[big] = _exp_minus_square(yb) / yb * (1.0 / np.sqrt(np.pi) - r3)

    # erfc(-y) = 2 - erfc(y) for the negative arguments outside the small range
    neg = (x < 0) & ~small
    out[neg] = 2.0 - out[neg]
    return out


def log_erfc(x):
    """log(erfc(x)) for x >= 0, elementwise, finite even where erfc(x) underflows.

    For x <= 4, ``log(erfc(x))``. Beyond, the big-x formula above in logs:
    ``-x^2 - log(x) + log(1/sqrt(pi) - R3(1/x^2) / x^2)``; erfc itself
    underflows to 0 near x = 27, its logarithm does not.

    Parameters
    ----------
    x : ndarray of float64, any shape, values >= 0

    Returns
    -------
    ndarray of float64, same shape as `x`, values <= 0
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    big = x > 4.0
    out[~big] = np.log(erfc(x[~big]))
    xb = x[big]
    t = 1.0 / xb**2
    r3 = t * np.polyval(_R3_NUM, t) / np.polyval(_R3_DEN, t)
    out[big] = -xb * xb - np.log(xb) + np.log(1.0 / np.sqrt(np.pi) - r3)
    return out
