"""``gradbook.nn.functional``: the differentiable building blocks under ``gradbook.nn``'s layers,
with ``torch.nn.functional``'s names and argument orders. Each lives in its family's module in
``gradbook.ops``; this module gathers them."""
from ..ops.activation import *  # noqa: F401,F403
from ..ops.conv import *  # noqa: F401,F403
from ..ops.dropout import *  # noqa: F401,F403
from ..ops.elementwise import relu, sigmoid, tanh  # noqa: F401
from ..ops.focal_loss import sigmoid_focal_loss  # noqa: F401
from ..ops.linear import *  # noqa: F401,F403
from ..ops.loss import *  # noqa: F401,F403
from ..ops.norm import *  # noqa: F401,F403
from ..ops.pool import *  # noqa: F401,F403
from ..ops.shape import channel_shuffle, pad  # noqa: F401
