"""Reads of reports, dashboards and exports from a streaming replica; everything else on the primary.

Routing is opt-in and explicit: only code run inside `replica_reads()` (or a view wrapped by `reads_from_replica`)
reads from the `replica` alias, and only when `DATABASE_REPLICA_URL` configured one. Three rules keep it safe:

- a write always goes to the primary (`db_for_write`), and the replica alias is never migrated;
- once the scope has written anything, its later reads go to the primary too, so a request sees its own writes
  (the replica may lag behind by a few milliseconds);
- inside a transaction on the primary, reads stay in that transaction.

Views are marked rather than apps or models because the same tables (ratings, units, snapshots) are read by the
rating path, which must see the latest state, and by reports, which tolerate the lag: their rollups are already
refreshed only once a minute.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

# None outside a replica scope; inside, a one-item list that becomes [False] after the scope's first write.
_scope: ContextVar[list[bool] | None] = ContextVar("replica_reads", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def replica_reads():
    """Send the reads of this block to the replica (when one is configured), until the block writes."""
    token = _scope.set([True])
    try:
        yield
    finally:
        _scope.reset(token)


def reads_from_replica(view):
    """A view whose GET and HEAD requests read from the replica; other methods stay on the primary."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        scope = _scope.get()
        if not scope or not scope[0] or not replica_configured():
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        scope = _scope.get()
        if scope:
            scope[0] = False
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: an object read from the replica may be linked to one from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
