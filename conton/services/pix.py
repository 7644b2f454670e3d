"""Moved to `conton.br.pix` (PIX BR Code, pure Brazilian pieces); kept so that existing imports keep working."""

from ..br.pix import *  # noqa: F401,F403
from ..br.pix import __all__  # noqa: F401
