"""Live views: after commit a service announces what changed; every open tab that shows it refreshes its own region.

    live.announce(session, tool='receivables', client_id=charge.client_id, item_id=charge.id)  # in the service
    live.subscribe('receivables', actor, view.show, load=receivables.portal)                  # once, in the page

How a change travels:
- `announce` collects changes on the unit of work; after commit they are published through the backend, together
  with the notifications written by `notifications.notify` in the same transaction (one message: the views are
  updated before the drawers; the drawer subscribes with `subscribe_inbox`).
- A notification pops up in its recipient's open drawer only when the recipient's channel for its category includes
  the drawer ('drawer' or 'both', services/channels.py): read at dispatch for the logins with an open tab.
- Subscribers are indexed: views by (tool, scope) — the scope is the client for a client login (it hears only its
  own client's changes) and 'staff' for the office (who must have read permission on the tool) — and the drawer by
  recipient user id. A change touches only the tabs in its index entries; no loop over every open tab.
- Per dispatch (changes published within one loop turn are dispatched together): ONE query reads the active flag,
  session version and permissions of the logins whose tabs are touched; a tab whose session ended (login disabled,
  password changed, logged out: its browser storage no longer holds that login and version) is unsubscribed and
  sent to /login, and gets nothing. Then each `load` runs once per (scope, key) — the data a client's Financeiro
  shows is the same for every tab of that client, so it is read once, not once per tab — and the callbacks run in
  their tabs' contexts on the event loop, yielding to it every ~10 ms so that no other user waits long.

What does not push: a write made outside this server process (the `conton` CLI, a second app process) has no
subscribers to tell. The announcement goes through one small interface, `Backend.publish(changes, notes)`, with an
in-process backend today; when an office runs more than one process, a PostgreSQL backend can carry the same
messages with `NOTIFY conton_live, '<json of ids>'` after commit and a `LISTEN conton_live` connection per process
that hands them to `Hub.receive` (notifications re-read by id), with nothing else changed.
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
import weakref
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from nicegui import background_tasks, core
from sqlmodel import Session, select

from ..db import after_commit
from .errors import ServiceError
from .permissions import Actor

log = logging.getLogger(__name__)
STAFF = ('staff',)
SLICE_SECONDS, SLICE_TABS = 0.005, 20  # callbacks run in slices (~5 ms, at most 20 tabs), then the loop serves the
PAUSE_SECONDS = 0.001  # rest: those tabs' sends (each tab's outbox is its own task) and everyone else's requests


@dataclass(frozen=True)
class Change:
    tool: str
    client_id: uuid.UUID | None = None
    item_id: uuid.UUID | None = None


def announce(session: Session, tool: str, client_id: uuid.UUID | None = None, item_id: uuid.UUID | None = None) -> None:
    """Record, inside the caller's transaction, that `tool` data (of `client_id`, if it belongs to a client) changed;
    published once the transaction commits (never after a rollback)."""
    _pending(session)[0].append(Change(tool, client_id, item_id))


def announce_notes(session: Session, items: list) -> None:
    """Notifications written inside the caller's transaction (`notifications.Item`s): published after commit in the
    same message as its changes, so that one dispatch updates the views first and then the drawers (two messages
    from a worker thread would be two dispatches, the drawers' possibly first)."""
    _pending(session)[1].extend(items)


def _pending(session: Session) -> tuple[list[Change], list]:
    pending = session.info.get('live_pending')
    if pending is None:
        pending = session.info['live_pending'] = ([], [])
        after_commit(session, lambda: backend.publish(list(dict.fromkeys(pending[0])), list(pending[1])))
    return pending


def subscribe(tools: str | Iterable[str], actor: Actor, callback: Callable[[Any], Any], *,
              load: Callable[[Actor], Any] | None = None, render: Callable[[Any], Any] | None = None,
              key: Hashable = None) -> None:
    """From a page: call `callback` in this tab whenever one of `tools` changes within the actor's scope.

    With `load`, the callback receives `load(actor)`, read once per event for all tabs of one scope showing the same
    `key` (default: the load and render functions; a callable key is asked at each event, for a view whose filter
    changes); without it, the callback receives the changes. With `render` too, the callback receives
    `render(load(actor))`, also computed once per group: the region's HTML, the same string for every tab, so that a
    tab's part of the event is one assignment (hundreds of tabs cost what one costs, plus their websocket sends).
    Staff hear only the tools they may read; a client login only its own client's changes. A callback may return a
    coroutine for heavier work (e.g. building new elements): it runs after every tab of the event got its quick
    first step, so that with hundreds of tabs open the first of them do not hold up the others."""
    hub.add(tuple([tools] if isinstance(tools, str) else tools), actor, callback, load, key, render)


def subscribe_inbox(actor: Actor, callback: Callable[[list], Any]) -> None:
    """From a page: call `callback(items)` in this tab with each batch of new notifications for this login."""
    hub.add_inbox(actor, callback)


def scope_of(actor: Actor) -> tuple:
    return ('client', actor.client_id) if actor.is_client else STAFF


# --------------------------------------------------------------------------------------------------------------------
# Backend: how a published change reaches the hub (in-process today)
# --------------------------------------------------------------------------------------------------------------------

class Backend(Protocol):
    def publish(self, changes: list[Change], notes: list) -> None: ...


class InProcess:
    """Hands published messages to the hub on the event loop (from the loop or from a worker thread). Without a
    running loop (CLI, scripts) there is no open tab, and nothing is sent."""

    def publish(self, changes: list[Change], notes: list) -> None:
        if not changes and not notes:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            if core.loop is not None and core.loop.is_running():
                core.loop.call_soon_threadsafe(hub.receive, changes, notes)
            return
        hub.receive(changes, notes)


# --------------------------------------------------------------------------------------------------------------------
# Hub: the subscriptions of this process, indexed, and the dispatch
# --------------------------------------------------------------------------------------------------------------------

@dataclass(eq=False)
class _Sub:
    tab: Any  # nicegui Client
    slot: weakref.ref
    storage: Any  # the browser's app.storage.user (holds the login id and session version while the session lasts)
    actor: Actor
    callback: Callable
    keys: tuple
    tools: tuple[str, ...] = ()
    load: Callable | None = None
    share: Hashable = None
    dynamic: bool = False  # `share` is a function that tells the key at each event
    inbox: bool = False
    render: Callable | None = None

    def group(self) -> tuple:
        return scope_of(self.actor), self.share() if self.dynamic else self.share


@dataclass
class _Batch:
    changes: list[Change] = field(default_factory=list)
    notes: list = field(default_factory=list)


class Hub:
    def __init__(self) -> None:
        self.index: dict[tuple, dict[_Sub, None]] = {}
        self.tabs: dict[str, list[_Sub]] = {}
        self.pending = _Batch()
        self.running = False
        self.later: list[tuple[Any, Any]] = []  # (slot, coroutine) returned by callbacks of the current dispatch
        self.delivered = 0  # callbacks run (tests, benchmarks)

    # ---- subscribing ------------------------------------------------------------------------------------------

    def add(self, tools: tuple[str, ...], actor: Actor, callback, load, share, render=None) -> None:
        tools = tuple(t for t in tools if actor.is_client or actor.can(t, 'read'))
        if not tools:
            return
        scope = scope_of(actor)
        if share is None:
            share = load if render is None else (load, render)
        self._add(_Sub(*self._tab(), actor, callback, tuple(('view', t, scope) for t in tools), tools, load,
                       share, dynamic=callable(share), render=render))

    def add_inbox(self, actor: Actor, callback) -> None:
        self._add(_Sub(*self._tab(), actor, callback, (('inbox', actor.user_id),), inbox=True))

    @staticmethod
    def _tab() -> tuple[Any, weakref.ref, Any]:
        from nicegui import app, context
        try:
            storage = app.storage.user
        except (RuntimeError, AssertionError):
            storage = None
        return context.client, weakref.ref(context.slot), storage

    def _add(self, sub: _Sub) -> None:
        tab_subs = self.tabs.get(sub.tab.id)
        if tab_subs is None:
            tab_subs = self.tabs[sub.tab.id] = []
            tab_id = sub.tab.id
            sub.tab.on_delete(lambda: self.drop_tab(tab_id))
        tab_subs.append(sub)
        for key in sub.keys:
            self.index.setdefault(key, {})[sub] = None

    def drop_tab(self, tab_id: str) -> None:
        for sub in self.tabs.pop(tab_id, []):
            for key in sub.keys:
                entry = self.index.get(key)
                if entry is not None:
                    entry.pop(sub, None)
                    if not entry:
                        del self.index[key]

    def count(self) -> int:
        return sum(len(subs) for subs in self.tabs.values())

    # ---- dispatch ---------------------------------------------------------------------------------------------

    def receive(self, changes: list[Change], notes: list) -> None:
        """On the event loop: queue the message; one dispatcher drains the queue in order."""
        if not self.tabs:  # no open tab in this process (a script, a service test): nobody to tell
            return
        self.pending.changes += changes
        self.pending.notes += notes
        if not self.running:
            self.running = True
            if core.loop is not None:
                background_tasks.create(self._drain(), name='live dispatch')
            else:  # a loop that is not NiceGUI's (e.g. an async test driving services directly)
                asyncio.get_running_loop().create_task(self._drain(), name='live dispatch')

    async def _drain(self) -> None:
        try:
            while self.pending.changes or self.pending.notes:
                batch, self.pending = self.pending, _Batch()
                try:
                    await self._dispatch(batch)
                except Exception:  # noqa: BLE001  (one bad batch must not stop live updates for good)
                    log.exception('live dispatch failed')
        finally:
            self.running = False

    def _targets(self, batch: _Batch) -> dict[_Sub, list]:
        targets: dict[_Sub, list] = {}
        for change in batch.changes:
            keys = [('view', change.tool, STAFF)]
            if change.client_id is not None:
                keys.append(('view', change.tool, ('client', change.client_id)))
            for key in keys:
                for sub in self.index.get(key, ()):
                    if change.tool in sub.tools or not sub.tools:
                        targets.setdefault(sub, []).append(change)
        for item in batch.notes:
            for sub in self.index.get(('inbox', item.user_id), ()):
                targets.setdefault(sub, []).append(item)
        return targets

    async def _dispatch(self, batch: _Batch) -> None:
        targets = self._targets(batch)
        if not targets:
            return
        groups: dict[tuple, list[_Sub]] = {}
        keys: dict[_Sub, tuple] = {}
        for sub in targets:
            if sub.load is not None:
                keys[sub] = sub.group()
                groups.setdefault(keys[sub], []).append(sub)
        # On the loop, like a page render: one small query, then each region's own query once (a few ms each).
        # A worker thread would only add a hop, and could outlive the tabs it was working for.
        notes = {(item.user_id, item.category) for sub, payload in targets.items() if sub.inbox for item in payload}
        logins, data, silent = _prepare({s.actor.user_id for s in targets},
                                        [(k, s[0].load, s[0].render, [x.actor for x in s])
                                         for k, s in groups.items()], notes)
        await asyncio.sleep(0)
        pace = _Pace()
        for sub, payload in targets.items():
            if sub.tab.id not in self.tabs:
                continue  # the tab closed meanwhile, or an earlier callback ended it
            login = logins.get(sub.actor.user_id)
            if not self._session_holds(sub, login):
                self._end(sub, login)
            elif sub.inbox:
                payload = [i for i in payload if (i.user_id, i.category) not in silent]
                if payload:  # a login that chose 'email' or 'none' for a category gets no live pop for it
                    self._run(sub, payload)
            elif _may_read(sub, login):
                if sub.load is not None:
                    key = keys[sub]
                    if key not in data:
                        continue  # the load failed for that scope (e.g. the client was deleted)
                    payload = data[key]
                self._run(sub, payload)
            await pace.step()
        later, self.later = self.later, []
        for slot, coroutine in later:  # the heavier second steps, once every tab has had its quick first one
            try:
                await background_tasks.create(coroutine, name='live callback', context=slot)
            except Exception:  # noqa: BLE001  (already reported in the tab's context)
                pass
            await pace.step()

    @staticmethod
    def _session_holds(sub: _Sub, login: _Login | None) -> bool:
        actor = sub.actor
        if login is None or not login.active or login.session_version != actor.session_version:
            return False
        storage = sub.storage
        return storage is None or (storage.get('uid') == str(actor.user_id)
                                   and storage.get('sv') == actor.session_version)

    def _end(self, sub: _Sub, login: _Login | None) -> None:
        """The tab's session is over: it hears nothing more and goes to the login page (or, when the browser holds a
        fresh session of the same login, e.g. after changing the password in this tab, it reloads)."""
        self.drop_tab(sub.tab.id)
        storage = sub.storage
        fresh = (login is not None and login.active and storage is not None
                 and storage.get('uid') == str(sub.actor.user_id) and storage.get('sv') == login.session_version)
        from nicegui import ui
        with sub.tab:
            if fresh:
                ui.navigate.reload()
            else:
                ui.navigate.to('/login')

    def _run(self, sub: _Sub, payload: Any) -> None:
        slot = sub.slot()
        if slot is None:
            return
        self.delivered += 1
        with slot:
            try:
                result = sub.callback(payload)
                if asyncio.iscoroutine(result):
                    self.later.append((slot, result))
            except Exception as e:  # noqa: BLE001
                core.app.handle_exception(e)


class _Pace:
    """Yield to the loop after every slice of callbacks, so that no one waits behind hundreds of tabs: all woken
    outboxes would otherwise send in one pass of the loop."""

    def __init__(self) -> None:
        self.started, self.count = time.perf_counter(), 0

    async def step(self) -> None:
        self.count += 1
        if self.count >= SLICE_TABS or time.perf_counter() - self.started > SLICE_SECONDS:
            await asyncio.sleep(PAUSE_SECONDS)
            self.started, self.count = time.perf_counter(), 0


@dataclass(frozen=True)
class _Login:
    active: bool
    session_version: int
    role: str
    permissions: dict


def _may_read(sub: _Sub, login: _Login) -> bool:
    """Staff keep hearing a tool only while they may still read it (permissions can change under an open tab)."""
    if sub.actor.is_client:
        return True
    fresh = replace(sub.actor, role=login.role, permissions=login.permissions)
    return any(fresh.can(t, 'read') for t in sub.tools)


def _prepare(user_ids: set[uuid.UUID], groups: list[tuple[tuple, Callable, Callable | None, list[Actor]]],
             notes: set[tuple[uuid.UUID, str]] = frozenset()) -> tuple[dict, dict, set]:
    """The touched logins' state in one query, which of the (login, category) pairs of the notifications must not pop
    up (their channel: two more queries, only when notifications are in the batch), then each group's data once,
    loaded as one of its logins whose session still holds."""
    from ..models import User
    from .base import unit
    from .channels import silent
    logins: dict[uuid.UUID, _Login] = {}
    ids = list(user_ids)
    with unit() as session:
        for start in range(0, len(ids), 900):
            rows = session.exec(select(User.id, User.active, User.session_version, User.role, User.permissions,
                                       User.password_hash).where(User.id.in_(ids[start:start + 900]))).all()
            logins.update({r[0]: _Login(bool(r[1]) and bool(r[5]), r[2], r[3], dict(r[4] or {})) for r in rows})
        quiet = silent(session, notes) if notes else set()
    data = {}
    for key, load, render, actors in groups:
        actor = next((a for a in actors if (s := logins.get(a.user_id)) and s.active
                      and s.session_version == a.session_version), None)
        if actor is None:
            continue
        try:
            loaded = load(replace(actor, loaded_at=time.monotonic()))  # its session was checked just above
        except ServiceError:
            continue
        data[key] = loaded if render is None else render(loaded)
    return logins, data, quiet


backend: Backend = InProcess()
hub = Hub()


def reset() -> None:
    """Tests: forget every subscription (NiceGUI resets its clients between tests)."""
    global hub  # noqa: PLW0603
    hub = Hub()
