"""Send the citizen messages whose retry is overdue, and ask for ratings of unrated answers: the same services as
the periodic Celery tasks."""

from django.core.management.base import BaseCommand

from feedback.deliveries import resend_due_deliveries
from feedback.services import request_ratings


class Command(BaseCommand):
    help = "Retry pending notifications to citizens that are overdue, and queue requests to rate answers."

    def handle(self, *args, **options):
        resent = resend_due_deliveries(grace_seconds=0)
        asked = request_ratings()
        self.stdout.write(f"resent={resent} rate_requests={asked}")
