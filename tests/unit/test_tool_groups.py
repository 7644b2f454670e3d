"""Menu order: a group's tools sit together where its first tool is listed, whatever the order of declaration."""
from conton.services.permissions import CLIENT_TOOLS, GRANTABLE, STAFF_TOOLS, Tool, grouped


def _t(key: str, group: str) -> Tool:
    return Tool(key, key.title(), 'x', f'/{key}', group)


def test_a_group_declared_in_two_places_is_one_menu() -> None:
    tools = [_t('a', ''), _t('b', 'G'), _t('c', ''), _t('d', 'G'), _t('e', 'H'), _t('f', '')]
    assert [(g, [t.key for t in items]) for g, items in grouped(tools)] == [
        ('', ['a']), ('G', ['b', 'd']), ('', ['c']), ('H', ['e']), ('', ['f'])]


def test_every_tool_appears_once_in_the_menus_of_both_sides() -> None:
    for tools in (STAFF_TOOLS, CLIENT_TOOLS, GRANTABLE):
        slots = grouped(tools)
        listed = [t.key for _, items in slots for t in items]
        assert sorted(listed) == sorted(t.key for t in tools)
        named = [g for g, _ in slots if g]
        assert len(named) == len(set(named))
