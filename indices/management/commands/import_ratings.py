"""Import a respondent-level rating file (an official survey, or ratings from an older system), or roll a batch
back. Runs in the foreground: check (the dry run), then import and refresh the figures it touches."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indices import rating_imports
from survey import imports
from survey.models import RatingImport, User


class Command(BaseCommand):
    help = (
        "Import respondent rows (xlsx or csv) as ratings of channel survey or import; --dry-run only checks; "
        "--roll-back <batch id> deletes a batch's ratings."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Path of the xlsx or csv file.")
        parser.add_argument("--channel", choices=["survey", "import"], default="survey")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and say what would be imported.")
        parser.add_argument("--user", help="Username recorded as the importer (provincial staff).")
        parser.add_argument("--roll-back", type=int, metavar="BATCH", help="Roll back this batch instead.")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None or not user.sees_all_units:
                raise CommandError("Tài khoản không tồn tại hoặc không phải cán bộ cấp tỉnh.")
        try:
            if options["roll_back"]:
                return self._roll_back(options["roll_back"], user)
            if not options["file"]:
                raise CommandError("Cần đường dẫn tệp.")
            path = Path(options["file"])
            try:
                content = path.read_bytes()
            except OSError as error:
                raise CommandError(f"Không đọc được tệp: {error}") from error
            if options["dry_run"]:
                result = imports.check_rating_file(content=content, file_name=path.name)
                self._report(result.row_count, result.error_count, result.errors)
                if result.error_count:
                    raise CommandError("Tệp có lỗi; không nhập dòng nào.")
                self.stdout.write(f"Kiểm tra xong: {result.row_count} dòng có thể nhập (chưa nhập).")
                return
            batch = imports.stage_rating_import(
                content=content, file_name=path.name, channel=options["channel"], by=user
            )
            batch = rating_imports.check_rating_import(batch_id=batch.pk)
            if batch.status != RatingImport.Status.CHECKED:
                self._report(batch.row_count, batch.error_count, batch.errors)
                raise CommandError("Tệp có lỗi; không nhập dòng nào.")
            batch = imports.confirm_rating_import(batch=batch, by=user)
            batch = rating_imports.run_rating_import(batch_id=batch.pk)
            self.stdout.write(f"Lô {batch.pk}: đã nhập {batch.row_count} dòng.")
        except imports.ImportRefused as refused:
            raise CommandError(refused.message) from refused

    def _roll_back(self, batch_id: int, user) -> None:
        batch = RatingImport.objects.filter(pk=batch_id).first()
        if batch is None:
            raise CommandError("Không có lô này.")
        batch = imports.delete_batch_ratings(batch=batch, by=user)
        rating_imports.refresh_rolled_back_import(batch_id=batch.pk)
        self.stdout.write(f"Lô {batch.pk}: đã hủy nhập.")

    def _report(self, rows: int, count: int, errors: list[dict]) -> None:
        self.stdout.write(f"{rows} dòng, {count} lỗi.")
        for error in errors:
            self.stdout.write(f"Dòng {error['row']}, cột {error['column']}: {imports.error_text(error)}")
