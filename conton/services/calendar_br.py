"""Moved to `conton.br.calendar` (pure Brazilian pieces); kept so that existing imports keep working."""

from ..br.calendar import *  # noqa: F401,F403
from ..br.calendar import __all__  # noqa: F401
