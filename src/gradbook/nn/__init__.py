"""``gradbook.nn``: modules and layers with PyTorch's names, arguments, defaults and layouts."""
from . import functional, init  # noqa: F401
from .activation import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .local import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .module import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .separable import *  # noqa: F401,F403
from .shuffle import *  # noqa: F401,F403
from .switchable_norm import *  # noqa: F401,F403
from . import utils  # noqa: F401,E402
