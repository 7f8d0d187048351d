"""Importing respondent-level survey files: dry run, all-or-nothing import, figures, refusal of a second import,
rollback; through the provincial staff's pages, the management command and the API."""

import datetime
import io
import random
import zoneinfo
from statistics import mean

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from indices import services
from indices.models import ChannelSnapshot, IndexSnapshot
from indices.periods import year
from survey.models import AuditEntry, Counter, Questionnaire, Rating, RatingAnswer, RatingImport
from tests import factories

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = year(2025)


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Tasks run in the test, once the request's transaction "commits" (the test's own transaction never does)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def post(url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return post


@pytest.fixture
def units():
    """Three groups of units (as the seed's three groups), one unit of them ended on 30 June 2025."""
    groups = [factories.make_group(code=f"khoi-{n}", name=f"Khối {n}") for n in range(3)]
    units = {
        "central": factories.make_unit(group=groups[0], code="cuc-thue"),
        "dept-a": factories.make_unit(group=groups[1], code="so-tu-phap"),
        "dept-b": factories.make_unit(group=groups[1], code="so-y-te"),
        "district": factories.make_unit(group=groups[2], code="huyen-an-lao", valid_to=datetime.date(2025, 6, 30)),
        "district-b": factories.make_unit(group=groups[2], code="thi-xa-an-nhon"),
    }
    return units


def _full():
    questionnaire = Questionnaire.objects.get(family="sipas-full", version=1)
    return questionnaire, list(questionnaire.items.order_by("position"))


def _respondents(units, seed=7):
    """40 respondents per unit: every 19 items answered 1..5 or "no opinion", dated or by period."""
    rng = random.Random(seed)
    _questionnaire, items = _full()
    rows = []
    for key, unit in units.items():
        for n in range(40):
            answers = {i.code: rng.choice([1, 2, 3, 4, 4, 5, 5, "KYK"]) for i in items}
            if key == "district":
                when = {"date": datetime.date(2025, 1 + n % 6, 1 + n % 28)} if n % 4 else {"period": "2025"}
            else:
                when = {"date": datetime.date(2025, 1 + n % 12, 1 + n % 28)} if n % 3 else {"period": "2025-Q3"}
            rows.append(
                {
                    "unit": unit.code,
                    **when,
                    "overall": rng.choice([1, 2, 3, 4, 5, 5]),
                    "answers": answers,
                    "age_band": rng.choice(["18-29", "30-44", "", "60+"]),
                    "sex": rng.choice(["Nam", "Nữ", ""]),
                    "submission": rng.choice(["trực tiếp", "trực tuyến", ""]),
                }
            )
    return rows


def _xlsx(rows, *, extra_rows=()) -> bytes:
    _questionnaire, items = _full()
    codes = [i.code for i in items]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["unit", "date", "period", "questionnaire", "version", "overall", *codes, "age_band", "sex",
                  "submission"])  # fmt: skip
    for row in rows:
        sheet.append(
            [row["unit"], row.get("date"), row.get("period"), "sipas-full", 1, row["overall"],
             *[row["answers"][c] for c in codes], row["age_band"], row["sex"], row["submission"]]
        )  # fmt: skip
    for row in extra_rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _expected_sipas(rows):
    """The SIPAS index computed here from the respondents: mean of element indices, each the mean of its criteria's
    rates, each rate 100 x #(4-5) / #(1-5), no opinion excluded."""
    _questionnaire, items = _full()
    elements = {}
    for item in items:
        values = [r["answers"][item.code] for r in rows if r["answers"][item.code] != "KYK"]
        rate = 100 * sum(1 for v in values if v >= 4) / len(values)
        elements.setdefault(item.element, []).append(rate)
    return mean(mean(rates) for rates in elements.values())


def _figure(level, entity_id, index="sipas", channels=None):
    model = IndexSnapshot if channels is None else ChannelSnapshot
    extra = {} if channels is None else {"channels": channels}
    row = model.objects.get(
        level=level, entity_id=entity_id, period_kind="year", period_start=YEAR.start, index=index, **extra
    )
    return row.value


def _upload(post, content, name="sipas-2025.xlsx", channel="survey"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return post(reverse("reports:import-list"), {"file": SimpleUploadedFile(name, content), "channel": channel})


def test_a_survey_file_imports_into_every_group_and_the_figures_match(client, post, units):
    # given: a live QR rating of one unit in 2025, and figures computed before the import
    counter = factories.make_counter(unit=units["dept-a"])
    factories.make_rating(counter=counter, score=5, created_at=datetime.datetime(2025, 4, 2, 9, tzinfo=TZ))
    services.compute_indices(periods=[YEAR])
    before = {
        (s.level, s.entity_id, s.index): s.value
        for s in IndexSnapshot.objects.filter(period_kind="year", period_start=YEAR.start)
    }
    province = factories.make_user(role="province")
    client.force_login(province)
    rows = _respondents(units)
    content = _xlsx(rows)

    # when: uploaded (the dry run), then confirmed
    response = _upload(post, content)
    batch = RatingImport.objects.get()
    assert response.status_code == 302 and batch.status == RatingImport.Status.CHECKED
    assert Rating.objects.filter(import_batch__isnull=False).count() == 0
    page = client.get(reverse("reports:import-show", args=[batch.pk]))
    assert "200" in page.content.decode() and page.context["batch"].row_count == 200
    assert post(reverse("reports:import-confirm", args=[batch.pk])).status_code == 302

    # then: every row is a survey rating dated as given, with its 19 answers (no opinion as null)
    batch.refresh_from_db()
    assert batch.status == RatingImport.Status.DONE and batch.row_count == 200 and batch.created_by == province
    imported = Rating.objects.filter(import_batch=batch)
    assert imported.count() == 200 and set(imported.values_list("channel", flat=True)) == {"survey"}
    assert RatingAnswer.objects.filter(rating__import_batch=batch).count() == 200 * 19
    assert RatingAnswer.objects.filter(rating__import_batch=batch, value__isnull=True).count() == sum(
        1 for r in rows for v in r["answers"].values() if v == "KYK"
    )
    ended = imported.filter(unit=units["district"])
    assert ended.count() == 40
    assert max(r.created_at.astimezone(TZ).date() for r in ended) <= datetime.date(2025, 6, 30)
    assert not Counter.objects.filter(kind=Counter.Kind.IMPORT, is_active=True).exists()
    assert {r.respondent.get("sex") for r in imported} <= {"male", "female", None}

    # and the unit, group and province figures equal those computed here from the respondents
    by_unit = {key: [r for r in rows if r["unit"] == unit.code] for key, unit in units.items()}
    expected_unit = {key: _expected_sipas(unit_rows) for key, unit_rows in by_unit.items()}
    for key, unit in units.items():
        assert _figure("unit", unit.pk, channels="survey") == pytest.approx(expected_unit[key])
        if key != "dept-a":  # dept-a also has its one live QR rating
            assert _figure("unit", unit.pk) == pytest.approx(expected_unit[key])
    # a group's survey figure is the mean of its counted units: the unit ended in June is not in force on the
    # year's last day, so it is shown but not counted (k of n as for all channels)
    survey = ChannelSnapshot.objects.filter(channels="survey", period_kind="year", period_start=YEAR.start)
    assert survey.get(level="unit", entity_id=units["district"].pk, index="sipas").status == "inactive"
    group_of = {key: unit.group_id for key, unit in units.items()}
    groups = {}
    for key, value in expected_unit.items():
        if key != "district":
            groups.setdefault(group_of[key], []).append(value)
    for group_id, values in groups.items():
        row = survey.get(level="group", entity_id=group_id, index="sipas")
        assert row.value == pytest.approx(mean(values))
        assert (row.units_counted, row.units_total) == (len(values), len(values))
        assert row.ballots == 40 * len(values)
    assert _figure("province", 0, channels="survey") == pytest.approx(mean(mean(v) for v in groups.values()))

    # when: the same file is uploaded again, it is refused
    again = _upload(post, content, name="copy.xlsx")
    assert again.status_code == 400 and "không nhập một tệp hai lần" in again.content.decode()
    assert RatingImport.objects.count() == 1

    # when: the batch is rolled back
    assert post(reverse("reports:import-roll-back", args=[batch.pk])).status_code == 302

    # then: its ratings are gone, the rollback is audited, and the figures are those of before
    batch.refresh_from_db()
    assert batch.status == RatingImport.Status.ROLLED_BACK and batch.rolled_back_by == province
    assert not Rating.objects.filter(import_batch=batch).exists()
    assert AuditEntry.objects.filter(action="rating_import.roll_back", target_id=str(batch.pk)).count() == 1
    after = {
        (s.level, s.entity_id, s.index): s.value
        for s in IndexSnapshot.objects.filter(period_kind="year", period_start=YEAR.start)
    }
    assert after == before
    assert not ChannelSnapshot.objects.filter(channels="survey").exists()


def test_the_dry_run_lists_every_error_by_row_and_column_and_imports_nothing(client, post, units):
    client.force_login(factories.make_user(role="province"))
    rows = _respondents({"central": units["central"]})[:3]
    bad = [
        ["khong-co", "2025-02-30", "", "sipas-full", 1, 7] + [9] * 19 + ["99", "X", "fax"],
        [units["district"].code, "2025-09-01", "", "sipas-full", 1, 4] + [4] * 19 + ["", "", ""],
        [units["central"].code, "", "", "sipas-khong", 1, 4] + [4] * 19 + ["", "", ""],
    ]
    response = _upload(post, _xlsx(rows, extra_rows=bad))

    batch = RatingImport.objects.get()
    assert response.status_code == 302 and batch.status == RatingImport.Status.INVALID
    cells = {(e["row"], e["column"]) for e in batch.errors}
    assert {(5, "unit"), (5, "date"), (5, "overall"), (5, "A1"), (5, "F3"), (5, "age_band"), (5, "sex")} <= cells
    assert (5, "submission") in cells
    assert (6, "date") in cells  # the district had ended by September 2025
    assert {(7, "date"), (7, "questionnaire")} <= cells
    assert not any(e["row"] in (2, 3, 4) for e in batch.errors)
    assert not Rating.objects.exists()
    page = client.get(reverse("reports:import-show", args=[batch.pk]))
    assert "Tệp có" in page.content.decode() and page.content.decode().count("<tr>") >= len(batch.errors)
    assert post(reverse("reports:import-confirm", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == RatingImport.Status.INVALID and not Rating.objects.exists()


def test_historical_ratings_from_csv_through_the_command(units, tmp_path):
    path = tmp_path / "cu.csv"
    path.write_text(
        "unit,date,questionnaire,overall,SA,SP\n"
        f"{units['central'].code},15/03/2024,sipas-short,4,5,KYK\n"
        f"{units['central'].code},2024-03-16,sipas-short,2,,1\n",
        encoding="utf-8",
    )
    call_command("import_ratings", str(path), "--channel", "import", "--dry-run")
    assert not Rating.objects.exists()

    call_command("import_ratings", str(path), "--channel", "import")

    ratings = Rating.objects.order_by("created_at")
    assert [r.channel for r in ratings] == ["import", "import"]
    assert [r.created_at.astimezone(TZ).date() for r in ratings] == [datetime.date(2024, 3, 15),
                                                                      datetime.date(2024, 3, 16)]  # fmt: skip
    assert [a.value for a in ratings[0].answers.order_by("item__position")] == [5, None]
    assert ratings[1].answers.count() == 1
    with pytest.raises(CommandError, match="hai lần"):
        call_command("import_ratings", str(path), "--channel", "import")
    batch = RatingImport.objects.get()
    call_command("import_ratings", "--roll-back", str(batch.pk))
    assert not Rating.objects.exists()


@pytest.mark.parametrize("role", ["officer", "lead", "anonymous"])
def test_only_provincial_staff_reach_the_import_pages(client, post, units, role):
    if role != "anonymous":
        client.force_login(factories.make_user(role=role, unit=units["central"]))
    for name in ("reports:import-list", "reports:import-template"):
        response = client.get(reverse(name))
        assert response.status_code in (302, 403)
    response = _upload(post, b"unit,date\n")
    assert response.status_code in (302, 403) and not RatingImport.objects.exists()


def test_the_template_lists_the_columns_units_and_questionnaires(client, units):
    from openpyxl import load_workbook

    client.force_login(factories.make_user(role="province"))
    response = client.get(reverse("reports:import-template"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = [c.value for c in workbook.worksheets[0][1]]
    assert header[:6] == ["unit", "date", "period", "questionnaire", "version", "overall"]
    assert "A1" in header and "F3" in header and header[-3:] == ["age_band", "sex", "submission"]
    assert units["district"].code in [c.value for c in workbook.worksheets[1]["A"]]
