"""IN-8: how article and query text become search terms, and how a resolved ticket becomes a draft."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.intake.knowledge.rules import (
    MAX_POSITIONS_PER_TERM,
    SUGGESTION_TERMS,
    ArticleStatus,
    Place,
    Ranked,
    TicketForArticle,
    TicketNotResolved,
    any_of,
    document,
    draft_from_ticket,
    search_query,
    suggestion_terms,
    take,
    tokens,
)
from shared.vocabulary import Category


def lexemes(vector: str) -> dict[str, list[str]]:
    found = {}
    for entry in vector.split(" "):
        term, _, positions = entry.rpartition(":")
        found[term.strip("'")] = positions.split(",")
    return found


def test_a_chinese_run_becomes_its_bigrams_and_its_last_character():
    assert list(lexemes(document("交换机", ""))) == ["交换", "换机", "机"]


def test_bigrams_of_a_run_sit_at_consecutive_positions_so_a_phrase_can_find_them():
    terms = lexemes(document("", "交换机端口抖动"))
    positions = [
        int(terms[b][0].rstrip("B")) for b in ("交换", "换机", "机端", "端口", "口抖", "抖动")
    ]
    assert positions == list(range(positions[0], positions[0] + 6))


def test_two_runs_apart_share_no_bigram_and_are_not_adjacent():
    terms = lexemes(document("", "交换机 端口"))
    assert "机端" not in terms
    assert int(terms["端口"][0].rstrip("B")) - int(terms["机"][0].rstrip("B")) > 1


def test_title_terms_weigh_a_and_body_terms_b():
    terms = lexemes(document("端口", "端口"))
    assert [p[-1] for p in terms["端口"]] == ["A", "B"]


def test_english_words_are_case_folded_and_width_normalised():
    assert list(tokens("Switch PORT Ｆlapping")) == ["switch", "port", "flapping"]


def test_mixed_script_words_split_at_the_script_boundary():
    assert list(tokens("S5720端口")) == ["s5720", "端口"]


def test_punctuation_quotes_and_backslashes_never_reach_the_query_text():
    assert search_query("it's a \\ ' test; DROP") == "'it':* & 's':* & 'a':* & 'test':* & 'drop':*"


def test_a_query_of_punctuation_alone_has_no_terms():
    assert search_query("!!! ？？ --") is None


@pytest.mark.parametrize(
    ("q", "tsquery"),
    [
        ("端", "'端':*"),
        ("端口", "'端口'"),
        ("交换机", "( '交换' <-> '换机' )"),
        ("Port", "'port':*"),
        ("端口 flap", "'端口' & 'flap':*"),
    ],
)
def test_a_query_run_becomes_a_prefix_a_bigram_or_a_phrase(q, tsquery):
    assert search_query(q) == tsquery


def test_a_term_keeps_at_most_the_positions_a_tsvector_can_hold():
    assert len(lexemes(document("", "port " * 400))["port"]) == MAX_POSITIONS_PER_TERM


def test_suggestions_use_words_and_bigrams_not_single_characters_nor_common_words():
    terms = suggestion_terms(["The switch 端口抖动 at night"])
    assert terms == ["switch", "端口", "口抖", "抖动", "night"]
    assert any_of(terms) == "'switch' | '端口' | '口抖' | '抖动' | 'night'"


def test_suggestions_take_a_bounded_number_of_terms():
    many = " ".join(f"word{i}" for i in range(500))
    assert len(suggestion_terms([many])) == SUGGESTION_TERMS


def test_a_ticket_without_terms_asks_for_no_text():
    assert any_of(suggestion_terms(["!!", "a"])) is None


def ticket(status: str, **extra) -> TicketForArticle:
    return TicketForArticle(
        id=uuid.uuid4(),
        status=status,
        category=Category.network,
        summary="端口抖动",
        description="Access switch port flaps every minute",
        **extra,
    )


def test_a_resolved_ticket_becomes_a_draft_with_its_report():
    draft = draft_from_ticket(
        ticket("resolved", root_cause="Bad SFP", work_done="Replaced the SFP module")
    )
    assert draft["status"] is ArticleStatus.draft and draft["title"] == "端口抖动"
    assert draft["body"] == (
        "Symptom\nAccess switch port flaps every minute\n\nRoot cause\nBad SFP\n\n"
        "Work done\nReplaced the SFP module"
    )
    assert draft["category"] is Category.network


def test_a_draft_without_a_report_keeps_the_symptom_alone():
    assert (
        draft_from_ticket(ticket("closed"))["body"]
        == "Symptom\nAccess switch port flaps every minute"
    )


@pytest.mark.parametrize(
    "status", ["new", "assigned", "in_progress", "awaiting_customer", "cancelled"]
)
def test_an_unresolved_ticket_does_not_become_an_article(status):
    with pytest.raises(TicketNotResolved):
        draft_from_ticket(ticket(status))


# --- paging a search through its windows ------------------------------------------------------

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def window(*scores: float) -> list[Ranked]:
    """Hits ranked best first; the later in the list, the longer ago updated."""
    hits = [
        Ranked(uuid.UUID(int=i + 1), T0 - timedelta(minutes=i), s) for i, s in enumerate(scores)
    ]
    return sorted(hits, key=lambda r: (r.score, r.id), reverse=True)


def test_a_page_inside_a_window_continues_after_its_last_hit():
    hits = window(0.9, 0.5, 0.7)
    taken, at = take(hits, Place(), 2, size=3)
    assert [r.score for r, _ in taken] == [0.9, 0.7]
    assert at == Place(True, None, (0.7, hits[1].id)) == taken[-1][1]
    rest, _ = take(hits, at, 2, size=3)
    assert [r.score for r, _ in rest] == [0.5]


def test_a_full_window_used_up_leads_to_the_next_older_window_of_the_same_tier():
    hits = window(0.9, 0.5, 0.7)
    taken, at = take(hits, Place(), 5, size=3)
    assert len(taken) == 3
    assert at == Place(True, (T0 - timedelta(minutes=2), uuid.UUID(int=3)))


def test_the_title_hits_used_up_lead_to_the_body_hits_and_those_to_the_end():
    _, after_titles = take(window(0.9), Place(), 5, size=3)
    assert after_titles == Place(title_hits=False)
    _, after_bodies = take(window(0.9), Place(title_hits=False), 5, size=3)
    assert after_bodies is None
    assert take([], Place(title_hits=False), 5, size=3) == ([], None)
