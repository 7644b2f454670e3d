"""Scheduled jobs: thin async wrappers around services, run by one AsyncIOScheduler on NiceGUI's event loop."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from nicegui import run

from .config import get_settings

from .services import mail

log = logging.getLogger(__name__)
scheduler: AsyncIOScheduler | None = None


async def send_mail() -> None:
    try:
        await run.io_bound(mail.send_due)
    except Exception:  # noqa: BLE001
        log.exception('mail job failed')


async def bill_recurrence() -> None:
    from .services import payables
    try:
        await run.io_bound(payables.extend_recurrences)
    except Exception:  # noqa: BLE001
        log.exception('bill recurrence job failed')


async def charge_generation() -> None:
    from .services import receivables
    try:
        await run.io_bound(receivables.generate_due)
    except Exception:  # noqa: BLE001
        log.exception('monthly charge generation failed')


async def docrequest_generation() -> None:
    from .services import docrequests
    try:
        await run.io_bound(docrequests.generate_due)
    except Exception:  # noqa: BLE001
        log.exception('monthly document request generation failed')


async def reminder_sweep() -> None:
    """The reminders of every tool (services/reminders.py); each source says how often it needs a sweep."""
    from .services import reminders
    try:
        await run.io_bound(reminders.sweep)
    except Exception:  # noqa: BLE001
        log.exception('reminder sweep failed')


async def reminder_startup() -> None:
    """Once at start-up: what came due while the server was down goes out now, once, marked late."""
    from .services import reminders
    try:
        await run.io_bound(reminders.startup_sweep)
    except Exception:  # noqa: BLE001
        log.exception('start-up reminder sweep failed')


async def optimize_db() -> None:
    from . import db
    try:
        await run.io_bound(db.optimize)
    except Exception:  # noqa: BLE001
        log.exception('database optimize failed')


async def purge_trash() -> None:
    from .services import storage
    try:
        await run.io_bound(storage.purge_trash)
    except Exception:  # noqa: BLE001
        log.exception('trash purge failed')


async def documents_nightly() -> None:
    """Arquivos: this month's folders from the templates for every client, then the integrity check of every stored
    document (size and SHA-256 against its row; missing and orphan files for the admin's report)."""
    from .services import files
    try:
        await run.io_bound(files.apply_templates)
        await run.io_bound(files.integrity_check)
    except Exception:  # noqa: BLE001
        log.exception('documents nightly job failed')


async def announcements_due() -> None:
    """Comunicados: start the scheduled ones whose moment came, hand the outbox its next batch of e-mails (the
    office's batch size and pause), mark finished ones sent."""
    from .services import announcements
    try:
        await run.io_bound(announcements.run_due)
    except Exception:  # noqa: BLE001
        log.exception('announcements job failed')


class Setting:
    """A trigger value read from the settings when the scheduler starts (not at import)."""

    def __init__(self, name: str) -> None:
        self.name = name


ALIGNED = object()  # an interval job's start_date: aligned_start of its interval, when the scheduler starts


# (id, function, trigger kwargs); later tools append theirs.
JOBS: list[tuple[str, object, dict]] = [
    ('send_mail', send_mail, {'trigger': 'interval', 'seconds': 30}),
    ('bill_recurrence', bill_recurrence, {'trigger': 'cron', 'hour': '*/6', 'minute': 7}),
    # idempotent: hourly, so the month's honorários exist soon after the 1st even if the server was down that day
    ('charge_generation', charge_generation, {'trigger': 'cron', 'minute': 7}),
    # idempotent too: each rule's request of last month's competência, once (services/docrequests.py)
    ('docrequest_generation', docrequest_generation, {'trigger': 'cron', 'minute': 11}),
    # charges, bills, events … (every tool's); CONTON_REMINDER_SWEEP_SECONDS (default 60) sets the interval
    # started just after the clock turns a multiple of the interval (aligned_start): reminders go out on the minute
    ('reminders', reminder_sweep, {'trigger': 'interval', 'seconds': Setting('reminder_sweep_seconds'),
                                   'start_date': ALIGNED}),
    ('optimize_db', optimize_db, {'trigger': 'cron', 'hour': 3, 'minute': 17}),
    ('purge_trash', purge_trash, {'trigger': 'cron', 'hour': 4, 'minute': 23}),  # deleted files, after 30 days
    ('documents_nightly', documents_nightly, {'trigger': 'cron', 'hour': 2, 'minute': 41}),  # templates, integrity
    ('announcements', announcements_due, {'trigger': 'interval', 'seconds': 20}),  # comunicados: schedule, batches
]


# (id, function) run once as soon as the scheduler starts
AT_STARTUP: list[tuple[str, object]] = [
    ('reminders_startup', reminder_startup),
]


def aligned_start(seconds: int, now: datetime) -> datetime:
    """The reminder sweep's first run: one second past the next multiple of its interval on the clock (for 60 s: just
    after the next minute turns), so a reminder due at 09:00 goes out at 09:00:01, not at 09:00:47."""
    step = max(1, int(seconds))
    return datetime.fromtimestamp((int(now.timestamp()) // step + 1) * step + 1, timezone.utc)


def start() -> None:
    """Called from app.on_startup (the loop is running)."""
    global scheduler  # noqa: PLW0603
    scheduler = AsyncIOScheduler(job_defaults={'coalesce': True, 'max_instances': 1, 'misfire_grace_time': 60})
    settings = get_settings()
    for job_id, func, trigger in JOBS:
        trigger = {key: getattr(settings, value.name) if isinstance(value, Setting) else value
                   for key, value in trigger.items()}
        if trigger.get('start_date') is ALIGNED:
            trigger['start_date'] = aligned_start(trigger['seconds'], datetime.now(timezone.utc))
        scheduler.add_job(func, id=job_id, replace_existing=True, **trigger)
    for job_id, func in AT_STARTUP:
        scheduler.add_job(func, id=job_id, replace_existing=True)  # no trigger: once, now
    scheduler.start()


def stop() -> None:
    global scheduler  # noqa: PLW0603
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=False)
    scheduler = None
