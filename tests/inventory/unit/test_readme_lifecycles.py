"""The README's reservation and loaner diagrams are the transition tables drawn, not pictures
kept by hand."""

from pathlib import Path

from services.inventory.loaners import lifecycle as loaners
from services.inventory.reservations import lifecycle as reservations

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_shows_the_reservation_lifecycle_drawn_from_the_transition_table():
    assert f"```mermaid\n{reservations.mermaid().rstrip()}\n```" in README.read_text()


def test_the_readme_shows_the_loaner_lifecycle_drawn_from_the_transition_table():
    assert f"```mermaid\n{loaners.mermaid().rstrip()}\n```" in README.read_text()
