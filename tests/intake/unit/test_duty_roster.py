"""IN-11: a customer's duty roster holds one primary and at most two secondary contacts."""

import pytest

from services.intake.contacts.roster import Role, RosterFull, check_room


@pytest.mark.parametrize(
    ("current", "role", "fits"),
    [
        ([], Role.primary, True),
        ([Role.secondary, Role.secondary], Role.primary, True),
        ([Role.primary], Role.primary, False),
        ([Role.primary], Role.secondary, True),
        ([Role.primary, Role.secondary], Role.secondary, True),
        ([Role.primary, Role.secondary, Role.secondary], Role.secondary, False),
    ],
)
def test_a_duty_roster_holds_one_primary_and_two_secondaries(current, role, fits):
    if fits:
        check_room(current, role)
    else:
        with pytest.raises(RosterFull):
            check_room(current, role)
