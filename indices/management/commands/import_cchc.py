"""Import a year's CCHC scores: `python manage.py import_cchc FILE --year YYYY` (.xlsx or .csv).

The file is validated first; with any error nothing changes and every error is printed by row and column.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indices.cchc import CchcImportRejected, import_cchc_scores


class Command(BaseCommand):
    help = "Import (replace) the CCHC scores of a year from an Excel (.xlsx) or CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the .xlsx or .csv file (see the template on the upload page).")
        parser.add_argument("--year", type=int, required=True, help="The year the scores belong to.")

    def handle(self, *args, file: str, year: int, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            log = import_cchc_scores(content=path.read_bytes(), file_name=path.name, year=year, source="command")
        except CchcImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(rejected.errors)} error(s); nothing was imported.") from None
        self.stdout.write(self.style.SUCCESS(f"Imported {log.rows} CCHC scores for {year}."))
