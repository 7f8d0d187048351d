"""Celery tasks of the survey app: thin wrappers that call one service each."""

from celery import shared_task

from . import accounts, integrity, services


@shared_task
def generate_poster_batch_task(batch_id: int) -> None:
    services.generate_poster_batch(batch_id=batch_id)


@shared_task
def send_integrity_alert_task(alert_id: int) -> int:
    return integrity.send_integrity_alert(alert_id=alert_id)


@shared_task
def refresh_counter_baselines_task() -> int:
    return integrity.refresh_counter_baselines()


@shared_task
def send_login_failures_notice_task(user_id: int, ip: str, at: str) -> bool:
    return accounts.send_login_failures_notice(user_id=user_id, ip=ip, at=at)


@shared_task
def reassess_degraded_ratings_task() -> int:
    from .reassessment import reassess_degraded_ratings

    return reassess_degraded_ratings().assessed
