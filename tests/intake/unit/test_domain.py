import pytest

from services.intake.domain import Impact, Priority, TicketStatus, advance, classify, ticket_number


@pytest.mark.parametrize(("impact", "priority"), [
    (Impact.outage, Priority.P1), (Impact.degraded, Priority.P2),
    (Impact.function, Priority.P3), (Impact.minor, Priority.P4),
])
def test_the_fault_level_follows_from_the_business_impact(impact, priority):
    assert classify(impact) is priority


def test_ticket_numbers_are_fixed_width_and_sortable():
    assert ticket_number(42) == "T-00000042"
    assert ticket_number(9) < ticket_number(10)


def test_a_late_assignment_event_does_not_move_a_ticket_back():
    assert advance(TicketStatus.in_progress, TicketStatus.assigned) is TicketStatus.in_progress


def test_assignment_moves_a_new_or_unassigned_ticket_forward():
    assert advance(TicketStatus.new, TicketStatus.assigned) is TicketStatus.assigned
    assert advance(TicketStatus.unassigned, TicketStatus.assigned) is TicketStatus.assigned
