"""Moved to the package `conton.pdf` (boleto, recibo, list report, PIX QR; pure: data in, bytes out); kept so that
existing imports keep working."""

from ..pdf import *  # noqa: F401,F403
from ..pdf import __all__  # noqa: F401
