"""Celery tasks of the survey app: thin wrappers that call one service."""

from celery import shared_task

from . import services


@shared_task
def generate_poster_batch_task(batch_id: int) -> None:
    services.generate_poster_batch(batch_id=batch_id)
