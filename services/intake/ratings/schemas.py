"""Ratings over HTTP: the customer's score, and the link the centre sends out."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.intake.ratings.rules import COMMENT_MAX


class RatingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    score: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent)")
    comment: str | None = Field(default=None, max_length=COMMENT_MAX)


class RatingPublic(BaseModel):
    """What the customer sees back: nothing about the ticket beyond what they sent."""

    score: int
    comment: str | None
    recorded_at: datetime


class RatingLinkPublic(BaseModel):
    url: str = Field(description="POST a rating here; no login needed")
    expires_at: datetime = Field(description="30 days after the ticket was resolved")
