"""Every citizen and staff page, in Vietnamese and English, on a phone and on a desk, passes axe-core.

The pages are the translation walk's (`PAGES` in tests/test_translations.py, which a test keeps complete: a new
named URL must be added there), walked here in a real browser, plus what that walk renders outside the browser:
the dashboards with figures and without, the staff error pages and the friendly 429 pages. One browser, one
context per role, size and language; every violation is collected, so one run lists them all.
"""

import dataclasses
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from indices.periods import periods_containing
from indices.services import compute_indices
from survey import integrity
from survey.models import IntegritySettings
from tests import factories
from tests import test_translations as translation_walk
from tests.browser.conftest import AXE, login
from tests.test_translations import PAGES, PASSWORD, Demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The translation walk's fixtures: its demo world, and the English catalogue compiled when stale.
demo = translation_walk.demo
_compiled_catalogue = translation_walk._compiled_catalogue

SIZES = {
    "phone": {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
LOCALES = {"vi": "vi-VN", "en": "en-GB"}
ROLES = {None: None, "officer": "officer", "province": "province"}


@dataclass(frozen=True)
class Visit:
    label: str
    role: str | None
    url: str
    status: int
    post: dict | None = None


def _visits(demo: Demo) -> list[Visit]:
    """The translation walk's pages, then the pages it renders without a browser or without figures."""
    visits = []
    for page in PAGES:
        url = page.url(demo).format(code=demo.counter.code, key=demo.low_rating.idempotency_key)
        visits.append(Visit(str(page), page.role, url, page.status, page.post(demo) if page.post else None))
    other_unit = type(demo.unit).objects.exclude(pk=demo.unit.pk).first()
    visits += [
        Visit("dashboard (officer)", "officer", reverse("indices:dashboard-home"), 200),
        Visit("unit dashboard", "officer", reverse("indices:unit-dashboard", args=[demo.unit.pk]), 200),
        Visit("dashboard overview", "province", reverse("indices:dashboard-home"), 200),
        Visit("unit dashboard, no data", "province", reverse("indices:unit-dashboard", args=[other_unit.pk]), 200),
        Visit("dashboard, bad period", "province", reverse("indices:dashboard-home") + "?ky=xyz", 400),
        Visit("404 (staff)", "officer", "/khong-co-trang-nay/", 404),
        Visit("403 (staff)", "officer", reverse("feedback:data-request-list"), 403),
    ]
    return visits


def _throttled_visits(demo: Demo) -> list[Visit]:
    """Pages shown only once a throttle trips; `_trip_throttles` sets every limit to zero first."""
    rate = reverse("survey:rate", kwargs={"code": demo.counter.code})
    return [
        Visit("429 rating", None, rate, 429, {"score": "4", "key": str(uuid.uuid4())}),
        Visit("429 PAKN submission", None, reverse("feedback:case-create"), 429, {"unit": demo.unit.pk, "text": "x"}),
        Visit("429 PAKN lookup", None, reverse("feedback:case-lookup"), 429, {"code": "KHONGCOMA1234567"}),
    ]


def _trip_throttles(settings) -> None:
    settings.PAKN_SUBMIT_LIMIT = 0
    settings.PAKN_LOOKUP_LIMIT = 0
    IntegritySettings.load()
    IntegritySettings.objects.update(ip_hard_limit=0)
    integrity.clear_config_cache()


def _open(page, base: str, visit: Visit):
    """Open the page; a page that only a form shows is opened by turning the navigation into that POST."""
    url = base + visit.url
    if visit.post is None:
        return page.goto(url)
    token = next((c["value"] for c in page.context.cookies() if c["name"] == "csrftoken"), None)
    if token is None:
        page.goto(base + "/")
        token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    data = urlencode({**visit.post, "csrfmiddlewaretoken": token})

    def as_post(route):
        headers = {**route.request.headers, "content-type": "application/x-www-form-urlencoded"}
        route.continue_(method="POST", post_data=data, headers=headers)

    page.route(url, as_post)
    try:
        return page.goto(url)
    finally:
        page.unroute(url)


def _violations(page) -> list[str]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text() + "\n;true")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:4]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# Touch targets of at least 44x44 CSS pixels on a phone. A checkbox or radio button counts with its label (a tap on
# the label ticks it); a link inside a sentence is exempt (WCAG 2.5.5). Hidden and off-screen elements are skipped.
SMALL_TARGETS = """() => {
  const small = [];
  const selector = 'a[href],button,input:not([type=hidden]),select,textarea,summary';
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    let r = el.getBoundingClientRect();
    if (!r.width || !r.height || style.visibility === 'hidden' || r.right < 0 || el.closest('.skip')) continue;
    if (el.matches('input[type=checkbox],input[type=radio]') && el.labels && el.labels.length) {
      const l = el.labels[0].getBoundingClientRect();
      r = {width: Math.max(l.right, r.right) - Math.min(l.left, r.left), height: Math.max(l.height, r.height)};
    }
    if (el.tagName === 'A' && style.display === 'inline') {
      const block = el.parentElement.closest('p,li,td,dd,div');
      if (block && block.textContent.trim() !== el.textContent.trim()) continue;
    }
    if (r.width < 43.5 || r.height < 43.5) {
      small.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' +
        (el.textContent || el.value || el.name || '').trim().slice(0, 30) + '" ' +
        Math.round(r.width) + 'x' + Math.round(r.height));
    }
  }
  return small;
}"""

STOP_TIMERS = "() => { let id = setTimeout(() => {}, 0); while (id > 0) { clearTimeout(id--); } }"

# Every error message shown next to a field is announced with it: the control's aria-describedby names it.
UNTIED_ERRORS = """() => {
  const described = new Set();
  for (const el of document.querySelectorAll('[aria-describedby]')) {
    for (const id of el.getAttribute('aria-describedby').split(/\\s+/)) described.add(id);
  }
  const untied = [];
  for (const error of document.querySelectorAll('form .errorlist:not(.nonfield), form .error')) {
    if (error.closest('[role=alert]') || error.closest('[aria-describedby]')) continue;
    if (!error.id || !described.has(error.id)) untied.push(error.outerHTML.slice(0, 80));
  }
  return untied;
}"""


@pytest.fixture(autouse=True)
def _seed_data(transactional_db):
    # Transactional tests flush the database after each test, seeded questionnaires included.
    factories.ensure_seed_data()


@pytest.fixture
def figures(demo):
    """The demo's ratings turned into this period's figures, so the dashboards draw their charts."""
    compute_indices(periods=periods_containing(timezone.localdate()))
    return demo


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_page_passes_axe_at_both_sizes(browser, live_server, settings, figures, language):
    demo = figures
    visits = _visits(demo)
    assert len({v.url for v in visits if v.role is None}) >= 15  # the walk really covers the citizen pages
    problems = []

    def walk(visits):
        for size, options in SIZES.items():
            for role in ROLES:
                mine = [v for v in visits if v.role == role]
                if not mine:
                    continue
                context = browser.new_context(locale=LOCALES[language], **options)
                context.set_default_timeout(10_000)
                page = context.new_page()
                try:
                    if role:
                        login(page, live_server, getattr(demo, role).username, PASSWORD)
                    for visit in mine:
                        if visit.post and "dossier_code" in visit.post:
                            # A dossier gets one link: the second size mints its own.
                            post = {**visit.post, "dossier_code": f"{visit.post['dossier_code']}-{size}"}
                            visit = dataclasses.replace(visit, post=post)
                        response = _open(page, live_server.url, visit)
                        # A page that follows a background job reloads itself every 2 seconds (the demo's report
                        # export stays pending here): stop its timers, or a slow machine reloads it under axe.
                        page.evaluate(STOP_TIMERS)
                        where = f"{size} {language} {visit.label}"
                        if not 300 <= visit.status < 400:
                            assert response.status == visit.status, f"{where}: {response.status}"
                        assert page.locator("html").get_attribute("lang") == language, where
                        problems.extend(f"{where}: {problem}" for problem in _violations(page))
                        problems.extend(
                            f"{where}: error not tied to its field: {e}" for e in page.evaluate(UNTIED_ERRORS)
                        )
                        if size == "phone":
                            small = page.evaluate(SMALL_TARGETS)
                            if small:
                                problems.append(f"{where}: touch targets under 44 px: {small}")
                finally:
                    context.close()

    walk(visits)
    _trip_throttles(settings)
    walk(_throttled_visits(demo))
    assert not problems, "accessibility violations:\n" + "\n".join(problems)
