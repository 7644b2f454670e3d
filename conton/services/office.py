"""The office (Meus Dados): registration, logo, bank/PIX settings, accountant; and the branding cache."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from ..config import get_settings
from ..models import Office
from .base import unit


@dataclass(frozen=True)
class Branding:
    name: str
    logo_path: Path | None
    logo_mime: str
    version: int  # changes whenever the logo changes (cache-busting in URLs)

    @property
    def has_logo(self) -> bool:
        return self.logo_path is not None


_branding: Branding | None = None
_version = 1


def reset_cache() -> None:
    """Forget the cached branding (after the office name or logo changes)."""
    global _branding, _version  # noqa: PLW0603
    _branding = None
    _version += 1


def logo_dir() -> Path:
    path = get_settings().data_dir / 'logo'
    path.mkdir(parents=True, exist_ok=True)
    return path


def branding() -> Branding:
    """Office name and logo for the header, e-mails and PDFs; cached in memory (one process) until changed."""
    global _branding  # noqa: PLW0603
    if _branding is None:
        with unit() as session:
            office = session.get(Office, 1)
        name = (office.trade_name or office.legal_name) if office else ''
        path = logo_dir() / office.logo_file if office and office.logo_file else None
        _branding = Branding(name or 'Conton', path if path and path.exists() else None,
                             office.logo_mime if office else '', _version)
    return _branding


def ensure(session: Session) -> Office:
    office = session.get(Office, 1)
    if office is None:
        office = Office(id=1)
        session.add(office)
        session.flush()
    return office
