"""Refusals shared by the master-data slices: a body names something that is not there, or not yours.

Both are 422 (the request is wrong, not the state of the thing asked for) and carry `field`,
so a call centre's integration can show the error beside the right input.
"""

from __future__ import annotations

from shared.errors import DomainError


class UnknownReference(DomainError):
    title = "Unknown reference"


class ForeignReference(DomainError):
    title = "Belongs to another customer"
