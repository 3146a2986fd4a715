"""What a route asks of engineers."""

from __future__ import annotations

from dataclasses import dataclass

from services.dispatch.assignments.decision import Skill


@dataclass(frozen=True, slots=True)
class RegisterEngineer:
    name: str
    skills: frozenset[Skill]
    region: str | None
