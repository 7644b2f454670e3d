"""Audit log: every login, failed login, create/update/delete and permission change."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, select

from ..clock import tz
from ..models import AuditLog
from .base import unit
from .permissions import Actor, require

ACTION_LABELS = {
    'login': 'Login', 'login_failed': 'Falha de login', 'logout': 'Saída', 'create': 'Inclusão',
    'update': 'Alteração', 'delete': 'Exclusão', 'permissions': 'Permissões', 'password': 'Senha',
    'disable': 'Desativação', 'enable': 'Reativação', 'setup': 'Instalação', 'email': 'E-mail',
    'payment': 'Baixa', 'undo_payment': 'Estorno', 'generate': 'Geração',
}

# what each kind of record is called in Auditoria (tests/unit/test_audit_labels.py finds any one missing)
ENTITY_LABELS = {
    'user': 'Acesso', 'usuario': 'Acesso', 'funcionario': 'Funcionário', 'acesso_cliente': 'Acesso de cliente',
    'office': 'Escritório', 'email': 'E-mail', 'client': 'Cliente', 'cliente': 'Cliente', 'supplier': 'Fornecedor',
    'fornecedor': 'Fornecedor', 'announcement': 'Comunicado', 'bill': 'Conta a pagar', 'charge': 'Cobrança',
    'docrequest': 'Pedido de documento', 'docrequest_rule': 'Pedido recorrente', 'event': 'Evento da agenda',
    'file': 'Arquivo', 'folder': 'Pasta', 'folder_template': 'Modelo de pastas', 'holiday': 'Feriado',
    'notification_default': 'Avisos do escritório', 'obligation': 'Obrigação', 'obligation_assignment':
    'Obrigação do cliente', 'obligation_done': 'Obrigação entregue', 'obligation_override': 'Data de obrigação',
    'protocol': 'Protocolo', 'request': 'Solicitação', 'request_category': 'Categoria de solicitação',
    'request_note': 'Nota interna', 'servicerecord': 'Atendimento', 'setting': 'Configuração',
}


def record(session: Session, actor: Actor | None, action: str, entity: str = '', entity_id: object = '',
           detail: str = '', *, email: str = '', ip: str = '') -> None:
    session.add(AuditLog(user_id=actor.user_id if actor else None, user_email=actor.email if actor else email,
                         action=action, entity=entity, entity_id=str(entity_id or ''), detail=detail[:2000],
                         ip=(actor.ip if actor else ip) or ip))


@dataclass(frozen=True)
class AuditRow:
    """One line of the log as the page shows it (a read model: no ORM object leaves the service)."""
    id: int
    at: datetime
    user_id: object
    user_email: str
    action: str
    entity: str
    entity_id: str
    detail: str
    ip: str

    @classmethod
    def of(cls, row: AuditLog) -> AuditRow:
        return cls(row.id, row.at, row.user_id, row.user_email, row.action, row.entity, row.entity_id, row.detail,
                   row.ip)


@dataclass
class AuditPage:
    rows: list[AuditRow]
    total: int


def search(actor: Actor, *, text: str = '', action: str = '', start: date | None = None, end: date | None = None,
           page: int = 1, per_page: int = 50) -> AuditPage:
    require(actor, 'audit')
    with unit(actor) as session:
        query = select(AuditLog)
        if text:
            like = f'%{text.strip().lower()}%'
            query = query.where(or_(func.lower(AuditLog.user_email).like(like), func.lower(AuditLog.detail).like(like),
                                    func.lower(AuditLog.entity).like(like), AuditLog.ip.like(like)))
        if action:
            query = query.where(AuditLog.action == action)
        if start:  # days in the office time zone
            query = query.where(AuditLog.at >= datetime.combine(start, datetime.min.time(), tzinfo=tz()))
        if end:
            query = query.where(AuditLog.at < datetime.combine(end + timedelta(days=1), datetime.min.time(),
                                                                tzinfo=tz()))
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(query.order_by(AuditLog.at.desc(), AuditLog.id.desc())
                            .offset((page - 1) * per_page).limit(per_page)).all()
        return AuditPage([AuditRow.of(r) for r in rows], total)
