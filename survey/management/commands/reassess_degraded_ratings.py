"""Assess the ratings accepted while the cache was down (`survey.reassessment`); also run by Celery beat."""

from django.core.management.base import BaseCommand, CommandError

from survey.reassessment import reassess_degraded_ratings


class Command(BaseCommand):
    help = "Assess, from the database, the ratings accepted unassessed while the cache was down."

    def handle(self, *args, **options) -> None:
        result = reassess_degraded_ratings()
        if not result.cache_available:
            raise CommandError("The cache is still unavailable: nothing was assessed.")
        self.stdout.write(f"Assessed {result.assessed} ratings; {result.quarantined} quarantined for review.")
