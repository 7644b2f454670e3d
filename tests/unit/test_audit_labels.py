"""Auditoria names every kind of record and action the code writes in Portuguese (no raw 'docrequest_rule')."""
import re
from pathlib import Path

from conton.services.audit import ACTION_LABELS, ENTITY_LABELS  # not from a page module: importing one outside
# the `user` fixture would keep NiceGUI from registering its routes again in later tests of this worker

SOURCE = Path(__file__).resolve().parents[2] / 'conton'
CALL = re.compile(r"audit\.record\(\s*session,\s*[\w.]+,\s*(?:'(\w+)'|[^,]+),\s*'(\w+)'")


def _recorded() -> tuple[set[str], set[str]]:
    actions, entities = set(), set()
    for path in SOURCE.rglob('*.py'):
        for action, entity in CALL.findall(path.read_text(encoding='utf-8')):
            if action:
                actions.add(action)
            entities.add(entity)
    return actions, entities


def test_every_recorded_action_and_record_kind_has_a_label() -> None:
    actions, entities = _recorded()
    assert len(entities) > 20 and {'charge', 'docrequest_rule', 'servicerecord'} <= entities  # the scan works
    assert actions - ACTION_LABELS.keys() == set()
    assert entities - ENTITY_LABELS.keys() == set()
