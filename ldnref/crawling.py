"""For search engines: `/sitemap.xml` (every public page) and `/robots.txt`.

Both are ordinary public addresses, so the page cache and its HTTP rules apply to them as to
any page: GET and HEAD only, ETag and Last-Modified from the content version, cached for
anonymous readers under a key that holds the host they were asked at (their URLs are
absolute).

A page's `lastmod` is the latest review date (approval or retirement, `Reviewed.last_reviewed`)
of the records it shows: a detail page's own record and the records listed on it, a list page
any record of the kinds it lists. A page none of whose records was ever reviewed (fixtures
load approved rows without a date) has no `lastmod`; the methods page has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from conditions.models import Condition
from evidence.models import Claim, Mechanism, Source, Study


@dataclass(frozen=True)
class PublicPage:
    path: str
    lastmod: date | None


def latest(*dates: date | None) -> date | None:
    """The latest of the dates given, None when none is."""
    return max((day for day in dates if day is not None), default=None)


def _last_review(rows: QuerySet[Any]) -> Subquery:
    """The latest review date of `rows` (filtered by an OuterRef): one subquery per page row,
    where joining several relations at once would multiply the rows."""
    dates = rows.exclude(last_reviewed=None).order_by("-last_reviewed")
    return Subquery(dates.values("last_reviewed")[:1])


def _detail_pages() -> list[PublicPage]:
    """Condition (clinician and patient), study, claim, source and mechanism pages (5 queries)."""
    pages: list[PublicPage] = []
    conditions = Condition.objects.published().annotate(
        claims_reviewed=_last_review(Claim.objects.filter(conditions=OuterRef("pk"))),
        studies_reviewed=_last_review(Study.objects.filter(conditions=OuterRef("pk"))),
        indirect_reviewed=_last_review(Study.objects.filter(indirect_for=OuterRef("pk"))),
    )
    for condition in conditions.order_by("name"):
        lastmod = latest(
            condition.last_reviewed,
            condition.claims_reviewed,
            condition.studies_reviewed,
            condition.indirect_reviewed,
        )
        pages.append(PublicPage(condition.get_absolute_url(), lastmod))
        pages.append(PublicPage(reverse("conditions:patient", args=[condition.slug]), lastmod))
    for study in Study.objects.published().order_by("key"):
        pages.append(PublicPage(study.get_absolute_url(), study.last_reviewed))
    for claim in Claim.objects.published().order_by("key"):
        pages.append(PublicPage(claim.get_absolute_url(), claim.last_reviewed))
    sources = Source.objects.published().annotate(
        claims_reviewed=_last_review(Claim.objects.filter(citations__source=OuterRef("pk"))),
        studies_reviewed=_last_review(Study.objects.filter(source=OuterRef("pk"))),
    )
    for source in sources.order_by("key"):
        lastmod = latest(source.last_reviewed, source.claims_reviewed, source.studies_reviewed)
        pages.append(PublicPage(source.get_absolute_url(), lastmod))
    mechanisms = Mechanism.objects.published().annotate(
        claims_reviewed=_last_review(Claim.objects.filter(mechanism=OuterRef("pk")))
    )
    for mechanism in mechanisms.order_by("slug"):
        lastmod = latest(mechanism.last_reviewed, mechanism.claims_reviewed)
        pages.append(PublicPage(mechanism.get_absolute_url(), lastmod))
    return pages


def _list_pages() -> list[PublicPage]:
    """Home, LDN in general, the study, source and mechanism lists, methods (5 queries)."""

    def reviewed(model: type[Condition | Claim | Study | Source | Mechanism]) -> date | None:
        return model.objects.aggregate(day=Max("last_reviewed"))["day"]

    claims = Claim.objects.aggregate(
        any=Max("last_reviewed"), general=Max("last_reviewed", filter=Q(conditions__isnull=True))
    )
    studies, sources = reviewed(Study), reviewed(Source)
    return [
        PublicPage(reverse("conditions:home"), latest(reviewed(Condition), studies)),
        PublicPage(reverse("conditions:general"), claims["general"]),
        PublicPage(reverse("conditions:study-list"), studies),
        PublicPage(reverse("evidence:source-list"), latest(sources, claims["any"], studies)),
        PublicPage(reverse("evidence:mechanism-list"), reviewed(Mechanism)),
        PublicPage(reverse("evidence:methods"), None),
    ]


def public_pages() -> list[PublicPage]:
    """Every public HTML page, lists first (10 queries, however much content there is)."""
    return _list_pages() + _detail_pages()


class PublicPagesSitemap(Sitemap):
    """The sitemap's one section. The view makes an instance per request, so the pages are
    read once per request."""

    def items(self) -> list[PublicPage]:
        if not hasattr(self, "_pages"):
            self._pages = public_pages()
        return self._pages

    def location(self, item: PublicPage) -> str:
        return item.path

    def lastmod(self, item: PublicPage) -> date | None:
        return item.lastmod


SITEMAPS: dict[str, type[Sitemap[Any]] | Sitemap[Any]] = {"pages": PublicPagesSitemap}


def sitemap(request: HttpRequest) -> HttpResponse:
    """/sitemap.xml: every public page, absolute URLs at the host and scheme asked."""
    return sitemap_view(request, SITEMAPS)


def robots(request: HttpRequest) -> HttpResponse:
    """/robots.txt: crawl everything public, not the admin; where the sitemap is."""
    lines = [
        "User-agent: *",
        f"Disallow: /{settings.ADMIN_PATH}",
        "Allow: /",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
