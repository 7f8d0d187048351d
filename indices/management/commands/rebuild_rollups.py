"""Recompute every rollup row from the raw ratings."""

from django.core.management.base import BaseCommand

from indices.services import rebuild_rollups


class Command(BaseCommand):
    help = "Recompute every rollup row from the raw ratings (raw ratings are the source of truth)."

    def handle(self, *args, **options):
        written = rebuild_rollups()
        self.stdout.write(f"{written} rollup rows written.")
