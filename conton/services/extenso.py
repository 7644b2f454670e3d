"""Moved to `conton.br.extenso` (amounts in words, pure Brazilian pieces); kept so that existing imports keep working."""

from ..br.extenso import *  # noqa: F401,F403
from ..br.extenso import __all__  # noqa: F401
