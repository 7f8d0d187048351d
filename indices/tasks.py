"""Celery tasks of the indices app: each calls one service."""

from celery import shared_task

from .periods import parse_period
from .services import compute_indices, refresh_indices


@shared_task
def refresh_indices_task() -> int:
    """The periodic job (every minute): refresh rollups and recompute the periods that changed."""
    return refresh_indices().pk


@shared_task
def compute_indices_task(periods: list[str], rebuild: bool = False) -> int:
    return compute_indices(periods=[parse_period(p) for p in periods], rebuild=rebuild, trigger="task").pk


@shared_task
def generate_report_export_task(export_id: int) -> None:
    from .exports_report import generate_report_export

    generate_report_export(export_id=export_id)


@shared_task
def check_rating_import_task(batch_id: int) -> str:
    """The dry run of an uploaded rating file."""
    from .rating_imports import check_rating_import

    return check_rating_import(batch_id=batch_id).status


@shared_task
def run_rating_import_task(batch_id: int) -> str:
    """Import a confirmed rating file, then refresh the figures of the periods it touches."""
    from .rating_imports import run_rating_import

    return run_rating_import(batch_id=batch_id).status


@shared_task
def refresh_rolled_back_import_task(batch_id: int) -> str:
    from .rating_imports import refresh_rolled_back_import

    return refresh_rolled_back_import(batch_id=batch_id).status
