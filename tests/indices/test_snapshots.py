"""Snapshots: computed from rollups, stored per level x entity x period x index, idempotent."""

import datetime
import zoneinfo

import pytest
from django.core.management import CommandError, call_command

from indices import services
from indices.models import DossierStat, IndexSnapshot, SnapshotRun
from indices.periods import month, parse_period, periods_containing, quarter, year
from survey.models import Rating
from tests import factories

pytestmark = pytest.mark.django_db

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, m: int = 3) -> datetime.datetime:
    return datetime.datetime(2025, m, day, 10, 0, tzinfo=TZ)


def snap(level, entity_id, index, period):
    return IndexSnapshot.objects.get(
        level=level,
        entity_id=entity_id,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        index=index,
    )


@pytest.fixture
def rated(world):
    """Unit A: 3 ratings in March 2025 (5, 4, 1; items), one quarantined; unit B: 1 rating of 2 in April."""
    q = factories.make_questionnaire(items=[("A1", "access"), ("P1", "procedure")])
    factories.make_rating(counter=world.counter_a, score=5, questionnaire=q, answers={"A1": 5, "P1": 4},
                          created_at=at(3))  # fmt: skip
    factories.make_rating(counter=world.counter_a, score=4, questionnaire=q, answers={"A1": 2, "P1": None},
                          created_at=at(4))  # fmt: skip
    factories.make_rating(counter=world.counter_a, score=1, questionnaire=q, created_at=at(5))
    factories.make_rating(counter=world.counter_a, score=1, questionnaire=q, answers={"A1": 1},
                          status=Rating.Status.QUARANTINED, created_at=at(5))  # fmt: skip
    factories.make_rating(counter=world.counter_b, score=2, questionnaire=q, answers={"A1": 4}, created_at=at(2, 4))
    services.rebuild_rollups()
    return world


def test_snapshots_for_month_quarter_and_year(rated, settings):
    settings.INDICES_MIN_SAMPLE = 3
    w = rated
    run = services.compute_snapshots(periods=periods_containing(datetime.date(2025, 3, 10)))
    march, q1, y = month(2025, 3), quarter(2025, 1), year(2025)
    # Unit A in March: overall 2 of 3, A1 = 1/2, P1 = 1/1, SIPAS = (50 + 100) / 2; the quarantined one is out.
    assert snap("unit", w.unit_a.pk, "overall", march).value == pytest.approx(200 / 3)
    assert snap("unit", w.unit_a.pk, "overall", march).n == 3
    assert snap("unit", w.unit_a.pk, "overall", march).adequate
    assert snap("unit", w.unit_a.pk, "criterion:A1", march).value == pytest.approx(50)
    sipas = snap("unit", w.unit_a.pk, "sipas", q1)
    assert sipas.value == pytest.approx(75)
    assert (sipas.n, sipas.adequate) == (1, False)
    assert sipas.ci_low is not None and sipas.ci_low < 75 < sipas.ci_high
    assert snap("unit", w.unit_a.pk, "dissatisfaction", march).value == pytest.approx(100 / 3)
    assert snap("unit", w.unit_a.pk, "mean_score", march).value == pytest.approx(10 / 3)
    assert snap("counter", w.counter_a.pk, "overall", march).value == pytest.approx(200 / 3)
    # The year: unit B joins (overall 0 of 1, below the minimum of 3): the group's mean counts unit A only (1 of
    # its 2 units), the province's is the mean of its groups; the pooled rate over all 4 ratings stands beside.
    group = snap("group", w.group.pk, "overall", y)
    assert (group.value, group.units_counted, group.units_total, group.ballots) == (pytest.approx(200 / 3), 1, 2, 3)
    assert snap("unit", w.unit_b.pk, "overall", y).status == "insufficient"
    province = snap("province", 0, "overall", y)
    assert (province.value, province.units_counted, province.units_total) == (pytest.approx(200 / 3), 1, 2)
    assert snap("province", 0, "pooled_overall", y).value == pytest.approx(50)
    assert snap("province", 0, "pooled_overall", y).ballots == 4
    assert not IndexSnapshot.objects.filter(entity_id=w.unit_b.pk, level="unit", period_kind="month").exists()
    assert run.rating_count == 4
    assert run.formula_version == services.FORMULA_VERSION


def test_recomputing_is_idempotent_and_drops_figures_that_no_longer_exist(rated):
    periods = [month(2025, 3)]
    services.compute_snapshots(periods=periods)
    first = sorted(IndexSnapshot.objects.values_list("level", "entity_id", "index", "value", "n"))
    services.compute_snapshots(periods=periods)
    assert sorted(IndexSnapshot.objects.values_list("level", "entity_id", "index", "value", "n")) == first
    assert IndexSnapshot.objects.values("run").distinct().count() == 1
    # a new rating changes the figures it touches, and only those get the new run
    factories.make_rating(counter=rated.counter_a, score=5, created_at=at(6))
    services.refresh_rollups()
    run = services.compute_snapshots(periods=periods)
    changed = snap("unit", rated.unit_a.pk, "overall", periods[0])
    assert (changed.n, changed.value, changed.run_id) == (4, 75.0, run.pk)
    assert snap("unit", rated.unit_a.pk, "criterion:A1", periods[0]).value == 50
    # when every March rating of unit A is excluded, its March figures disappear
    Rating.objects.filter(unit=rated.unit_a).update(status=Rating.Status.EXCLUDED)
    services.rebuild_rollups()
    services.compute_snapshots(periods=periods)
    assert not IndexSnapshot.objects.filter(level="unit", entity_id=rated.unit_a.pk).exists()


def test_adequacy_uses_dossiers_handled(rated, settings):
    settings.INDICES_MIN_SAMPLE = 100
    DossierStat.objects.create(unit=rated.unit_a, month=datetime.date(2025, 3, 1), handled=3, late=0)
    services.compute_snapshots(periods=[month(2025, 3)])
    # N = 3 -> 3 / 1.0075 -> 3 required; n = 3.
    assert snap("unit", rated.unit_a.pk, "overall", month(2025, 3)).adequate
    assert not snap("counter", rated.counter_a.pk, "overall", month(2025, 3)).adequate  # minimum 100


def test_decision_766_from_pakn_outcomes_and_dossier_stats(rated, monkeypatch):
    DossierStat.objects.create(unit=rated.unit_a, month=datetime.date(2025, 3, 1), handled=40, late=2)
    outcomes = [{"unit_id": rated.unit_a.pk, "received": 2, "answer_due": 4, "answered_on_time": 3, "rated": 2,
                 "rated_satisfied": 1}]  # fmt: skip
    monkeypatch.setattr(services, "_pakn_outcomes", lambda start, end: outcomes)
    services.compute_snapshots(periods=[month(2025, 3)])
    m = month(2025, 3)
    assert snap("unit", rated.unit_a.pk, "d766:pakn_on_time", m).value == pytest.approx(75)
    assert snap("unit", rated.unit_a.pk, "d766:pakn_satisfaction", m).value == pytest.approx(50)
    # 100 - (2/40 = 5% + (2 PAKN + 1 dislike)/40 = 7.5%) = 87.5% -> 87.5 x 6 / 90 points.
    assert snap("unit", rated.unit_a.pk, "d766:tthc_satisfaction", m).value == pytest.approx(87.5)
    assert snap("unit", rated.unit_a.pk, "d766:tthc_satisfaction_points", m).value == pytest.approx(87.5 * 6 / 90)
    assert snap("unit", rated.unit_a.pk, "d766:points", m).value == pytest.approx(4.5 + 3 + 87.5 * 6 / 90)


def test_pakn_outcomes_guard_returns_a_list():
    assert isinstance(services._pakn_outcomes(datetime.date(2025, 1, 1), datetime.date(2025, 1, 31)), list)


def test_custom_period(rated):
    period = parse_period("2025-03-04..2025-04-30")
    services.compute_snapshots(periods=[period])
    assert snap("unit", rated.unit_a.pk, "overall", period).value == pytest.approx(50)
    assert snap("unit", rated.unit_b.pk, "overall", period).value == pytest.approx(0)


def test_compute_indices_command(rated):
    call_command("compute_indices", "--period", "2025-03", "--period", "2025", "--rebuild")
    assert snap("unit", rated.unit_a.pk, "overall", year(2025)).n == 3
    assert SnapshotRun.objects.get().trigger == "command"
    with pytest.raises(CommandError, match="Kỳ không hợp lệ"):
        call_command("compute_indices", "--period", "2025-13")


def test_rebuild_rollups_command(rated, capsys):
    call_command("rebuild_rollups")
    assert "rollup rows written" in capsys.readouterr().out


# --- dossier statistics import -----------------------------------------------------------------------------------


def test_import_dossier_stats_command(world, tmp_path):
    path = tmp_path / "stats.csv"
    path.write_text("unit,month,handled,late\nso-tu-phap,2025-03,120,4\nso-y-te,2025-03,80,0\n", encoding="utf-8")
    call_command("import_dossier_stats", str(path))
    stat = DossierStat.objects.get(unit=world.unit_a)
    assert (stat.month, stat.handled, stat.late) == (datetime.date(2025, 3, 1), 120, 4)
    # re-importing replaces
    path.write_text("unit,month,handled,late\nso-tu-phap,2025-03,121,5\n", encoding="utf-8")
    call_command("import_dossier_stats", str(path))
    assert DossierStat.objects.get(unit=world.unit_a).handled == 121


def test_import_dossier_stats_reports_every_bad_row_and_saves_nothing(world, tmp_path):
    path = tmp_path / "stats.csv"
    path.write_text(
        "unit,month,handled,late\nso-tu-phap,2025-03,120,4\nkhong-co,2025-3x,-1,2\nso-y-te,2025-03,5,9\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as error:
        call_command("import_dossier_stats", str(path))
    message = str(error.value)
    assert "Dòng 3" in message and "khong-co" in message and "YYYY-MM" in message
    assert "Dòng 4" in message and "trễ hạn" in message
    assert "Dòng 2" not in message
    assert not DossierStat.objects.exists()


def test_import_dossier_stats_missing_columns(world, tmp_path):
    path = tmp_path / "stats.csv"
    path.write_text("unit,month\nso-tu-phap,2025-03\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Thiếu cột: handled, late"):
        call_command("import_dossier_stats", str(path))


def test_import_dossier_stats_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Không đọc được tệp"):
        call_command("import_dossier_stats", str(tmp_path / "none.csv"))


def test_importing_dossier_stats_recomputes_the_months_concerned(
    rated, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        services.import_dossier_stats(text="unit,month,handled,late\nso-tu-phap,2025-03,3,0\n")
    # N = 3 makes unit A's 3 March ratings an adequate sample, without anyone running compute_indices.
    assert snap("unit", rated.unit_a.pk, "overall", month(2025, 3)).adequate
    assert snap("unit", rated.unit_a.pk, "d766:tthc_satisfaction", month(2025, 3)).n == 3
