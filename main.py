"""Conton: builds the app (settings -> db -> pages -> scheduler hooks) and serves it."""
import gc
import os
import tempfile

from conton.config import get_settings, secure_data_dir

settings = get_settings()
secure_data_dir(settings)  # umask 077; data folder 0700, its files 0600 (also an older install's)
os.environ.setdefault('NICEGUI_STORAGE_PATH', str((settings.data_dir / '.nicegui').resolve()))
TMP = (settings.data_dir / 'tmp').resolve()  # temporary files (upload spools) on the data disk: /tmp may be RAM
TMP.mkdir(mode=0o700, exist_ok=True)
os.environ['TMPDIR'] = tempfile.tempdir = str(TMP)

from nicegui import app, ui  # noqa: E402

from conton import db, http_guard, jobs, web  # noqa: E402
from conton.pages import register_all  # noqa: E402

db.migrate()
db.optimize()
web.setup(app)
register_all()
if os.environ.get('CONTON_NO_SCHEDULER') != '1':
    app.on_startup(jobs.start)
    app.on_shutdown(jobs.stop)


def _freeze_heap() -> None:
    """Once the app is built: move every object alive now (modules, pages, the ORM's mappers) out of the garbage
    collector's sight. A full collection otherwise walks all of them and holds the GIL for 100-200 ms on a busy
    machine, freezing every tab while a large job (a comunicado to 4,000 logins) allocates; bench/announcements.py
    measured 203 ms of event-loop lag before, 8 ms after. Not under pytest: the test session freezes once itself
    (tests/conftest.py), and the `user` fixture builds the app again for every test."""
    from conton.br import calendar
    calendar.warm()  # the holidays' country data imported now, not in the first save that needs a business day
    if 'PYTEST_CURRENT_TEST' not in os.environ:
        gc.collect()
        gc.freeze()


app.on_startup(_freeze_heap)

if __name__ in {'__main__', '__mp_main__'}:
    ui.run(host=settings.host, port=settings.port, title='Conton', language='pt-BR', favicon='💼',
           storage_secret=settings.storage_secret(), reload=False, show=False,
           uvicorn_logging_level='warning', proxy_headers=True, forwarded_allow_ips='127.0.0.1',
           session_middleware_kwargs=http_guard.session_cookie_options(settings),
           gzip_middleware_factory=http_guard.Compression)
