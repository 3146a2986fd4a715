"""IN-6: a rating link's window and its token, as pure rules."""

import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from services.intake.ratings import rules, tokens
from services.intake.ratings.rules import Link, RateableTicket
from shared.auth import issue_dev_token
from shared.settings import Settings

RESOLVED = datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=UTC)
KEY = b"k" * 32


def ticket(status="resolved", resolved_at=RESOLVED) -> RateableTicket:
    return RateableTicket(uuid.UUID(int=7), status, resolved_at)


def test_a_new_link_runs_thirty_days_from_the_resolution_in_whole_seconds():
    link = rules.link_for(ticket(), None, RESOLVED + timedelta(days=2))
    assert link.expires_at == datetime(2026, 12, 20, 9, 30, 15, tzinfo=UTC)


def test_asking_again_while_the_link_is_valid_gives_the_same_link():
    first = rules.link_for(ticket(), None, RESOLVED + timedelta(days=1))
    again = rules.link_for(ticket(), first, RESOLVED + timedelta(days=29))
    assert again is first


@pytest.mark.parametrize(
    "status", ["new", "assigned", "in_progress", "awaiting_customer", "cancelled"]
)
def test_an_unresolved_ticket_gets_no_link(status):
    with pytest.raises(rules.NotResolved):
        rules.link_for(ticket(status), None, RESOLVED)


def test_a_closed_ticket_is_still_rated_within_the_window():
    assert rules.link_for(ticket("closed"), None, RESOLVED).ticket_id == uuid.UUID(int=7)


def test_no_link_is_issued_once_the_window_has_passed():
    with pytest.raises(rules.LinkExpired):
        rules.link_for(ticket(), None, RESOLVED + timedelta(days=30))


def test_a_ticket_resolved_again_after_its_link_expired_gets_a_new_window():
    old = Link(uuid.UUID(int=7), RESOLVED, RESOLVED + timedelta(days=30))
    again = RESOLVED + timedelta(days=40)
    link = rules.link_for(ticket(resolved_at=again), old, again + timedelta(hours=1))
    assert link.expires_at == (again + timedelta(days=30)).replace(microsecond=0)


def test_an_expired_link_of_the_same_resolution_stays_expired():
    old = Link(uuid.UUID(int=7), RESOLVED, RESOLVED + timedelta(days=30))
    with pytest.raises(rules.LinkExpired):
        rules.link_for(ticket(), old, RESOLVED + timedelta(days=31))


def test_a_link_expires_at_its_expiry_instant_not_a_second_later():
    expires = RESOLVED + timedelta(days=30)
    rules.check_open(expires, expires - timedelta(microseconds=1))
    with pytest.raises(rules.LinkExpired):
        rules.check_open(expires, expires)


@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_score_outside_one_to_five_is_refused(score):
    with pytest.raises(rules.ScoreOutOfRange):
        rules.check_rating(score, None)


def test_a_comment_over_two_thousand_characters_is_refused():
    rules.check_rating(5, "x" * 2000)
    with pytest.raises(rules.ScoreOutOfRange):
        rules.check_rating(5, "x" * 2001)


def test_the_same_link_always_makes_the_same_token_and_it_reads_back():
    link = Link(uuid.UUID(int=7), RESOLVED.replace(microsecond=0), RESOLVED.replace(microsecond=0))
    token = tokens.encode(link, KEY)
    assert token == tokens.encode(link, KEY)
    claims = tokens.decode(token, KEY)
    assert (claims.ticket_id, claims.expires_at) == (link.ticket_id, link.expires_at)


def test_an_altered_token_or_another_key_is_no_link():
    token = tokens.encode(Link(uuid.UUID(int=7), RESOLVED, RESOLVED), KEY)
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    for bad in (f"{header}.{payload}.{flipped}", token[:-4], "not-a-token"):
        with pytest.raises(rules.LinkInvalid):
            tokens.decode(bad, KEY)
    with pytest.raises(rules.LinkInvalid):
        tokens.decode(token, b"another key of thirty-two bytes!")


def test_a_token_past_pyjwts_wall_clock_still_decodes_the_business_clock_decides():
    long_ago = datetime(2001, 1, 1, tzinfo=UTC)
    token = tokens.encode(Link(uuid.UUID(int=7), long_ago, long_ago), KEY)
    assert tokens.decode(token, KEY).expires_at == long_ago


def test_the_derived_key_is_not_the_jwt_secret_and_access_tokens_are_not_links():
    settings = Settings(jwt_secret="s" * 48)
    key = tokens.signing_key(settings)
    assert key != settings.jwt_secret.get_secret_value().encode()
    access = issue_dev_token(settings, str(uuid.UUID(int=7)), ["admin"])
    for candidate in (key, settings.jwt_secret.get_secret_value().encode()):
        with pytest.raises(rules.LinkInvalid):
            tokens.decode(access, candidate)
    # and a link never verifies as an access token
    link = tokens.encode(Link(uuid.UUID(int=7), RESOLVED, RESOLVED + timedelta(days=1)), key)
    with pytest.raises(jwt.PyJWTError):
        jwt.decode(
            link, settings.jwt_secret.get_secret_value(), algorithms=["HS256"], audience="fieldops"
        )


def test_a_rating_secret_of_its_own_is_used_as_given():
    settings = Settings(jwt_secret="s" * 48, rating_secret="r" * 48)
    assert tokens.signing_key(settings) == b"r" * 48


def test_without_any_secret_links_cannot_be_signed():
    with pytest.raises(tokens.RatingKeyMissing):
        tokens.signing_key(Settings(jwt_secret=None, jwt_jwks_url="https://idp.example/jwks"))


def test_a_published_rating_secret_is_refused():
    with pytest.raises(ValueError, match="RATING_SECRET"):
        Settings(jwt_secret="s" * 48, rating_secret="changeme")
