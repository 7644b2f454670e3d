"""The demo office: every login it creates can be used, except those of its inactive clients."""
from __future__ import annotations

import pytest
from sqlmodel import select

from conton.models import Client, User
from conton.services import auth, demo
from conton.services.base import unit
from conton.services.errors import ValidationError

PASSWORD = 'senha da demonstração'


def test_the_demo_gives_no_active_login_to_an_inactive_client() -> None:
    message = demo.seed(password=PASSWORD, clients=6)
    with unit() as session:
        logins = session.exec(select(User.email, User.active, Client.active).join(Client, Client.id == User.client_id)
                              .order_by(Client.name)).all()
    inactive = [email for email, _, client_active in logins if not client_active]
    assert len(logins) == 6 and len(inactive) == 2
    assert all(active == client_active for _, active, client_active in logins)
    for email in inactive:
        with pytest.raises(ValidationError, match='E-mail ou senha incorretos'):
            auth.authenticate(email, PASSWORD, '10.0.0.1')
    active = next(email for email, _, client_active in logins if client_active)
    assert auth.authenticate(active, PASSWORD, '10.0.0.1').email == active
    assert 'cliente1@demo.conton … cliente4@demo.conton (clientes)' in message
    assert 'Os acessos cliente5@demo.conton e cliente6@demo.conton ficam desativados' in message
