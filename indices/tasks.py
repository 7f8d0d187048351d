"""Celery tasks of the indices app."""

from celery import shared_task

# --- Reporting module ---------------------------------------------------------------------------------------


@shared_task
def generate_report_export_task(export_id: int) -> None:
    from .exports_report import generate_report_export

    generate_report_export(export_id=export_id)
