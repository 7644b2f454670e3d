"""Settings, read from the environment (prefix CONTON_) and an optional .env file."""
from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix='CONTON_', env_file='.env', extra='ignore')

    data_dir: Path = Path('./data')
    database_url: str = ''
    port: int = 8080
    host: str = '0.0.0.0'
    base_url: str = ''
    secret: str = ''
    smtp_host: str = ''
    smtp_port: int = 587
    smtp_user: str = ''
    smtp_password: str = ''
    smtp_security: Literal['none', 'starttls', 'ssl'] = 'starttls'
    mail_from: str = ''
    timezone: str = 'America/Sao_Paulo'
    idle_timeout_hours: float = 12
    max_upload_mb: int = 25

    @property
    def db_url(self) -> str:
        return self.database_url or f'sqlite:///{(self.data_dir / "conton.db").resolve()}'

    @property
    def public_url(self) -> str:
        return (self.base_url or f'http://localhost:{self.port}').rstrip('/')

    def storage_secret(self) -> str:
        """CONTON_SECRET, or a random one generated on first run and kept in the data folder."""
        if self.secret:
            return self.secret
        path = self.data_dir / 'secret.key'
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def reset_settings() -> None:
    get_settings.cache_clear()
