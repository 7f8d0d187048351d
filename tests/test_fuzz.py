"""Fuzz tests (hypothesis) of every parser of outside input: whatever arrives, the answer is never a 500; bad input
gets a 4xx with a message; a refused submission writes nothing (row counts and private files unchanged).

Parsers covered: the rating tap (`/r/<code>`), its answer step, the PAKN submission form (fields and attachment
bytes), the tracking lookup and the citizen's actions on a case, the approval of answers, the staff login, and the
API endpoints that take input (the token endpoint, the list filters). To cover a new parser (the CCHC import, the
dossier statistics import, an API write): add one `@fuzz` test that posts generated input and calls
`assert_clean_refusal` or `assert_no_server_error` with a `RowCounts` snapshot of the models it may write.
"""

import re
import uuid

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey import selectors
from survey.models import Rating, ReasonChip
from tests import factories
from tests.fuzzing import examples

pytestmark = pytest.mark.django_db

fuzz = settings(
    max_examples=examples(50),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as a browser or a script can send it: any character but lone surrogates (which no client can encode).
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
long_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=5000)
value = st.one_of(text, st.lists(text, min_size=2, max_size=3))
junk_fields = st.dictionaries(text.filter(bool), value, max_size=3)


def form(**fields) -> st.SearchStrategy[dict]:
    """A form body: each named field present or missing, with its strategy, plus unknown fields."""
    return st.builds(lambda known, extra: {**extra, **known}, st.fixed_dictionaries({}, optional=fields), junk_fields)


class RowCounts:
    """Row counts of the given apps' models, to prove a refused submission wrote nothing."""

    def __init__(self, *app_labels: str):
        self.models = [model for label in app_labels for model in apps.get_app_config(label).get_models()]
        self.before = self.now()

    def now(self) -> dict[str, int]:
        return {model._meta.label: model.objects.count() for model in self.models}

    def changed(self) -> dict[str, tuple[int, int]]:
        after = self.now()
        return {label: (self.before[label], after[label]) for label in after if after[label] != self.before[label]}


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, response.content[:2000]


def assert_has_message(response) -> None:
    """A 4xx says what is wrong: an API error has a `detail`; a 400 page ties an error to the form; other error
    pages (404, 405, 410, 429) explain themselves in a heading."""
    if response.get("Content-Type", "").startswith("application/json"):
        assert response.json().get("detail"), response.content
        return
    html = response.content.decode()
    if response.status_code == 400:
        assert re.search(r'class="errorlist|role="alert"', html), html[:3000]
    else:
        assert re.search(r"<h1[^>]*>\s*\S", html), html[:3000]


def assert_clean_refusal(response, counts: RowCounts) -> None:
    assert_no_server_error(response)
    assert 400 <= response.status_code < 500
    assert_has_message(response)
    assert counts.changed() == {}


@pytest.fixture
def rating_world(world):
    factories.ensure_seed_data()
    return world


# --- The rating flow ---------------------------------------------------------------------------------------------

score = st.one_of(st.sampled_from(["1", "2", "3", "4", "5"]), text)
key = st.one_of(st.uuids().map(str), text)


@fuzz
@given(data=form(score=score, key=key))
def test_rating_tap_never_fails_and_refusals_write_nothing(client, rating_world, data):
    cache.clear()
    counts = RowCounts("survey", "feedback")
    response = client.post(reverse("survey:rate", args=[rating_world.counter_a.code]), data)
    assert_no_server_error(response)
    if response.status_code == 302:
        assert Rating.objects.filter(idempotency_key=data["key"], counter=rating_world.counter_a).exists()
        # An accepted vote may also raise an integrity alert (several unhappy votes in a short window), and the
        # first vote creates the integrity settings row with its defaults.
        assert set(counts.changed()) <= {"survey.Rating", "survey.IntegrityAlert", "survey.IntegritySettings"}
    else:
        assert_clean_refusal(response, counts)


@fuzz
@given(code=text)
def test_rating_page_of_any_code_never_fails(client, rating_world, code):
    response = client.post(f"/r/{code}", {"score": "5", "key": str(uuid.uuid4())})
    assert_no_server_error(response)


@pytest.fixture
def tapped(rating_world):
    """A fresh low rating (so that the "why" chips are offered) with its questionnaire's items."""
    rating = Rating.objects.create(
        idempotency_key=uuid.uuid4(),
        counter=rating_world.counter_a,
        unit=rating_world.unit_a,
        questionnaire_id=selectors.active_questionnaire_id(unit_id=rating_world.unit_a.pk),
        score=2,
    )
    return rating


@fuzz
@given(data=st.data())
def test_answer_step_never_fails_and_refusals_change_nothing(client, tapped, data):
    cache.clear()
    items = [f"item_{pk}" for pk in tapped.questionnaire.items.values_list("pk", flat=True)]
    chips = list(ReasonChip.objects.filter(is_active=True).values_list("code", flat=True))
    answer = st.one_of(st.sampled_from(["1", "2", "3", "4", "5", "na", ""]), text)
    fields = dict.fromkeys(items[:6], answer)
    fields["reasons"] = st.lists(st.one_of(st.sampled_from(chips or ["x"]), text), max_size=4)
    body = data.draw(form(**fields))
    before = (list(tapped.answers.values_list("item_id", "value")), Rating.objects.get(pk=tapped.pk).reasons)
    counts = RowCounts("survey", "feedback")

    response = client.post(reverse("survey:rating-answer", args=[tapped.idempotency_key]), body)

    assert_no_server_error(response)
    if response.status_code != 302:
        assert_has_message(response)
        after = (list(tapped.answers.values_list("item_id", "value")), Rating.objects.get(pk=tapped.pk).reasons)
        assert after == before
        assert counts.changed() == {}


# --- PAKN --------------------------------------------------------------------------------------------------------


def _upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    # A name that is only dots or slashes has no file name at all (browsers never send one): use a plain one.
    name = name.replace("/", "").replace("\\", "").strip(". ") or "tep"
    return SimpleUploadedFile(name, content, content_type=content_type)


uploads = st.lists(
    st.builds(
        _upload,
        text.map(lambda s: s.replace("\x00", "")),
        st.one_of(
            st.binary(max_size=2048),
            st.binary(max_size=512).map(lambda b: b"%PDF-1.4\n" + b),
            st.binary(max_size=512).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),
            st.binary(max_size=512).map(lambda b: b"\xff\xd8\xff\xe0" + b),
        ),
        st.sampled_from(["image/png", "image/jpeg", "application/pdf", "text/plain", "application/octet-stream"]),
    ),
    max_size=4,
)


def _private_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@fuzz
@given(data=st.data())
def test_pakn_submission_never_fails_and_refusals_write_nothing(client, world, settings, tmp_path, data):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    body = data.draw(
        form(
            unit=st.one_of(st.sampled_from([str(world.unit_a.pk), str(world.unit_b.pk)]), text),
            category=st.one_of(st.sampled_from(["late_result", "attitude", "other"]), text),
            text=st.one_of(long_text, st.just("Cán bộ hẹn trả kết quả nhưng trễ ba ngày.")),
            name=text,
            email=st.one_of(st.emails().map(str), text),
            phone=st.one_of(st.from_regex(r"\A\+?[0-9]{9,12}\Z"), text),
            consent_reply=st.sampled_from(["on", "", "1", "x"]),
            consent_publish=st.sampled_from(["on", "", "0"]),
        )
    )
    body.pop("files", None)
    files = data.draw(uploads)
    if files:
        body["files"] = files
    query = data.draw(st.sampled_from(["", f"?counter={world.counter_a.code}", "?counter=x&rating=y"]))
    counts = RowCounts("survey", "feedback")
    stored_files = _private_files(settings.MEDIA_ROOT)

    response = client.post(reverse("feedback:case-create") + query, body)

    assert_no_server_error(response)
    if response.status_code == 302:
        assert counts.changed()["feedback.Case"][1] == counts.before["feedback.Case"] + 1
    else:
        assert_clean_refusal(response, counts)
        assert _private_files(settings.MEDIA_ROOT) == stored_files


@pytest.fixture
def answered_case(world, settings, tmp_path):
    from feedback import services

    settings.MEDIA_ROOT = tmp_path / "media"
    case = factories.make_pakn_case(unit=world.unit_a)
    services.change_case_status(case=case, by=world.officer_a, to="accepted", note="")
    services.change_case_status(case=case, by=world.officer_a, to="in_progress", note="")
    return factories.publish_pakn_answer(case, officer=world.officer_a, lead=world.lead_a, text="Đã trả kết quả.")


@fuzz
@given(code=text, posted=form(code=text))
def test_tracking_lookup_never_fails(client, answered_case, code, posted):
    cache.clear()
    assert_no_server_error(client.get(f"/pakn/tra-cuu/{code}/"))
    counts = RowCounts("survey", "feedback")
    response = client.post(reverse("feedback:case-lookup"), posted)
    assert_no_server_error(response)
    if response.status_code != 302:
        assert_clean_refusal(response, counts)


@fuzz
@given(
    action=st.sampled_from(["feedback:case-rate", "feedback:case-appeal", "feedback:case-inform"]),
    body=form(satisfied=st.one_of(st.sampled_from(["0", "1"]), text), text=long_text),
    own_code=st.booleans(),
    other_code=text,
)
def test_citizen_actions_on_a_case_never_fail(client, answered_case, action, body, own_code, other_code):
    cache.clear()
    code = answered_case.tracking_code if own_code else other_code
    counts = RowCounts("survey", "feedback")
    try:
        url = reverse(action, args=[code])
    except Exception:
        return  # a code the URL pattern cannot carry never reaches the view
    response = client.post(url, body)
    assert_no_server_error(response)
    if response.status_code != 302:
        assert_clean_refusal(response, counts)


@pytest.fixture
def draft_case(world, settings, tmp_path):
    from feedback import services

    settings.MEDIA_ROOT = tmp_path / "media"
    case = factories.make_pakn_case(unit=world.unit_a)
    services.change_case_status(case=case, by=world.officer_a, to="accepted", note="")
    services.change_case_status(case=case, by=world.officer_a, to="in_progress", note="")
    return services.answer_case(case=case, by=world.officer_a, text="Dự thảo trả lời.")


@fuzz
@given(
    action=st.sampled_from(["feedback:case-approve", "feedback:case-return", "feedback:case-publish"]),
    body=form(text=long_text, note=long_text),
    who=st.sampled_from(["lead_a", "officer_a"]),
)
def test_approval_forms_never_fail(client, world, draft_case, action, body, who):
    client.force_login(getattr(world, who))
    counts = RowCounts("survey", "feedback")
    response = client.post(reverse(action, args=[draft_case.pk]), body)
    assert_no_server_error(response)
    if response.status_code != 302:
        assert_clean_refusal(response, counts)


# --- Staff login and the API -------------------------------------------------------------------------------------


@fuzz
@given(body=form(username=st.one_of(st.just("officer-a"), text), password=st.one_of(st.just("x" * 12), text)))
def test_staff_login_never_fails(client, world, body):
    cache.clear()
    response = client.post(reverse("login"), body)
    assert_no_server_error(response)
    assert response.status_code in (200, 400, 429)  # a wrong login shows the form again, never logs in


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(text, children, max_size=3)),
    max_leaves=8,
)


@fuzz
@given(
    body=st.one_of(
        st.dictionaries(st.sampled_from(["username", "password", "x"]), json_value, max_size=3), json_value
    ),
)
def test_api_token_endpoint_never_fails(client, world, body):
    cache.clear()
    counts = RowCounts("survey")
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert_clean_refusal(response, counts)


@fuzz
@given(raw=st.binary(max_size=300), content_type=st.sampled_from(["application/json", "text/plain", "a/b"]))
def test_api_token_endpoint_survives_raw_bytes(client, world, raw, content_type):
    cache.clear()
    response = client.post("/api/v1/auth/token/", raw, content_type=content_type)
    assert_no_server_error(response)
    assert_has_message(response)


@fuzz
@given(
    endpoint=st.sampled_from(["units", "unit-groups", "counters", "questionnaires"]),
    params=st.dictionaries(
        st.sampled_from(["group", "kind", "code", "active_on", "search", "unit", "is_active", "family", "page"]),
        value,
        max_size=4,
    ),
)
def test_api_list_filters_never_fail(client, world, endpoint, params):
    cache.clear()
    client.force_login(world.officer_a)
    response = client.get(f"/api/v1/{endpoint}/", params)
    assert_no_server_error(response)
    if response.status_code != 200:
        assert 400 <= response.status_code < 500
        assert_has_message(response)


# --- GET parameters of the HTML pages ---------------------------------------------------------------------------

HTML_PAGES = [
    "/",
    "/pakn/gui/",
    "/pakn/tra-cuu/",
    "/pakn/du-lieu-ca-nhan/",
    "/pakn/hop-thu/",
    "/pakn/tong-hop/",
    "/pakn/yeu-cau-du-lieu/",
    "/bao-cao/",
    "/bao-cao/cchc/",
    "/bao-cao/cchc/nhap-diem/",
    "/chi-so/",
    "/quay/",
    "/kiem-duyet/",
]
PAGE_PARAMETERS = [
    "counter", "rating", "unit", "year", "ky", "page", "status", "q", "category", "overdue", "created_after",
    "created_before", "lang", "next",
]  # fmt: skip


@fuzz
@given(
    page=st.sampled_from(HTML_PAGES),
    who=st.sampled_from(["anonymous", "officer_a", "province"]),
    params=st.dictionaries(
        st.one_of(st.sampled_from(PAGE_PARAMETERS), text.filter(bool)),
        st.one_of(value, st.sampled_from(["so-tu-phap", "2024", "1", "-1", "2025-Q1", "9" * 30])),
        max_size=4,
    ),
)
def test_html_pages_never_fail_whatever_their_query_string(client, world, page, who, params):
    cache.clear()
    if who != "anonymous":
        client.force_login(getattr(world, who))
    response = client.get(page, params)
    assert_no_server_error(response)
    if 400 <= response.status_code < 500:
        assert_has_message(response)


# --- CCHC scores and dossier statistics imports --------------------------------------------------------------------

CCHC_HEADER = "ma_don_vi,ten_don_vi,diem_dat,diem_toi_da"
cell = st.one_of(
    text.map(lambda s: s.replace("\x00", "")),
    st.sampled_from(["so-tu-phap", "so-y-te", "khong-co", "", "-1", "82,36", "101", "1e9", "NaN"]),
    st.decimals(min_value=-10, max_value=200, places=2).map(str),
)
csv_rows = st.lists(st.lists(cell, min_size=0, max_size=6), max_size=6)


def _csv(header: str, rows: list[list[str]]) -> bytes:
    lines = [header] + [",".join('"' + c.replace('"', '""') + '"' for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


@fuzz
@given(rows=csv_rows, header=st.sampled_from([CCHC_HEADER, "ma_don_vi,diem_dat", ""]), raw=st.binary(max_size=300))
def test_cchc_import_never_fails_and_a_refused_file_changes_nothing(
    client, world, tmp_path, settings, rows, header, raw
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.province)
    for content, name in ((_csv(header, rows), "diem.csv"), (raw, "diem.xlsx")):
        counts = RowCounts("indices")
        upload = SimpleUploadedFile(name, content or b"x")
        response = client.post(reverse("reports:cchc-import"), {"year": "2017", "file": upload, "replace": "on"})
        assert_no_server_error(response)
        if response.status_code >= 400:
            assert_has_message(response)
            # Only the import log may grow: the scores themselves are untouched by a refused file.
            assert set(counts.changed()) <= {"indices.CchcImport"}


@fuzz
@given(rows=csv_rows, header=st.sampled_from(["unit,month,handled,late", "unit,month", ""]))
def test_dossier_statistics_import_refuses_bad_files_whole(world, rows, header):
    from indices.models import DossierStat
    from indices.services import DossierImportError, import_dossier_stats

    before = list(DossierStat.objects.values_list("unit_id", "month", "handled", "late").order_by("pk"))
    try:
        import_dossier_stats(text=_csv(header, rows).decode())
    except DossierImportError as error:
        assert error.errors and all(str(message) for message in error.errors)
        after = list(DossierStat.objects.values_list("unit_id", "month", "handled", "late").order_by("pk"))
        assert after == before
