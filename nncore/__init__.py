"""nncore: the small NumPy neural-network core the book builds and uses.

Every public name is re-exported here, so chapters can write
``from nncore import Linear, ReLU, Sequential``.
"""
from .functional import *  # noqa: F401,F403
from .init import *  # noqa: F401,F403
from .module import *  # noqa: F401,F403
from .activations import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .optim import *  # noqa: F401,F403
from .network import *  # noqa: F401,F403
from .callbacks import *  # noqa: F401,F403
from .train import *  # noqa: F401,F403
from .data import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
from .gradcheck import *  # noqa: F401,F403
from .explain import *  # noqa: F401,F403
from .diagnostics import *  # noqa: F401,F403

__version__ = "0.1.0"
