"""The one clock of the app: UTC for storage, the office time zone for what people see.

Tests move time with `set_now()`; nothing else in the code calls datetime.now() directly.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from .config import get_settings

_frozen: datetime | None = None


def now() -> datetime:
    """Aware UTC datetime (what the database stores)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(timezone.utc)


def set_now(value: datetime | None) -> None:
    """Freeze the clock (tests, benchmarks); a naive value is taken as UTC; None returns to real time."""
    global _frozen  # noqa: PLW0603
    _frozen = value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


def tz() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def local(value: datetime) -> datetime:
    """A stored UTC datetime in the office time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(tz())


def today() -> date:
    """Today's date in the office time zone."""
    return local(now()).date()
