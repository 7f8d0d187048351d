"""Seed the SIPAS questionnaires (full 19-item block and 5-item short form) and the "why" chips.

The short form is the province-wide default: a citizen on a cheap phone answers five items in seconds. The full
block is seeded inactive; the province or a unit can switch to it in the admin. The items come from
survey/data/sipas-items.csv as it stood when this migration was written: later edits to the file do not change
what this migration seeds (the CSV is read at migration time, so keep it stable or add a new migration).
"""

import csv
from pathlib import Path

from django.db import migrations

ITEMS_CSV = Path(__file__).resolve().parent.parent / "data" / "sipas-items.csv"

FORMS = {
    "full": ("sipas-full", "Phiếu khảo sát SIPAS đầy đủ", "Full SIPAS questionnaire", False),
    "short": ("sipas-short", "Phiếu khảo sát SIPAS rút gọn", "Short SIPAS questionnaire", True),
}

CHIPS = [
    ("tre-hen", "Trả kết quả trễ hẹn", "Result was late"),
    ("di-lai-nhieu-lan", "Phải đi lại nhiều lần", "Had to come back several times"),
    ("thai-do", "Cán bộ thiếu nhiệt tình, thiếu lịch sự", "Unhelpful or rude staff"),
    ("thu-tuc-kho-hieu", "Thủ tục không rõ ràng", "Unclear procedure"),
    ("chi-phi-ngoai", "Bị đòi chi phí ngoài quy định", "Unofficial payment requested"),
    ("co-so-vat-chat", "Cơ sở vật chất chưa tốt", "Poor facilities"),
]


def seed(apps, schema_editor):
    Questionnaire = apps.get_model("survey", "Questionnaire")
    QuestionnaireItem = apps.get_model("survey", "QuestionnaireItem")
    ReasonChip = apps.get_model("survey", "ReasonChip")

    with open(ITEMS_CSV, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for form, (family, name, name_en, is_active) in FORMS.items():
        questionnaire, created = Questionnaire.objects.get_or_create(
            family=family, version=1, defaults={"name": name, "name_en": name_en, "is_active": is_active}
        )
        if not created:
            continue
        QuestionnaireItem.objects.bulk_create(
            QuestionnaireItem(
                questionnaire=questionnaire,
                code=row["code"],
                element=row["element"],
                text=row["text_vi"],
                text_en=row["text_en"],
                position=position,
            )
            for position, row in enumerate((r for r in rows if r["form"] == form), start=1)
        )
    for position, (code, label, label_en) in enumerate(CHIPS, start=1):
        ReasonChip.objects.get_or_create(
            code=code, defaults={"label": label, "label_en": label_en, "position": position}
        )


def unseed(apps, schema_editor):
    # Seeded rows that ratings already use are protected; only remove what nothing refers to.
    Questionnaire = apps.get_model("survey", "Questionnaire")
    ReasonChip = apps.get_model("survey", "ReasonChip")
    Questionnaire.objects.filter(family__in=[f[0] for f in FORMS.values()], version=1, ratings__isnull=True).delete()
    ReasonChip.objects.filter(code__in=[c[0] for c in CHIPS]).delete()


class Migration(migrations.Migration):
    dependencies = [("survey", "0002_poster_batch")]

    operations = [migrations.RunPython(seed, unseed)]
