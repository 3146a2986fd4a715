"""The README's assignment diagram is the transition table drawn, not a picture kept by hand."""

from pathlib import Path

from services.dispatch.assignments.lifecycle import mermaid

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_shows_the_assignment_lifecycle_drawn_from_the_transition_table():
    assert f"```mermaid\n{mermaid().rstrip()}\n```" in README.read_text()
