"""The shared page pieces every tool uses.

Pages import from here (and from `common`, `frame`, `listing`), never from another tool's page module.
"""
from __future__ import annotations
