"""For crawlers: /sitemap.xml lists exactly the public pages, /robots.txt points to it, and
both are served like any public page (page cache, GET and HEAD only)."""

import datetime
import urllib.robotparser
import xml.etree.ElementTree as ET
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone

from conditions.models import Condition
from evidence import workflow
from evidence.choices import ReviewStatus
from evidence.models import Claim, Mechanism, Source, Study
from tests.factories import (
    make_citation,
    make_claim,
    make_condition,
    make_mechanism,
    make_seed,
    make_source,
    make_staff,
    make_study,
)
from tests.pages import crawl, every_public_path

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
APPROVED = ReviewStatus.APPROVED
LONG_AGO = datetime.date(2026, 1, 2)


def sitemap(client, **headers):
    """{path: lastmod or None} of /sitemap.xml, and the hosts its URLs name."""
    response = client.get("/sitemap.xml", headers=headers)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/xml"
    listed, hosts = {}, set()
    for url in ET.fromstring(response.content).findall("sm:url", NS):
        parts = urlsplit(url.find("sm:loc", NS).text)
        hosts.add(f"{parts.scheme}://{parts.netloc}")
        lastmod = url.find("sm:lastmod", NS)
        listed[parts.path] = None if lastmod is None else lastmod.text
    return listed, hosts


def small_site():
    """A little published content beside drafts and a retired claim that must stay unlisted."""
    seed = make_seed()
    shown = make_condition(status=APPROVED, last_reviewed=LONG_AGO)
    other = make_condition(status=APPROVED, last_reviewed=LONG_AGO)
    make_condition()  # a draft
    study = make_study(status=APPROVED, last_reviewed=LONG_AGO, reported_by=seed)
    shown.studies.add(study)
    make_study(source=study.source)  # a draft
    mechanism = make_mechanism(status=APPROVED, reported_by=seed)
    make_mechanism()  # a draft
    for status, linked in [(APPROVED, shown), (APPROVED, None), (ReviewStatus.DRAFT, shown)]:
        claim = make_claim(status=status, last_reviewed=LONG_AGO, mechanism=mechanism)
        make_citation(claim=claim, reported_by=seed, source=make_source())
        if linked:
            claim.conditions.add(linked)
    retired = make_claim(status=ReviewStatus.RETIRED, last_reviewed=LONG_AGO)
    make_citation(claim=retired, reported_by=seed, source=make_source())
    retired.conditions.add(other)
    make_source(status=ReviewStatus.DRAFT)
    return shown, other


def test_the_sitemap_lists_exactly_the_public_pages_that_answer_200(client):
    small_site()
    listed, hosts = sitemap(client)

    walked = crawl(client, ["/"])
    pages = {
        path
        for path, response in walked.items()
        if response.status_code == HTTPStatus.OK and "text/html" in response["Content-Type"]
    }
    assert set(listed) == pages
    assert hosts == {"http://testserver"}
    # Every kind of page is there, drafts and the retired claim are not.
    for model in (Condition, Study, Claim, Source, Mechanism):
        hidden = model.objects.exclude(status=APPROVED)
        assert hidden.exists(), model
        assert not {item.get_absolute_url() for item in hidden} & set(listed), model
    kinds = {path.split("/")[1] for path in listed}
    assert kinds == {
        "",
        "conditions",
        "ldn",
        "studies",
        "claims",
        "sources",
        "mechanisms",
        "methods",
    }


def test_with_the_sites_content_it_lists_every_public_page(content, client):
    listed, _ = sitemap(client)
    assert set(listed) == {*every_public_path(), "/sources/"}
    assert listed["/conditions/psoriasis/"] == "2026-11-23"  # the fixtures' review date


def test_a_review_moves_the_lastmod_of_the_pages_that_show_it(client):
    shown, other = small_site()
    before, _ = sitemap(client)
    patient = f"/conditions/{shown.slug}/patient/"
    assert before[shown.get_absolute_url()] == before[patient] == LONG_AGO.isoformat()
    assert before["/methods/"] is None  # nothing reviewed shows there

    claim = Claim.objects.published().filter(conditions=shown).get()
    workflow.retire([claim], by=make_staff("Reviewers"))
    after, _ = sitemap(client)

    today = timezone.localdate().isoformat()
    assert after[shown.get_absolute_url()] == after[patient] == today
    assert after["/"] == before["/"]  # the home table shows no claim
    assert after[other.get_absolute_url()] == LONG_AGO.isoformat()
    assert claim.get_absolute_url() not in after


def test_the_sitemap_is_read_in_a_fixed_number_of_queries(client, django_assert_num_queries):
    small_site()
    with django_assert_num_queries(11):  # the content version and the pages' 10
        client.get("/sitemap.xml")
    small_site()
    with django_assert_num_queries(11):
        client.get("/sitemap.xml")


def test_robots_txt_lets_crawlers_read_the_site_but_not_the_admin(content, client):
    response = client.get("/robots.txt")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(response.content.decode().splitlines())

    for path in ["/", "/conditions/psoriasis/", "/studies/", "/sources/ip2020/", "/methods/"]:
        assert robots.can_fetch("Googlebot", f"http://testserver{path}"), path
    for path in ["/admin/", "/admin/login/", "/admin/evidence/claim/"]:
        assert not robots.can_fetch("Googlebot", f"http://testserver{path}"), path
    assert robots.site_maps() == ["http://testserver/sitemap.xml"]
    assert client.get("/sitemap.xml").status_code == HTTPStatus.OK


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_ALIAS = "default"
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("path", ["/sitemap.xml", "/robots.txt"])
def test_they_follow_the_public_pages_http_rules(content, client, page_cache, path):
    first = client.get(path)
    again = client.get(path)
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    assert again.content == first.content
    assert again["Cache-Control"].startswith("public, max-age=")
    assert client.get(path, headers={"If-None-Match": again["ETag"]}).status_code == 304

    head = client.head(path)
    assert head.status_code == HTTPStatus.OK and head.content == b""
    for method in (client.post, client.put, client.delete, client.options):
        refused = method(path)
        assert refused.status_code == HTTPStatus.METHOD_NOT_ALLOWED, method
        assert refused["Allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "path",
    ["/sitemap.xml", "/robots.txt", "/conditions/psoriasis/", "/conditions/psoriasis/patient/"],
)
def test_a_request_at_a_foreign_port_never_changes_what_others_read(
    content, client, page_cache, path
):
    foreign = client.get(path, headers={"Host": "testserver:6666"})
    assert foreign.status_code == HTTPStatus.OK
    assert b"testserver:6666" in foreign.content  # its own absolute URLs
    for _ in range(2):  # fresh, then from the cache
        answer = client.get(path)
        assert b"6666" not in answer.content
        assert b"http://testserver/" in answer.content
