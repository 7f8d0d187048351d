"""Recompute every counter's usual rhythm (the burst detector's baseline); also run daily by Celery beat."""

from django.core.management.base import BaseCommand

from survey.integrity import refresh_counter_baselines


class Command(BaseCommand):
    help = "Recompute every counter's usual rhythm used by the burst detector."

    def handle(self, *args, **options) -> None:
        count = refresh_counter_baselines()
        self.stdout.write(f"Refreshed the baselines of {count} counters.")
