"""Run the retention purge once: the same service as the daily Celery task."""

from django.core.management.base import BaseCommand

from feedback.retention import purge_personal_data


class Command(BaseCommand):
    help = "Remove personal data past its retention limit (contacts, attachments, IP hashes of ratings)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be removed; change nothing.")

    def handle(self, *args, **options):
        result = purge_personal_data(dry_run=options["dry_run"], trigger="command")
        prefix = "would remove" if result.dry_run else "removed"
        counts = " ".join(f"{name}={count}" for name, count in result.as_dict().items())
        self.stdout.write(f"{prefix}: {counts}")
