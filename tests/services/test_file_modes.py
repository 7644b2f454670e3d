"""Issue 7.1: no other account on the machine can read the data folder. The data folder and every folder in it are
0700, every file the app or `conton backup` writes is 0600 (umask 077 at start-up), and an older install is
tightened at start-up."""
from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest
from nicegui.persistence.file_persistent_dict import FilePersistentDict

from conton import cli, config
from conton import db as dbmod
from conton.config import get_settings
from conton.services import backup, office, storage
from tests.factories import actor_of, make_client, make_office, make_user


def test_an_older_install_is_tightened_at_start_up(db, loose_umask) -> None:
    data = get_settings().data_dir
    loose = old_install(data)
    assert {mode(p) for p in loose if p.is_file()} == {0o644} and mode(data) == 0o755
    config.secure_data_dir()
    assert mode(data) == 0o700
    assert {p.relative_to(data).as_posix(): mode(p) for p in loose} == \
        {p.relative_to(data).as_posix(): 0o700 if p.is_dir() else 0o600 for p in loose}


def test_files_written_after_start_up_are_private(db, loose_umask, monkeypatch) -> None:
    monkeypatch.delenv('CONTON_SECRET')
    config.reset_settings()
    data = get_settings().data_dir
    config.secure_data_dir()

    make_office()
    admin = actor_of(make_user('admin'))
    make_client()  # a write: SQLite keeps its -wal/-shm open
    get_settings().storage_secret()
    session = FilePersistentDict(data / '.nicegui' / 'storage-user-1234.json')
    session['uid'] = 'x'  # NiceGUI writes its session file (no event loop here: at once)
    stored = asyncio.run(storage.save_bytes(png(), original_name='logo.png', folder='logo', max_bytes=2 << 20,
                                            allowed=storage.IMAGES))
    office.set_logo(admin, stored)
    office.remove_logo(admin)  # the logo goes to the trash folder
    archive = backup.create()

    written = [data / 'secret.key', data / '.nicegui' / 'storage-user-1234.json', archive,
               storage.trash_path('logo') / stored.name]
    if db == 'sqlite':
        written += [data / 'conton.db', data / 'conton.db-wal', data / 'conton.db-shm']
    assert all(p.exists() for p in written), [p for p in written if not p.exists()]
    assert {p.relative_to(data).as_posix(): mode(p) for p in written} == \
        {p.relative_to(data).as_posix(): 0o600 for p in written}
    folders = [data / '.nicegui', data / 'backups', storage.folder_path('logo'), storage.trash_path('logo')]
    assert {mode(p) for p in folders} == {0o700}

    fresh = asyncio.run(storage.save_bytes(png(), original_name='outro.png', folder='logo', max_bytes=2 << 20,
                                           allowed=storage.IMAGES))
    assert mode(fresh.path) == 0o600  # an uploaded file


def test_the_cli_tightens_the_install_before_writing_its_backup(db, loose_umask, tmp_path) -> None:
    data = get_settings().data_dir
    loose = old_install(data)
    cli.main(['backup', '--output', str(tmp_path / 'cli.tar.gz')])
    assert mode(tmp_path / 'cli.tar.gz') == 0o600
    assert mode(data) == 0o700 and {mode(p) for p in loose if p.is_file()} == {0o600}
    assert os.umask(0o077) == 0o077


def test_another_account_cannot_read_anything_in_the_data_folder(db, loose_umask, monkeypatch) -> None:
    """As `nobody`: before start-up an older install can be read (the check works), after it nothing can."""
    as_nobody = other_account_command()
    base = Path(tempfile.mkdtemp(prefix='conton-modes-'))
    try:
        base.chmod(0o755)  # like /srv: anyone may pass through to the data folder
        data = base / 'data'
        data.mkdir()
        if db == 'sqlite':
            shutil.copy(Path(dbmod.get_engine().url.database), data / 'conton.db')
            monkeypatch.setenv('CONTON_DATABASE_URL', f'sqlite:///{data / "conton.db"}')
        monkeypatch.setenv('CONTON_DATA_DIR', str(data))
        monkeypatch.delenv('CONTON_SECRET')
        config.reset_settings()
        dbmod.reset_engine()
        loose = [p for p in old_install(data) if p.is_file()]
        if not can_read(as_nobody, loose[0]):
            pytest.skip(f'{" ".join(as_nobody)} cannot read a world-readable file here')

        config.secure_data_dir()
        make_client()
        get_settings().storage_secret()
        asyncio.run(storage.save_bytes(png(), original_name='logo.png', folder='logo', max_bytes=2 << 20,
                                       allowed=storage.IMAGES))
        backup.create()
        files = [p for p in data.rglob('*') if p.is_file()]
        assert len(files) > len(loose)
        assert [p for p in files if can_read(as_nobody, p)] == []
        assert subprocess.run([*as_nobody, 'ls', str(data)], capture_output=True).returncode != 0
    finally:
        dbmod.reset_engine()
        shutil.rmtree(base, ignore_errors=True)


# --- helpers -------------------------------------------------------------------------------------------------------

@pytest.fixture
def loose_umask():
    """The distribution default (022) until the app sets its own; the test process's umask is put back after."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def old_install(data: Path) -> list[Path]:
    """What an install made before the fix looks like: every folder 0755, every file 0644."""
    paths = {
        'conton.db': None, 'conton.db-wal': b'', 'conton.db-shm': b'', 'secret.key': b'segredo',
        '.nicegui/storage-user-1.json': b'{"uid": "1"}', 'files/logo/velho.png': b'\x89PNG\r\n\x1a\n',
        'files/bills/nota.pdf': b'%PDF-1.4', 'backups/conton-antigo.tar.gz': b'\x1f\x8b', 'trash/logo/x.png': b'x',
    }
    made = []
    for name, content in paths.items():
        path = data / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is not None and not path.exists():
            path.write_bytes(content)
        if path.exists():
            path.chmod(0o644)
            made.append(path)
    folders = {parent for p in made for parent in p.relative_to(data).parents if parent != Path('.')}
    data.chmod(0o755)
    for folder in sorted(folders):
        (data / folder).chmod(0o755)
    return made + [data / folder for folder in folders]


def other_account_command() -> list[str]:
    if os.geteuid() != 0:
        pytest.skip('needs root to act as another account (runuser/setpriv)')
    try:
        pwd.getpwnam('nobody')
    except KeyError:
        pytest.skip('no "nobody" account on this machine')
    if shutil.which('runuser'):
        return ['runuser', '-u', 'nobody', '--']
    if shutil.which('setpriv'):
        return ['setpriv', f'--reuid={pwd.getpwnam("nobody").pw_uid}', f'--regid={pwd.getpwnam("nobody").pw_gid}',
                '--clear-groups', '--']
    pytest.skip('neither runuser nor setpriv is installed')


def can_read(command: list[str], path: Path) -> bool:
    return subprocess.run([*command, 'cat', str(path)], capture_output=True).returncode == 0


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def png() -> bytes:
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new('RGB', (4, 4), 'blue').save(out, format='PNG')
    return out.getvalue()
