"""What the two directories, Clientes and Fornecedores, share: search and paging (both tables have `active`,
`sort_name`, `document` and `search_text`, and a covering index over (active, sort_name, id, document, search_text)),
the unique CPF/CNPJ check and the rows that keep a record from being deleted."""
from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, func, or_, select

from ..models.people import fold
from . import validation
from .base import in_id_order
from .errors import ValidationError


def search(session: Session, model, text: str, status: str, page: int, per_page: int) -> tuple[list, int, int]:
    """(rows, total, page) of one page ordered by name, in two or three statements over the covering index.

    `status` ativos / inativos / anything else (all); `text` matches the folded name, trade name, contact and e-mail
    (accents and case ignored) or the CPF/CNPJ typed with or without the mask. With a text, the page's ids and the
    total come from one pass (count(*) over ()), as both must read every entry anyway; without one, a count and an
    ordered LIMIT read next to nothing each. A page past the end falls back to the last one."""
    conds = []
    if status == 'ativos':
        conds.append(model.active == True)  # noqa: E712
    elif status == 'inativos':
        conds.append(model.active == False)  # noqa: E712
    term = fold(text)[:100]
    if term:
        matches = [model.search_text.contains(term, autoescape=True)]
        digits = validation.normalize_document(text)
        if digits and len(digits) <= 14:
            matches.append(model.document.contains(digits, autoescape=True))
        conds.append(or_(*matches))

    def ids_at(number: int) -> list:
        columns = (model.id, func.count().over()) if term else (model.id,)
        return session.exec(select(*columns).where(*conds).order_by(model.sort_name, model.id)
                            .offset((number - 1) * per_page).limit(per_page)).all()

    def count() -> int:
        return session.exec(select(func.count()).select_from(model).where(*conds)).one()

    page = max(1, page)
    if term:
        found = ids_at(page)
        total = found[0][1] if found else count()
    else:
        total = count()
        found = None
    last = max(1, -(-total // per_page))
    if page > last:
        page, found = last, None
    if found is None:
        found = ids_at(page)
    ids = [row[0] for row in found] if term else list(found)  # one selected column comes back as scalars
    rows = session.exec(select(model).where(model.id.in_(ids))).all() if ids else []
    return in_id_order(list(rows), ids, key=lambda row: row.id), total, page


def unique_document(session: Session, model, document: str, message: str, exclude: uuid.UUID | None = None) -> None:
    """ValidationError(message) on the document field when another row of `model` has this CPF/CNPJ."""
    query = select(model.id).where(model.document == document)
    if exclude is not None:
        query = query.where(model.id != exclude)
    if session.exec(query).first() is not None:
        raise ValidationError(message, 'document')


def flush(session: Session, message: str) -> None:
    """Flush; two people saving the same CPF/CNPJ at the same moment get the duplicate message, not an error page."""
    try:
        session.flush()
    except IntegrityError as e:
        raise ValidationError(message, 'document') from e


def related_counts(session: Session, model, row_id: uuid.UUID) -> dict[str, int]:
    """Rows in every other table that point to this row (found from the schema, so new tools are covered)."""
    name = model.__tablename__
    counts: dict[str, int] = {}
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == name and fk.column.name == 'id':
                n = session.exec(select(func.count()).select_from(table).where(fk.parent == row_id)).one()
                if n:
                    counts[table.name] = counts.get(table.name, 0) + n
    return counts


def describe(held: dict[str, int], labels: dict[str, tuple[str, str]]) -> str:
    """{'charge': 3, 'bill': 1} -> '3 cobranças e 1 conta a pagar' with the (singular, plural) labels given."""
    parts = []
    for table, n in held.items():
        one, many = labels.get(table, (f'registro em {table}', f'registros em {table}'))
        parts.append(f'{n} {one if n == 1 else many}')
    return parts[0] if len(parts) == 1 else ', '.join(parts[:-1]) + ' e ' + parts[-1]
