"""Blank the IP hashes of ratings older than the retention period; also run daily by Celery beat."""

from django.core.management.base import BaseCommand

from survey.integrity import purge_ip_hashes


class Command(BaseCommand):
    help = "Blank the IP hashes of ratings older than the configured retention."

    def handle(self, *args, **options) -> None:
        count = purge_ip_hashes()
        self.stdout.write(f"Purged the IP hashes of {count} ratings.")
