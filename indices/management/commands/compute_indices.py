"""Refresh (or rebuild) rollups, then compute and store index snapshots for some periods."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indices.periods import PeriodError, parse_period, periods_containing
from indices.services import compute_indices


class Command(BaseCommand):
    help = (
        "Compute index snapshots. --period takes 2025, 2025-Q1, 2025-03 or 2025-01-01..2025-03-15 and may be "
        "repeated (default: the current month, quarter and year); --rebuild rebuilds rollups first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", action="append", default=[], help="A period; may be repeated.")
        parser.add_argument("--rebuild", action="store_true", help="Rebuild rollups from the raw ratings first.")

    def handle(self, *args, **options):
        try:
            periods = [parse_period(text) for text in options["period"]]
        except PeriodError as error:
            raise CommandError(str(error)) from error
        periods = periods or periods_containing(timezone.localdate())
        run = compute_indices(periods=periods, rebuild=options["rebuild"])
        count = run.snapshots.count()
        self.stdout.write(f"Run {run.pk}: {count} figures for {run.periods} from {run.rating_count} ratings.")
