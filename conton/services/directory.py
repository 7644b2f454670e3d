"""Search and paging shared by the two directories, Clientes and Fornecedores: both tables have `active`,
`sort_name`, `document` and `search_text`, and a covering index over (active, sort_name, id, document, search_text).
"""
from __future__ import annotations

from sqlmodel import Session, func, or_, select

from ..models.people import fold
from . import validation


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
    rows = {r.id: r for r in session.exec(select(model).where(model.id.in_(ids))).all()} if ids else {}
    return [rows[i] for i in ids], total, page
