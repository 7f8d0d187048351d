"""Run the PAKN deadline job once: the same service as the periodic Celery task."""

import datetime

from django.core.management.base import BaseCommand

from feedback.services import process_deadlines


class Command(BaseCommand):
    help = "Remind units before PAKN deadlines and escalate overdue cases to provincial staff."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="Treat this day as today (YYYY-MM-DD).")

    def handle(self, *args, **options):
        result = process_deadlines(today=options["date"])
        self.stdout.write(f"reminded={result['reminded']} escalated={result['escalated']}")
