"""Conton: builds the app (settings -> db -> pages -> scheduler hooks) and serves it."""
import os

from conton.config import get_settings, secure_data_dir

settings = get_settings()
secure_data_dir(settings)  # umask 077; data folder 0700, its files 0600 (also an older install's)
os.environ.setdefault('NICEGUI_STORAGE_PATH', str((settings.data_dir / '.nicegui').resolve()))

from nicegui import app, ui  # noqa: E402

from conton import db, jobs, web  # noqa: E402
from conton.pages import register_all  # noqa: E402

db.migrate()
db.optimize()
web.setup(app)
register_all()
if os.environ.get('CONTON_NO_SCHEDULER') != '1':
    app.on_startup(jobs.start)
    app.on_shutdown(jobs.stop)

if __name__ in {'__main__', '__mp_main__'}:
    ui.run(host=settings.host, port=settings.port, title='Conton', language='pt-BR', favicon='💼',
           storage_secret=settings.storage_secret(), reload=False, show=False,
           uvicorn_logging_level='warning', proxy_headers=True, forwarded_allow_ips='127.0.0.1')
