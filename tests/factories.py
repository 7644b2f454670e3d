"""Test data makers: logins with a known password, clients, suppliers; and a login helper for the User fixture."""
from __future__ import annotations

import itertools
from functools import lru_cache

from conton.models import Client, Supplier, User
from conton.services import auth, office
from conton.services.base import unit
from conton.services.permissions import Actor
from tests.helpers import wait_for_see

PASSWORD = 'Cavalo-Bateria-Grampo'
_seq = itertools.count(1)


@lru_cache
@lru_cache(maxsize=None)
def password_hash() -> str:
    """One argon2 hash of PASSWORD per test process: every factory user shares it (hashing costs ~50 ms each and
    is tested on its own in tests/services/test_passwords.py)."""
    from conton.services.passwords import hash_password
    return hash_password(PASSWORD)


def cpf(n: int) -> str:
    """A valid CPF built from a sequence number."""
    base = f'{(n * 7919) % 10**9:09d}'
    if len(set(base)) == 1:
        base = '123456780'
    digits = [int(c) for c in base]
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(size + 1, 1, -1)))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    return ''.join(map(str, digits))


def cnpj(n: int) -> str:
    base = f'{(n * 104729) % 10**8:08d}0001'
    digits = [int(c) for c in base]
    for weights in ([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]):
        total = sum(d * w for d, w in zip(digits, weights))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    return ''.join(map(str, digits))


def make_office(name: str = 'Escritório Modelo') -> None:
    with unit() as session:
        off = office.ensure(session)
        off.trade_name = off.legal_name = name
    office.reset_cache()


def make_user(role: str = 'admin', *, email: str | None = None, name: str | None = None, permissions: dict | None = None,
              client: Client | None = None) -> User:
    n = next(_seq)
    with unit() as session:
        user = User(email=email or f'{role}{n}@conton.test', name=name or f'{role.title()} {n}', role=role,
                    password_hash=password_hash(), permissions=permissions or {},
                    client_id=client.id if client else None)
        session.add(user)
    return user


def make_client(name: str | None = None, *, document: str | None = None, fee_cents: int = 50000, due_day: int = 10,
                active: bool = True, **fields) -> Client:
    n = next(_seq)
    with unit() as session:
        client = Client(kind='PJ', document=document or cnpj(n), name=name or f'Cliente {n} Ltda',
                        email=f'cliente{n}@empresa.test', fee_cents=fee_cents, due_day=due_day, active=active, **fields)
        session.add(client)
    return client


def make_supplier(name: str | None = None, **fields) -> Supplier:
    n = next(_seq)
    with unit() as session:
        supplier = Supplier(kind='PJ', document=fields.pop('document', cnpj(n + 5000)), name=name or f'Fornecedor {n}',
                            **fields)
        session.add(supplier)
    return supplier


def actor_of(user: User, ip: str = '127.0.0.1') -> Actor:
    return auth.to_actor(user, ip)


async def login(user_fixture, account: User, password: str = PASSWORD) -> None:
    """Log in through the real /login page."""
    await user_fixture.open('/login')
    user_fixture.find('E-mail').type(account.email)
    user_fixture.find('Senha').type(password)
    user_fixture.find('Entrar').click()
    await wait_for_see(user_fixture, 'Olá')
