"""A transition table drawn for the README: Mermaid's `stateDiagram-v2`, one line per edge."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def state_diagram(
    states: Sequence[str],
    edges: Mapping[tuple[str, str], Sequence[str]],
    *,
    initial: str,
    finals: Iterable[str],
    note: tuple[str, Sequence[str]] | None = None,
) -> str:
    """`edges` maps (from, to) to the moves that take it; states are drawn in `states`' order."""
    lines = ["stateDiagram-v2", f"    [*] --> {initial}"]
    for source in states:
        for target in states:
            if (source, target) in edges:
                lines.append(f"    {source} --> {target} : {', '.join(edges[(source, target)])}")
    lines += [f"    {final} --> [*]" for final in finals]
    if note is not None:
        beside, text = note
        lines += [f"    note right of {beside}", *(f"        {t}" for t in text), "    end note"]
    return "\n".join(lines) + "\n"
