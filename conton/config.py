"""Settings, read from the environment (prefix CONTON_) and an optional .env file."""
from __future__ import annotations

import os
import secrets
import stat
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
    reminder_sweep_seconds: int = 60  # how often the reminder engine looks for what is due
    file_max_mb: int = 50  # Arquivos/Protocolos: per file
    client_quota_mb: int = 2048  # Arquivos: what one client's files may take in all (0: no quota)

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


PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def secure_data_dir(settings: Settings | None = None) -> None:
    """Keep the data folder to the account that runs Conton: umask 077 for everything this process writes from now on
    (database, -wal/-shm, secret.key, NiceGUI's session files, uploads, backups), and tighten what an older install
    left readable: the data folder and every folder under it 0700, every file 0600, and a SQLite database kept
    outside the data folder. Called first by main.py and by the `conton` command."""
    os.umask(0o077)
    settings = settings or get_settings()
    root = settings.data_dir.resolve()
    root.mkdir(parents=True, exist_ok=True)
    _tighten(root, PRIVATE_DIR)
    for folder, dirs, files in os.walk(root):  # does not follow links to folders
        for name in dirs:
            _tighten(Path(folder) / name, PRIVATE_DIR)
        for name in files:
            _tighten(Path(folder) / name, PRIVATE_FILE)
    if settings.db_url.startswith('sqlite:///'):
        db_path = Path(settings.db_url.removeprefix('sqlite:///')).resolve()
        if not db_path.is_relative_to(root):
            for path in (db_path, Path(f'{db_path}-wal'), Path(f'{db_path}-shm')):
                _tighten(path, PRIVATE_FILE)


def _tighten(path: Path, mode: int) -> None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode) or stat.S_IMODE(info.st_mode) == mode:
        return  # a link's own bits mean nothing; what it points to outside the folder is not ours to change
    os.chmod(path, mode)
