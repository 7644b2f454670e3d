"""`user.should_see` / `should_not_see` wait for the element however late it comes (tests/helpers.py), instead of
NiceGUI's three looks 0.1 s apart, which a loaded machine misses. The element changes after a number of looks, so
the test is the same on any machine."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from tests.factories import make_office, make_user


def change_after(monkeypatch, looks: int, change) -> list[int]:
    """Run `change()` in the client's context just before the `looks`-th look at the page."""
    original = User._sees
    seen: list[int] = []

    def counting(self, *args, **kwargs):
        seen.append(1)
        if len(seen) == looks:
            with self.client.layout:
                change()
        return original(self, *args, **kwargs)
    monkeypatch.setattr(User, '_sees', counting)
    return seen


async def test_should_see_waits_for_an_element_that_comes_late(user: User, monkeypatch) -> None:
    make_office(), make_user('admin')  # else /login goes on to the first-run page
    await user.open('/login')
    seen = change_after(monkeypatch, 20, lambda: ui.label('Chegou depois de muito tempo'))
    await user.should_see('Chegou depois de muito tempo')
    assert len(seen) == 20  # and not one look more


async def test_should_not_see_waits_for_an_element_to_go(user: User, monkeypatch) -> None:
    make_office(), make_user('admin')  # else /login goes on to the first-run page
    await user.open('/login')
    with user.client.layout:
        late = ui.label('Ainda aqui')
    seen = change_after(monkeypatch, 20, late.delete)
    await user.should_not_see('Ainda aqui')
    assert len(seen) == 20
