"""The topics dispatch reads follow from its handler map: inventory's too, for the parts the
phone's brief carries (DS-3)."""

from services.dispatch.app import SPEC
from shared.settings import Settings

PARTS = {
    "reservation.created",
    "reservation.released",
    "reservation.consumed",
    "part.backordered",
    "part.available",
}


def test_dispatch_reads_inventorys_topic_for_reservations_and_backorders():
    assert set(SPEC.handlers) >= PARTS
    assert SPEC.consumed_owners() == ["escalation", "intake", "inventory"]
    assert SPEC.topics(Settings(topic_prefix="p")) == ["p.escalation", "p.intake", "p.inventory"]
