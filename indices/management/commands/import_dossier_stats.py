"""Import dossiers handled and resolved late per unit and month from the one-stop system's CSV."""

from django.core.management.base import BaseCommand, CommandError

from indices.services import DossierImportError, import_dossier_stats


class Command(BaseCommand):
    help = "Import dossier statistics from a CSV file with the columns unit, month (YYYY-MM), handled, late."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV file (UTF-8).")

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8-sig") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Không đọc được tệp: {error}") from error
        try:
            count = import_dossier_stats(text=text)
        except DossierImportError as error:
            raise CommandError("Không nhập dòng nào:\n" + "\n".join(error.errors)) from error
        self.stdout.write(f"{count} dòng đã nhập.")
