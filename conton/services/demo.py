"""Demo data: an office with bank and PIX settings, 3 staff, 25 clients with logins, 10 suppliers (and, when the
finance tools are present, a few months of charges and bills), so a newcomer can try everything."""
from __future__ import annotations

import random

from sqlmodel import select

from ..models import Client, Supplier, User
from . import office as office_service
from . import passwords
from .base import unit
from .permissions import GRANTABLE

FIRST = ['Ana', 'Bruno', 'Carla', 'Diego', 'Elisa', 'Fábio', 'Gabriela', 'Heitor', 'Isabela', 'João', 'Karina',
         'Lucas', 'Marina', 'Nicolas', 'Olívia', 'Paulo', 'Quitéria', 'Rafael', 'Sofia', 'Tiago']
LAST = ['Silva', 'Souza', 'Oliveira', 'Santos', 'Pereira', 'Lima', 'Carvalho', 'Ferreira', 'Almeida', 'Ribeiro']
BUSINESS = ['Padaria', 'Oficina', 'Clínica', 'Mercado', 'Ateliê', 'Pet Shop', 'Restaurante', 'Farmácia', 'Academia',
            'Livraria', 'Floricultura', 'Papelaria', 'Construtora', 'Transportadora', 'Escola']
NAMES = ['Sol Nascente', 'Boa Vista', 'Bela Vista', 'São Jorge', 'Central', 'Horizonte', 'Aurora', 'Primavera',
         'Estrela', 'Ipê Amarelo', 'Jardim', 'Paraíso', 'Esperança', 'Progresso', 'Vitória']
REGIMES = ['MEI', 'Simples Nacional', 'Lucro Presumido', 'Lucro Real', 'Pessoa Física']
SUPPLIERS = [('Companhia de Energia Elétrica', 'Energia'), ('Águas Municipais', 'Água'),
             ('Telefônica Fibra', 'Internet e telefone'), ('Imobiliária Central', 'Aluguel'),
             ('Papelaria Escritório Total', 'Material de escritório'), ('Sistemas Contábeis SA', 'Software'),
             ('Limpeza Brilho', 'Limpeza'), ('Café Bom Dia', 'Copa'), ('Conselho Regional de Contabilidade', 'Taxas'),
             ('Seguradora Proteção', 'Seguros')]


def _check_digits(base: list[int], weights_list: list[list[int]]) -> list[int]:
    digits = list(base)
    for weights in weights_list:
        total = sum(d * w for d, w in zip(digits, weights))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    return digits


def cpf(rng: random.Random) -> str:
    base = [rng.randrange(10) for _ in range(9)]
    return ''.join(map(str, _check_digits(base, [list(range(10, 1, -1)), list(range(11, 1, -1))])))


def cnpj(rng: random.Random) -> str:
    base = [rng.randrange(10) for _ in range(8)] + [0, 0, 0, 1]
    w1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    return ''.join(map(str, _check_digits(base, [w1, [6] + w1])))


def seed(password: str = 'demo-conton-2026', clients: int = 25, seed_value: int = 7) -> str:
    """Fill an empty database with a demo office. Refuses to touch a database that already has users."""
    rng = random.Random(seed_value)
    hashed = passwords.hash_password(password)
    with unit() as session:
        if session.exec(select(User.id).limit(1)).first() is not None:
            return 'O banco já tem usuários; os dados de demonstração não foram criados.'
        off = office_service.ensure(session)
        off.legal_name, off.trade_name = 'Contabilidade Exemplo Ltda', 'Contábil Exemplo'
        off.document, off.municipal_registration = '11222333000181', '1234567'
        off.cep, off.street, off.number, off.district = '01310100', 'Avenida Paulista', '1000', 'Bela Vista'
        off.city, off.uf, off.phone, off.email = 'São Paulo', 'SP', '(11) 3333-4444', 'contato@contabil.exemplo'
        off.bank_code, off.agencia, off.conta, off.conta_dv, off.carteira = '341', '1234', '12345', '6', '109'
        off.convenio, off.pix_key, off.pix_key_type = '12345', 'financeiro@contabil.exemplo', 'email'
        off.instructions = 'Não receber após 30 dias do vencimento.'
        off.fine_bp, off.interest_bp_month = 200, 100
        off.accountant_name, off.accountant_cpf, off.crc_number, off.crc_uf = \
            'Maria Helena Costa', '52998224725', '1SP123456', 'SP'
        session.add(User(email='admin@demo.conton', name='Maria Helena Costa', role='admin', password_hash=hashed))
        everything = {t.key: 'write' for t in GRANTABLE}
        staff = [('joao@demo.conton', 'João Pereira', everything),
                 ('carla@demo.conton', 'Carla Lima', {'clients': 'write', 'receivables': 'write', 'finance': 'read'}),
                 ('diego@demo.conton', 'Diego Santos', {'clients': 'read', 'suppliers': 'write', 'payables': 'write'})]
        for email, name, perms in staff:
            session.add(User(email=email, name=name, role='staff', password_hash=hashed, permissions=perms))
        for i in range(clients):
            pf = i % 5 == 4
            person = f'{rng.choice(FIRST)} {rng.choice(LAST)}'
            business = f'{BUSINESS[i % len(BUSINESS)]} {NAMES[(i * 7 + i // len(BUSINESS)) % len(NAMES)]}'
            name = person if pf else f'{business} Ltda'
            client = Client(kind='PF' if pf else 'PJ', document=cpf(rng) if pf else cnpj(rng), name=name,
                            trade_name='' if pf else name.replace(' Ltda', ''),
                            tax_regime='Pessoa Física' if pf else rng.choice(REGIMES[:4]),
                            email=f'cliente{i + 1}@demo.conton', phone=f'(11) 9{rng.randrange(1000, 9999)}-'
                            f'{rng.randrange(1000, 9999)}', cep='01001000', street='Praça da Sé',
                            number=str(rng.randrange(1, 999)), district='Sé', city='São Paulo', uf='SP',
                            fee_cents=rng.choice([35000, 45000, 60000, 89000, 120000, 250000]),
                            due_day=rng.choice([5, 10, 15, 20]), active=i < clients - 2)
            session.add(client)
            session.flush()
            session.add(User(email=f'cliente{i + 1}@demo.conton', name=person, role='client', client_id=client.id,
                             password_hash=hashed, active=client.active))  # an inactive client's login is off too
        for n, (name, category) in enumerate(SUPPLIERS, start=1):
            session.add(Supplier(kind='PJ', document=cnpj(rng), name=name, category=category,
                                 email=f'contato@fornecedor{n}.exemplo', phone='(11) 4000-1234'))
    office_service.reset_cache()
    extra = _finance()
    _docrequests()
    active = max(clients - 2, 0)  # the last two clients are inactive (see above), and so are their logins
    off = ' e '.join(f'cliente{n}@demo.conton' for n in range(active + 1, clients + 1))
    inactive = f' Os acessos {off} ficam desativados: são de clientes inativos.' if off else ''
    return (f'Demonstração criada. Entre com admin@demo.conton (administrador), joao@demo.conton, '
            f'carla@demo.conton, diego@demo.conton (funcionários) ou cliente1@demo.conton … cliente{active}'
            f'@demo.conton (clientes), todos com a senha "{password}".{inactive}{extra}')


def _docrequests() -> None:
    """Pedidos de documentos: the first clients get the monthly bank statements (this month's made at once when its
    day has not passed) and one a one-off request."""
    from datetime import timedelta

    from .. import clock
    from . import auth, docrequests
    with unit() as session:
        admin = auth.to_actor(session.exec(select(User).where(User.email == 'admin@demo.conton')).one(), '')
        ids = list(session.exec(select(Client.id).where(Client.active == True)  # noqa: E712
                                .order_by(Client.created_at, Client.id).limit(8)).all())
    for n, client_id in enumerate(ids):
        docrequests.create_rule_now(admin, client_id=client_id, title='Extrato bancário {mm/aaaa}', due_day=28,
                                    description='Os extratos de todas as contas e aplicações, em PDF ou OFX.')
        if n % 3 == 0:
            docrequests.create_rule_now(admin, client_id=client_id, title='Notas fiscais de entrada {mm/aaaa}',
                                        due_day=25)
    if ids:
        docrequests.create_now(admin, client_id=ids[0], title='Contrato social consolidado',
                               due_date=clock.today() + timedelta(days=10),
                               description='A última alteração contratual registrada na Junta Comercial.')


def _finance() -> str:
    """Finance demo data, when the finance services exist (they are optional for the demo)."""
    try:
        from . import demo_finance
    except ImportError:
        return ''
    return demo_finance.seed()
