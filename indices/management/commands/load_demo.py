"""Load the demo world: `python manage.py load_demo [--password P] [--ratings N] [--seed S] [--allow-production]`.

It lives in `indices` because it loads every app's demo data (the organisation from `survey.demo`, then the CCHC
scores from `indices.demo`), and `survey` must not import `indices`.

The demo accounts' password is published: in production mode (`DJANGO_DEBUG` off) the command refuses to run
unless `--allow-production` is given, and it never changes the password of an account that already exists.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from indices.demo import compute_demo_indices, load_cchc_demo
from survey.demo import DEFAULT_DEMO_PASSWORD, generate_demo_ratings, load_demo_world


class Command(BaseCommand):
    help = (
        "Build the Bình Định demo world (idempotent): units, counters, accounts, CCHC scores of 2016 and 2017 and,"
        " with --ratings, ratings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_DEMO_PASSWORD, help="Password of every demo account.")
        parser.add_argument("--ratings", type=int, default=0, help="Add N synthetic ratings over two years.")
        parser.add_argument("--seed", type=int, default=2017, help="Random seed (same seed, same world).")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DJANGO_DEBUG off (a demonstration server). Existing passwords are never changed.",
        )

    def handle(self, *args, password: str, ratings: int, seed: int, allow_production: bool, **options):
        if settings.PRODUCTION_MODE and not allow_production:
            raise CommandError(
                "load_demo refuses to run in production mode (DJANGO_DEBUG is off): it creates accounts with a "
                "published password. Pass --allow-production on a demonstration server."
            )
        report = load_demo_world(password=password, seed=seed)
        for what, count in report.created.items():
            self.stdout.write(f"{what}: {count} created")
        if ratings:
            added = generate_demo_ratings(count=ratings, seed=seed)
            self.stdout.write(f"ratings: {added} created ({ratings} demo ratings wanted)")
            run = compute_demo_indices()
            self.stdout.write(f"indices: {run.snapshots.count()} figures for the months, quarters and years rated")
        for what, count in load_cchc_demo().items():
            self.stdout.write(f"{what}: {count} written")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready. Log in at /accounts/login/ as 'province' (provincial staff), 'admin' (administrator) "
                f"or 'officer-<unit code>' / 'lead-<unit code>' (e.g. officer-so-tu-phap), password: {password} "
                "(accounts that already existed keep their own password)"
            )
        )
