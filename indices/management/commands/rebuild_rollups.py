"""Recompute every rollup row from the raw ratings."""

import time

from django.core.management.base import BaseCommand

from indices.services import rebuild_rollups


class Command(BaseCommand):
    help = "Recompute every rollup row from the raw ratings (raw ratings are the source of truth)."

    def handle(self, *args, **options):
        # One transaction that can take minutes on a large table: say so, and how long it took.
        self.stdout.write("Rebuilding rollups from the raw ratings (pages keep the previous figures meanwhile)...")
        started = time.monotonic()
        written = rebuild_rollups()
        self.stdout.write(f"{written} rollup rows written in {time.monotonic() - started:.1f} s.")
