"""Fornecedores: the office's suppliers (CPF or CNPJ, alphanumeric CNPJ included), used by Pagamentos. Search with
pagination, create, edit, deactivate, and delete when nothing points to the supplier."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from .. import formatting
from ..clock import now
from ..models import Supplier
from ..models.people import fold
from . import audit, directory, validation
from .base import as_uuid, unit
from .errors import NotFound, ValidationError
from .permissions import Actor, require

TOOL = 'suppliers'
KINDS = {'PJ': 'Pessoa Jurídica', 'PF': 'Pessoa Física'}
STATUSES = ('ativos', 'inativos', 'todos')
DUPLICATE = 'Já existe um fornecedor com este CPF/CNPJ.'
FIELDS = ('kind', 'document', 'name', 'category', 'contact_name', 'email', 'phone', 'notes')
LABELS = {'kind': 'tipo', 'document': 'CPF/CNPJ', 'name': 'nome', 'category': 'categoria', 'contact_name': 'contato',
          'email': 'e-mail', 'phone': 'telefone', 'notes': 'observações'}
# what other tables hold for a supplier, in words (singular, plural); tables not listed are named as they are
RELATED = {'bill': ('conta a pagar', 'contas a pagar')}
SUGGESTED_CATEGORIES = ('Aluguel', 'Energia elétrica', 'Água', 'Telefone e internet', 'Software e sistemas',
                        'Material de escritório', 'Limpeza e conservação', 'Serviços de terceiros', 'Impostos e taxas',
                        'Tarifas bancárias', 'Marketing', 'Manutenção')


@dataclass
class SupplierPage:
    rows: list[Supplier]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# --- reading -----------------------------------------------------------------------------------------------------

def search(actor: Actor, text: str = '', status: str = 'ativos', page: int = 1, per_page: int = 20) -> SupplierPage:
    """One page of suppliers ordered by name: matches name, contact, category and e-mail (accents and case ignored)
    and CPF/CNPJ typed with or without the mask. Two queries (page of ids with the
    total, rows), whatever the number of suppliers."""
    require(actor, TOOL, 'read')
    per_page = max(1, min(int(per_page), 100))
    with unit(actor) as session:
        rows, total, page = directory.search(session, Supplier, text, status, int(page), per_page)
        return SupplierPage(rows, total, page, per_page)


def get(actor: Actor, supplier_id: uuid.UUID | str) -> Supplier:
    require(actor, TOOL, 'read')
    with unit(actor) as session:
        return _supplier(session, supplier_id)


def categories(actor: Actor) -> list[str]:
    """Categories in use plus the usual ones, for the category field's suggestions."""
    require(actor, TOOL, 'read')
    with unit(actor) as session:
        used = session.exec(select(Supplier.category).where(Supplier.category != '').distinct().limit(200)).all()
    return sorted(set(used) | set(SUGGESTED_CATEGORIES), key=fold)


def bill_count(actor: Actor, supplier_id: uuid.UUID | str) -> int:
    """How many bills (Pagamentos) point to this supplier."""
    require(actor, TOOL, 'read')
    with unit(actor) as session:
        supplier = _supplier(session, supplier_id)
        return directory.related_counts(session, Supplier, supplier.id).get('bill', 0)


# --- changing ----------------------------------------------------------------------------------------------------

def create(actor: Actor, **fields: Any) -> Supplier:
    require(actor, TOOL, 'write')
    _known(fields)
    values = clean({name: fields.get(name) for name in FIELDS})
    with unit(actor) as session:
        directory.unique_document(session, Supplier, values['document'], DUPLICATE)
        supplier = Supplier(**values)
        session.add(supplier)
        directory.flush(session, DUPLICATE)
        audit.record(session, actor, 'create', 'fornecedor', supplier.id,
                     f'{supplier.name} ({formatting.document(supplier.document)})')
        return supplier


def update(actor: Actor, supplier_id: uuid.UUID | str, **fields: Any) -> Supplier:
    """Change the given fields (the others keep their values); every field is validated again."""
    require(actor, TOOL, 'write')
    _known(fields)
    with unit(actor) as session:
        supplier = _supplier(session, supplier_id)
        values = clean({name: getattr(supplier, name) for name in FIELDS} | fields)
        directory.unique_document(session, Supplier, values['document'], DUPLICATE, exclude=supplier.id)
        changed = [LABELS[k] for k, v in values.items() if getattr(supplier, k) != v]
        if not changed:
            return supplier
        for key, value in values.items():
            setattr(supplier, key, value)
        supplier.updated_at = now()
        directory.flush(session, DUPLICATE)
        audit.record(session, actor, 'update', 'fornecedor', supplier.id, f'{supplier.name}: {", ".join(changed)}')
        return supplier


def set_active(actor: Actor, supplier_id: uuid.UUID | str, active: bool) -> None:
    """Deactivate (no longer offered in new bills; the history is kept) or reactivate a supplier."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        supplier = _supplier(session, supplier_id)
        if supplier.active == active:
            return
        supplier.active = active
        supplier.updated_at = now()
        audit.record(session, actor, 'enable' if active else 'disable', 'fornecedor', supplier.id, supplier.name)


def delete(actor: Actor, supplier_id: uuid.UUID | str) -> None:
    """Delete a supplier nothing points to; otherwise refuse and say what it has."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        supplier = _supplier(session, supplier_id)
        held = directory.related_counts(session, Supplier, supplier.id)
        if held:
            has = directory.describe(held, RELATED)
            raise ValidationError(f'Não é possível excluir {supplier.name}: o fornecedor tem {has} em '
                                  'Pagamentos. Para que ele não apareça mais nas novas contas, desative-o: o '
                                  'histórico é mantido.')
        session.delete(supplier)
        audit.record(session, actor, 'delete', 'fornecedor', supplier.id,
                     f'{supplier.name} ({formatting.document(supplier.document)})')


# --- rules -------------------------------------------------------------------------------------------------------

def clean(raw: dict[str, Any]) -> dict[str, Any]:
    """Validate every field at once; return the values to store (document unmasked, CNPJ letters upper-case)."""
    out: dict[str, Any] = {}
    kind = str(raw.get('kind') or '').strip().upper()

    def check_kind() -> None:
        if kind not in KINDS:
            raise ValidationError('Escolha Pessoa Jurídica ou Pessoa Física.', 'kind')
        out['kind'] = kind

    def put(name: str, check) -> Any:
        return lambda: out.__setitem__(name, check())

    person = kind == 'PF'
    validation.collect(
        check_kind,
        put('document', lambda: validation.document(raw.get('document'), kind if kind in KINDS else None)),
        put('name', lambda: validation.text(raw.get('name'), 'name', 'o nome' if person else 'a razão social',
                                            required=True)),
        put('category', lambda: validation.text(raw.get('category'), 'category', 'a categoria', max_len=60)),
        put('contact_name', lambda: validation.text(raw.get('contact_name'), 'contact_name', 'o contato',
                                                    max_len=120)),
        put('email', lambda: validation.email(raw.get('email'), required=False)),
        put('phone', lambda: validation.phone(raw.get('phone'))),
        put('notes', lambda: validation.text(raw.get('notes'), 'notes', 'as observações', max_len=4000,
                                             multiline=True)),
    )
    return out


def _supplier(session: Session, supplier_id: uuid.UUID | str) -> Supplier:
    supplier = session.get(Supplier, as_uuid(supplier_id))
    if supplier is None:
        raise NotFound()
    return supplier


def _known(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f'unknown supplier fields: {sorted(unknown)}')
