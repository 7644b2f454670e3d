from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from conton.models import Client, Office, OutboxEmail
from conton.services import receivables, users
from conton.services.base import unit
from tests.factories import actor_of, login, make_client, make_office, make_user

# after a click the handler runs as a task and may open another page: should_see waits for it (tests/helpers.py)


async def test_create_client_then_it_appears_in_the_list(user: User) -> None:
    make_office()
    await login(user, make_user('admin'))
    await user.open('/clientes')
    await user.should_see('Nenhum cliente cadastrado ainda.')
    user.find('Novo cliente').click()
    await user.should_see('Razão social')
    user.find('CNPJ').type('11.222.333/0001-81')
    user.find('Razão social').type('Padaria Pão Quente Ltda')
    user.find('Nome fantasia').type('Pão Quente')
    user.find('Regime tributário').elements.pop().value = 'Simples Nacional'
    user.find(kind=ui.input, content='E-mail').type('contato@paoquente.test')
    user.find('Honorários mensais (R$)').type('1.234,56')
    user.find('Cadastrar cliente').click()
    await user.should_see('Acessos ao portal')
    await user.should_see('Cliente cadastrado.')
    with unit() as session:
        stored = session.exec(select(Client)).one()
    assert (stored.document, stored.fee_cents, stored.trade_name) == ('11222333000181', 123456, 'Pão Quente')
    await user.open('/clientes')
    await user.should_see('Padaria Pão Quente Ltda')
    await user.should_see('11.222.333/0001-81')
    await user.should_see('R$\xa01.234,56')


async def test_bad_cpf_is_shown_next_to_the_field_and_nothing_is_saved(user: User) -> None:
    make_office()
    await login(user, make_user('admin'))
    await user.open('/clientes/novo')
    user.find(ui.toggle).elements.pop().value = 'PF'
    await user.should_see('Nome completo')
    user.find('CPF').type('529.982.247-24')
    user.find('Nome completo').type('Maria da Silva')
    user.find('Cadastrar cliente').click()
    await user.should_see('CPF inválido. Confira os dígitos.')
    cpf_input = user.find('CPF').elements.pop()
    assert cpf_input.error == 'CPF inválido. Confira os dígitos.'
    assert user.find('Regime tributário').elements.pop().value == 'Pessoa Física'
    with unit() as session:
        assert session.exec(select(Client)).all() == []


async def test_edit_and_add_acesso_queues_a_welcome_email(user: User) -> None:
    make_office()
    client = make_client('Oficina Boa Vista Ltda', tax_regime='MEI')
    await login(user, make_user('admin'))
    await user.open(f'/clientes/{client.id}')
    await user.should_see('Nenhum acesso ainda.')
    user.find('Razão social').clear().type('Oficina Boa Vista Eireli')
    user.find('Salvar alterações').click()
    await user.should_see('Alterações salvas.')
    user.find('Adicionar acesso').click()
    user.find('Nome da pessoa').type('Joana Prado')
    user.find('E-mail (será o login)').type('joana@boavista.test')
    user.find('Criar acesso e enviar e-mail').click()
    await user.should_see('joana@boavista.test')
    await user.should_see('Aguardando definir a senha')
    with unit() as session:
        mails = session.exec(select(OutboxEmail)).all()
        assert session.get(Client, client.id).name == 'Oficina Boa Vista Eireli'
    assert [m.to_addr for m in mails] == ['joana@boavista.test']
    assert '/definir-senha/' in mails[0].text
    user.find('Enviar novo link para definir a senha').click()  # says what it does, and asks first
    await user.should_see('O link enviado antes deixa de funcionar', kind=ui.label)
    user.find(marker='confirm-new-link').click()
    await user.should_see('Novo link para definir a senha enviado para joana@boavista.test; o anterior deixou de '
                          'valer.')
    with unit() as session:
        assert len(session.exec(select(OutboxEmail)).all()) == 2


async def test_delete_refused_with_an_explanation_then_deactivate(user: User) -> None:
    make_office()
    admin = make_user('admin')
    client = make_client('Mercado Central Ltda')
    users.create_client_login(actor_of(admin), client.id, name='Ana', email='ana@mercado.test')
    await login(user, admin)
    await user.open(f'/clientes/{client.id}')
    user.find('Excluir').click()
    user.find(marker='confirm-delete').click()
    await user.should_see('1 acesso ao portal')
    user.find('Desativar em vez disso').click()
    user.find('Desativar cliente').click()
    await user.should_see('Cliente inativo')
    with unit() as session:
        assert not session.get(Client, client.id).active
    await user.open('/clientes')
    await user.should_not_see('Mercado Central Ltda')
    await user.open('/clientes?situacao=inativos')
    await user.should_see('Mercado Central Ltda')
    await user.open(f'/clientes/{client.id}')
    user.find('Reativar').click()
    await user.should_see('Cliente reativado.')
    await user.should_see('Desativado')  # the login stays disabled until re-enabled on its own
    with unit() as session:
        assert session.get(Client, client.id).active


async def test_delete_a_client_without_data(user: User) -> None:
    make_office()
    client = make_client('Cadastro Errado Ltda')
    await login(user, make_user('admin'))
    await user.open(f'/clientes/{client.id}')
    user.find('Excluir').click()
    user.find(marker='confirm-delete').click()
    await user.should_see('Cliente excluído.')
    await user.should_not_see('Cadastro Errado Ltda')
    with unit() as session:
        assert session.get(Client, client.id) is None


async def test_search_and_pagination(user: User) -> None:
    make_office()
    for i in range(25):
        make_client(f'Empresa {i:02d} Ltda')
    make_client('São João Comércio Ltda', document='11222333000181')
    await login(user, make_user('admin'))
    await user.open('/clientes')
    await user.should_see('26 registros')
    await user.should_see('Empresa 00 Ltda')
    await user.should_not_see('São João Comércio Ltda')
    with user:  # the handler runs in the pager's context, which the refresh replaces
        user.find(ui.pagination).elements.pop().value = 2
    await user.should_see('São João Comércio Ltda')
    await user.should_not_see('Empresa 00 Ltda')
    user.find(ui.input).elements.pop().value = '11.222.333/0001-81'
    await user.should_see('1 registro')
    await user.should_see('São João Comércio Ltda')
    user.find(ui.input).elements.pop().value = 'sao joao'
    await user.should_see('São João Comércio Ltda')
    await user.open('/clientes?q=zzz')
    await user.should_see('Nenhum cliente encontrado')
    await user.open('/clientes?pagina=abc&situacao=xyz')
    await user.should_see('26 registros')


async def test_read_only_staff_sees_data_without_edit_buttons(user: User) -> None:
    make_office()
    client = make_client('Clínica Aurora Ltda', notes='Pagamento sempre em dia.')
    await login(user, make_user('staff', permissions={'clients': 'read'}))
    await user.open('/clientes')
    await user.should_see('Clínica Aurora Ltda')
    await user.should_not_see('Novo cliente')
    await user.open(f'/clientes/{client.id}')
    await user.should_see('Pagamento sempre em dia.')
    await user.should_see('Ficha')
    for label in ('Salvar alterações', 'Excluir', 'Desativar', 'Adicionar acesso'):
        await user.should_not_see(label)
    await user.open('/clientes/novo')
    await user.should_see('não encontrada ou sem acesso')


async def test_staff_without_permission_gets_no_access(user: User) -> None:
    make_office()
    client = make_client('Clínica Aurora Ltda')
    await login(user, make_user('staff', permissions={'suppliers': 'write'}))
    for path in ('/clientes', f'/clientes/{client.id}', f'/clientes/{client.id}/ficha', '/clientes/novo'):
        await user.open(path)
        await user.should_see('não encontrada ou sem acesso')
        await user.should_not_see('Clínica Aurora Ltda')


async def test_ficha_is_a_printable_record(user: User) -> None:
    make_office()
    admin = make_user('admin')
    client = make_client('Ateliê Primavera Ltda', city='Curitiba', uf='PR', tax_regime='MEI')
    users.create_client_login(actor_of(admin), client.id, name='Bia', email='bia@atelie.test')
    await login(user, admin)
    await user.open(f'/clientes/{client.id}/ficha')
    await user.should_see('Ficha cadastral do cliente')
    await user.should_see('Ateliê Primavera Ltda')
    await user.should_see('bia@atelie.test')
    await user.should_see('Curitiba/PR')
    await user.should_see('Imprimir')
    await user.open('/clientes/00000000-0000-4000-8000-000000000000/ficha')
    await user.should_see('não encontrada ou sem acesso')


async def test_test_client_from_the_office(user: User) -> None:
    make_office('Contábil Modelo')
    with unit() as session:
        office = session.get(Office, 1)
        office.document, office.legal_name = '33000167000101', 'Contábil Modelo Ltda'
    admin = make_user('admin', email='dona@modelo.test')
    await login(user, admin)
    await user.open('/clientes')
    user.find('Cliente de teste').click()
    await user.should_see('Este é o cliente de teste')
    user.find('Adicionar acesso').click()
    assert user.find('E-mail (será o login)').elements.pop().value == 'dona+cliente@modelo.test'
    user.find('Criar acesso e enviar e-mail').click()
    await user.should_see('Aguardando definir a senha')
    with unit() as session:
        client = session.exec(select(Client)).one()
    assert client.is_test and client.document == '33000167000101'


async def test_client_page_links_to_its_cobrancas(user: User) -> None:
    make_office()
    admin = make_user('admin')
    alfa = make_client('Alfa Padaria Ltda')
    beta = make_client('Beta Oficina Ltda')
    for client, description, due in ((alfa, 'Consultoria da Alfa', '18/11/2026'), (alfa, 'Abertura da Alfa',
                                                                                    '10/03/2027'),
                                     (beta, 'Consultoria da Beta', '18/11/2026')):
        receivables.create(actor_of(admin), client_id=client.id, description=description, amount='100,00',
                           due_date=due, issue_date='01/11/2026', notify=False)
    await login(user, admin)
    await user.open(f'/clientes/{alfa.id}')
    await user.should_see(marker='client-links')
    await user.should_see('Cobranças deste cliente')
    href = next(iter(user.find(marker='related-receivables').elements)).props['href']
    assert href.startswith('/recebimentos?cliente=')
    await user.open(href)
    await user.should_see(marker='charges')
    listed = next(iter(user.find(marker='charges').elements)).content
    assert 'Consultoria da Alfa' in listed and 'Abertura da Alfa' in listed  # every month, not only this one
    assert 'Consultoria da Beta' not in listed


async def test_no_cobrancas_link_without_recebimentos(user: User) -> None:
    make_office()
    clerk = make_user('staff', permissions={'clients': 'write'})
    client = make_client('Alfa Padaria Ltda')
    await login(user, clerk)
    await user.open(f'/clientes/{client.id}')
    await user.should_see('Acessos ao portal')
    await user.should_not_see('Cobranças deste cliente')


async def test_create_a_login_hint_only_while_the_client_has_none(user: User) -> None:
    make_office()
    admin = make_user('admin')
    client = make_client('Oficina Boa Vista Ltda')
    await login(user, admin)
    await user.open(f'/clientes/{client.id}?aviso=novo')
    await user.should_see('Agora crie em Acessos o login do cliente no portal')
    user.find('Adicionar acesso').click()
    user.find('Nome da pessoa').type('Joana Prado')
    user.find('E-mail (será o login)').type('joana@boavista.test')
    user.find('Criar acesso e enviar e-mail').click()
    await user.should_see('Aguardando definir a senha')
    await user.should_not_see('Agora crie em Acessos o login do cliente no portal')
    await user.open(f'/clientes/{client.id}?aviso=novo')  # back to the same address: the login exists
    await user.should_see('Aguardando definir a senha')
    await user.should_not_see('Agora crie em Acessos o login do cliente no portal')


async def test_client_page_links_to_its_files_protocols_requests_and_document_requests(user: User) -> None:
    from datetime import date

    from nicegui.elements.upload_files import SmallFileUpload

    from conton.services import files, protocols
    from tests.services.test_filetypes import real_pdf
    make_office()
    admin = make_user('admin')
    alfa, beta = make_client('Alfa Padaria Ltda'), make_client('Beta Oficina Ltda')
    for client in (alfa, beta):
        files.create_folder(actor_of(admin), client.id, f'Pasta da {client.name.split()[0]}')
        await protocols.create(actor_of(admin), client_id=client.id, kind='guia', title=f'Guia da {client.name[:4]}',
                               competence='10/2026', due_date=date(2030, 11, 20), amount='10,00',
                               uploads=[SmallFileUpload('guia.pdf', 'application/pdf', real_pdf())])
    await login(user, admin)
    await user.open(f'/clientes/{alfa.id}')
    await user.should_see(marker='client-links')
    hrefs = {tool: next(iter(user.find(marker=f'related-{tool}').elements)).props['href']
             for tool in ('files', 'protocols', 'requests', 'docrequests')}
    assert hrefs['files'] == f'/arquivos?cliente={alfa.id}'
    assert hrefs['protocols'] == f'/protocolos?cliente={alfa.id}'
    assert hrefs['docrequests'] == f'/pedidos-documentos?cliente={alfa.id}'
    assert hrefs['requests'].startswith('/solicitacoes?cliente=Alfa+Padaria+Ltda')
    await user.open(hrefs['files'])
    await user.should_see(marker='folders')
    folders = ' '.join(el.content for el in user.find(marker='folders').elements)
    assert 'Pasta da Alfa' in folders and 'Pasta da Beta' not in folders
    await user.open(hrefs['protocols'])
    await user.should_see(marker='protocols')
    listed = ' '.join(el.content for el in user.find(marker='protocols').elements)
    assert 'Guia da Alfa' in listed and 'Guia da Beta' not in listed
    for tool in ('requests', 'docrequests'):
        response = await user.http_client.get(hrefs[tool])
        assert response.status_code == 200


async def test_client_page_offers_only_the_tools_the_login_may_open(user: User) -> None:
    make_office()
    clerk = make_user('staff', permissions={'clients': 'read', 'files': 'read'})
    client = make_client('Alfa Padaria Ltda')
    await login(user, clerk)
    await user.open(f'/clientes/{client.id}')
    await user.should_see(marker='related-files')
    for tool in ('protocols', 'requests', 'docrequests', 'receivables', 'servicelog'):
        await user.should_not_see(marker=f'related-{tool}')
