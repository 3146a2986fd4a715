"""The local stack for one machine: embedded PostgreSQL, SeaweedFS, Tansu and a supervisor.

Used by `fieldops up` and by the test fixtures; nothing here runs in production.
"""
