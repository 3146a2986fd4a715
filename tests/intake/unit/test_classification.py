import pytest

from services.intake.tickets.classification import Impact, Priority, classify, ticket_number


@pytest.mark.parametrize(
    ("impact", "priority"),
    [
        (Impact.outage, Priority.P1),
        (Impact.degraded, Priority.P2),
        (Impact.function, Priority.P3),
        (Impact.minor, Priority.P4),
    ],
)
def test_the_fault_level_follows_from_the_business_impact(impact, priority):
    assert classify(impact) is priority


def test_ticket_numbers_are_fixed_width_and_sortable():
    assert ticket_number(42) == "T-00000042"
    assert ticket_number(9) < ticket_number(10)
