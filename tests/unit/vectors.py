"""The published test vectors, read from tests/vectors/ inside the repository (kept for `from .vectors import load`)."""

from tests.vectors import VECTORS_DIR, load

__all__ = ['VECTORS_DIR', 'load']
