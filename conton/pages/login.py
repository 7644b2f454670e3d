"""Entrar, primeiro acesso (first run), esqueci minha senha, definir senha (link from e-mail), sair."""
from __future__ import annotations

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from nicegui import app, run, ui

from ..services import auth, office
from ..services.errors import Throttled, ValidationError
from ..web import FOREIGN, STYLESHEET_LINK, request_ip, same_origin
from .common import Form, action, client_ip, current_actor, login_session, new_session, safe_target, session_actor


def _card(title: str):
    brand = office.branding()
    ui.page_title(f'{title} · {brand.name}')
    ui.colors(primary='#1565c0')
    ui.add_head_html(STYLESHEET_LINK)
    ui.query('body').classes('bg-grey-2')
    outer = ui.column().classes('w-full items-center q-pa-md')
    with outer:
        with ui.card().classes('w-full q-pa-lg').style('max-width: 420px') as card:
            with ui.column().classes('w-full items-center gap-1'):
                if brand.has_logo:
                    ui.image(f'/logo?v={brand.version}').classes('w-24 h-24').props('fit=contain')
                ui.label(brand.name).classes('text-h6 text-center')
                ui.label(title).classes('text-subtitle1 text-grey-8')
    return card


@ui.page('/login')
def login_page(redirect_to: str = '/') -> None:
    if auth.needs_setup():
        ui.navigate.to('/primeiro-acesso')
        return
    if current_actor() is not None:
        ui.navigate.to('/')
        return
    with _card('Acesse sua conta'):
        form = Form()
        email = form.add('email', ui.input('E-mail').props('type=email autocomplete=username autofocus')
                         .classes('w-full'))
        password = form.add('password', ui.input('Senha', password=True, password_toggle_button=True)
                            .props('autocomplete=current-password').classes('w-full'))

        async def submit() -> None:
            form.clear_errors()
            try:
                actor = await run.io_bound(auth.authenticate, email.value, password.value, client_ip())
            except (ValidationError, Throttled) as e:
                message = str(e) if isinstance(e, Throttled) else next(iter(e.errors.values()))
                form.banner.text = message
                form.banner.set_visibility(True)
                password.value = ''
                return
            login_session(actor, safe_target(redirect_to))

        password.on('keydown.enter', submit)
        ui.button('Entrar', on_click=submit).classes('w-full').props('unelevated')
        ui.link('Esqueci minha senha', '/esqueci-senha').classes('text-sm q-mt-sm')


@ui.page('/primeiro-acesso')
def first_run_page() -> None:
    if not auth.needs_setup():
        ui.navigate.to('/login')
        return
    with _card('Primeiro acesso: configure o escritório'):
        ui.label('Crie a conta do administrador (o dono do escritório). Não há senha padrão.') \
            .classes('text-sm text-grey-8')
        form = Form()
        office_name = form.add('office_name', ui.input('Nome do escritório').classes('w-full'))
        name = form.add('name', ui.input('Seu nome').classes('w-full'))
        email = form.add('email', ui.input('Seu e-mail').props('type=email autocomplete=username').classes('w-full'))
        password = form.add('password', ui.input('Senha (mínimo 8 caracteres)', password=True,
                                                  password_toggle_button=True).props('autocomplete=new-password')
                            .classes('w-full'))
        confirm = form.add('confirm', ui.input('Repita a senha', password=True).props('autocomplete=new-password')
                           .classes('w-full'))

        async def submit() -> None:
            if password.value != confirm.value:
                form.show(ValidationError('As senhas não conferem.', 'confirm'))
                return
            actor = await form.submit(lambda: run.io_bound(
                auth.setup, office_name=office_name.value, name=name.value, email=email.value,
                password=password.value, ip=client_ip()))
            if actor is not None:
                login_session(actor, '/meus-dados?aviso=bem-vindo')

        ui.button('Criar escritório', on_click=submit).classes('w-full').props('unelevated')


@ui.page('/esqueci-senha')
def forgot_page() -> None:
    with _card('Esqueci minha senha'):
        ui.label('Informe o e-mail do seu acesso. Se ele existir, enviaremos um link para criar uma nova senha.') \
            .classes('text-sm text-grey-8')
        email = ui.input('E-mail').props('type=email autofocus').classes('w-full')
        done = ui.label('').classes('text-positive text-sm')

        @action
        async def submit() -> None:
            await run.io_bound(auth.request_reset, email.value, client_ip())
            done.text = ('Se o e-mail estiver cadastrado, você receberá em instantes um link válido por 1 hora. '
                         'Confira também a caixa de spam.')

        ui.button('Enviar link', on_click=submit).classes('w-full').props('unelevated')
        ui.link('Voltar para o login', '/login').classes('text-sm')


@ui.page('/definir-senha/{token}')
def set_password_page(token: str) -> None:
    user = auth.token_user(token)
    with _card('Definir senha'):
        if user is None:
            ui.label('Este link não é mais válido (já foi usado ou expirou).').classes('text-negative')
            ui.link('Pedir um novo link', '/esqueci-senha')
            return
        ui.label(f'Olá, {user.name}. Seu login é {user.email}.').classes('text-sm')
        form = Form()
        password = form.add('password', ui.input('Nova senha (mínimo 8 caracteres)', password=True,
                                                  password_toggle_button=True).props('autocomplete=new-password')
                            .classes('w-full'))
        confirm = form.add('confirm', ui.input('Repita a senha', password=True).props('autocomplete=new-password')
                           .classes('w-full'))

        async def submit() -> None:
            if password.value != confirm.value:
                form.show(ValidationError('As senhas não conferem.', 'confirm'))
                return
            actor = await form.submit(lambda: run.io_bound(auth.set_password_with_token, token, password.value,
                                                           client_ip()))
            if actor is not None:
                ui.notify('Senha definida. Bem-vindo(a)!', type='positive')
                login_session(actor, '/')

        ui.button('Salvar senha e entrar', on_click=submit).classes('w-full').props('unelevated')


@ui.page('/sair')
def logout_page() -> None:
    """An old bookmark or a typed address: a GET changes nothing, it offers the button (POST /sair, below)."""
    actor = current_actor()
    if actor is None:
        ui.navigate.to('/login')
        return
    with _card('Sair'):
        ui.label(f'Você está conectado como {actor.email}.').classes('text-sm')
        ui.html('<form method="post" action="/sair"><button type="submit" style="width:100%;padding:10px;border:0;'
                'border-radius:4px;background:#1565c0;color:#fff;font:inherit;font-weight:500;cursor:pointer">'
                'Sair</button></form>').classes('w-full').mark('logout-form')
        ui.link('Voltar para o início', '/').classes('text-sm')


@app.post('/sair')  # after the page: ui.page drops every earlier route of its path, whatever the method
async def logout(request: Request) -> Response:
    """Log out: this browser's storage is emptied and its session id replaced (a copied cookie opens nothing)."""
    if not same_origin(request):
        return PlainTextResponse(FOREIGN, status_code=403)
    actor = session_actor(request_ip(request))
    if actor is not None:
        auth.logout(actor)
    await new_session(request)
    return RedirectResponse('/login', status_code=303)
