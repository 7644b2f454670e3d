"""main.py makes the data folder private before it serves anything (issue 7.1): umask 077, an older install's
folder and files tightened."""
import os
import stat

import pytest
from nicegui.testing import User

from conton.config import get_settings


@pytest.fixture
def loose_install(db):
    """An install made under the default umask (requested before `user`, which runs main.py)."""
    previous = os.umask(0o022)
    data = get_settings().data_dir
    (data / 'secret.key').write_text('segredo antigo')
    (data / 'files' / 'logo').mkdir(parents=True)
    for path in (data, data / 'files', data / 'files' / 'logo'):
        path.chmod(0o755)
    (data / 'secret.key').chmod(0o644)
    yield data
    os.umask(previous)


async def test_start_up_makes_the_data_folder_private(db, loose_install, user: User) -> None:
    await user.open('/login')
    modes = {p.relative_to(loose_install).as_posix(): stat.S_IMODE(p.stat().st_mode)
             for p in [loose_install, *loose_install.rglob('*')]}
    assert modes['.'] == modes['files'] == modes['files/logo'] == 0o700
    assert modes['secret.key'] == 0o600
    assert db == 'postgresql' or modes['conton.db'] == 0o600
    assert os.umask(0o077) == 0o077
