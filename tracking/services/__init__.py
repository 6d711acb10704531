"""Every write of the tracking app. Forms parse input; these functions decide."""

from .companies import *  # noqa: F403
from .constraints import *  # noqa: F403
from .metrics import *  # noqa: F403
