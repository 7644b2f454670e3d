"""The office's own choices for its tools (table officesetting: key -> text), typed and validated here.

Each setting is declared once in SETTINGS (type, default, bounds, label, the tool whose write permission edits it);
a key without a row has its default. Readers inside a unit of work pass their session (`get_int(key, session)`),
others let the function open its own. The pages that own a setting put its field in their tool's settings area and
save through `set(actor, key, value)`, which answers a bad value with a Portuguese message on the field named after
the key.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlmodel import Session, select

from ..models import OfficeSetting
from . import audit
from .base import unit
from .errors import NotFound, ValidationError
from .permissions import Actor, require


@dataclass(frozen=True)
class Setting:
    key: str
    kind: str  # 'int' | 'time'
    default: str
    label: str
    tool: str  # staff with write on this tool may change it
    minimum: int = 0
    maximum: int = 0
    unit: str = ''  # shown after the number ('dias', 'segundos')


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting('requests.reopen_days', 'int', '7', 'Prazo para o cliente reabrir uma solicitação concluída', 'requests',
            0, 90, 'dias'),
    Setting('docrequests.remind_every_days', 'int', '3', 'Lembrar o cliente a cada', 'docrequests', 1, 30, 'dias'),
    Setting('docrequests.remind_max', 'int', '3', 'Número máximo de lembretes', 'docrequests', 0, 20, 'lembretes'),
    Setting('docrequests.remind_time', 'time', '09:00', 'Horário dos lembretes', 'docrequests'),
    Setting('announcements.batch_size', 'int', '50', 'E-mails por lote', 'announcements', 1, 1000, 'e-mails'),
    Setting('announcements.batch_pause_seconds', 'int', '60', 'Pausa entre lotes', 'announcements', 0, 3600,
            'segundos'),
)}
DEFAULTS = {key: s.default for key, s in SETTINGS.items()}


def get_int(key: str, session: Session | None = None) -> int:
    return int(_raw(key, session))


def get_time(key: str, session: Session | None = None) -> time:
    hours, minutes = _raw(key, session).split(':')
    return time(int(hours), int(minutes))


def get_many(keys: list[str], session: Session | None = None) -> dict[str, str]:
    """Several settings as text in one query (the page of a tool's settings area)."""
    for key in keys:
        _spec(key)
    if session is None:
        with unit() as own:
            return get_many(keys, own)
    stored = dict(session.exec(select(OfficeSetting.key, OfficeSetting.value)
                               .where(OfficeSetting.key.in_(keys))).all())
    return {key: _valid_or_default(key, stored.get(key)) for key in keys}


def set(actor: Actor, key: str, value: object) -> str:  # noqa: A001 (the module's verb)
    """Store one setting (staff with write on the owning tool); returns it as stored ('7', '09:00')."""
    spec = _spec(key)
    require(actor, spec.tool, 'write')
    clean = parse(key, value)
    with unit(actor) as session:
        row = session.get(OfficeSetting, key)
        old = row.value if row is not None else spec.default
        if row is None:
            session.add(OfficeSetting(key=key, value=clean))
        else:
            row.value = clean
        if old != clean:
            audit.record(session, actor, 'update', 'setting', key, f'{old} -> {clean}')
    return clean


def parse(key: str, value: object) -> str:
    """The canonical text of a value for `key`, or ValidationError on the field `key`."""
    spec = _spec(key)
    text = str(value if value is not None else '').strip()
    if spec.kind == 'int':
        if not text.isdigit():
            raise ValidationError(f'Informe um número inteiro de {spec.minimum} a {spec.maximum}.', key)
        number = int(text)
        if not spec.minimum <= number <= spec.maximum:
            raise ValidationError(f'Informe um número de {spec.minimum} a {spec.maximum}.', key)
        return str(number)
    parts = text.replace('h', ':').split(':')
    if len(parts) == 2 and parts[1] == '':
        parts[1] = '0'
    if len(parts) != 2 or not all(p.isdigit() and len(p) <= 2 for p in parts):
        raise ValidationError('Informe o horário como hh:mm (por exemplo, 09:00).', key)
    hours, minutes = int(parts[0]), int(parts[1])
    if hours > 23 or minutes > 59:
        raise ValidationError('Horário inválido: use de 00:00 a 23:59.', key)
    return f'{hours:02d}:{minutes:02d}'


def _spec(key: str) -> Setting:
    spec = SETTINGS.get(key)
    if spec is None:
        raise NotFound()
    return spec


def _raw(key: str, session: Session | None) -> str:
    _spec(key)
    if session is None:
        with unit() as own:
            return _raw(key, own)
    row = session.get(OfficeSetting, key)
    return _valid_or_default(key, row.value if row is not None else None)


def _valid_or_default(key: str, value: str | None) -> str:
    """A stored value that no longer passes (bounds changed in code) falls back to the default."""
    if value is None:
        return SETTINGS[key].default
    try:
        return parse(key, value)
    except ValidationError:
        return SETTINGS[key].default
