"""No URL stored in the database becomes a live link unless it is http, https or mailto."""

import re
from http import HTTPStatus

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse

from evidence.rendering import safe_url
from tests.pages import every_public_path, parse_html

UNSAFE = [
    "javascript:alert(document.cookie)",
    " JaVaScRiPt:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
]
# What a browser would run: the scheme after dropping whitespace and control characters.
RUNNABLE = re.compile(r"^(javascript|data|vbscript):")


def url_fields():
    """(model, field name) for every URL field of our apps' models."""
    return [
        (model, field.name)
        for label in ("evidence", "conditions")
        for model in apps.get_app_config(label).get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.URLField)
    ]


def runnable_links(html):
    return [
        link.attrs["href"]
        for link in parse_html(html).iter("a")
        if RUNNABLE.match(re.sub(r"[\x00-\x20]", "", link.attrs.get("href", "")).lower())
    ]


def admin_paths():
    paths = []
    for model in admin.site._registry:
        if model._meta.app_label not in ("evidence", "conditions"):
            continue
        info = (model._meta.app_label, model._meta.model_name)
        paths.append(reverse("admin:{}_{}_changelist".format(*info)))
        first = model._default_manager.first()
        if first is not None:
            paths.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    return paths


@pytest.mark.parametrize("value", ["https://example.org/a", "http://x.org", "mailto:e@x.org"])
def test_web_and_mail_addresses_pass(value):
    assert safe_url(value) == value


@pytest.mark.parametrize(
    "value", [*UNSAFE, "ftp://example.org/", "/relative", "", "java\tscript:x"]
)
def test_anything_else_gives_no_address(value):
    assert safe_url(value) == ""


def test_there_are_url_fields_to_check():
    assert {(model.__name__, name) for model, name in url_fields()} >= {
        ("GradingScale", "source_url"),
        ("Source", "url"),
    }


def test_a_stored_script_url_is_never_a_live_link(content, client, admin_client):
    # Every kind of unsafe address in every URL field at once: the rows of each field take
    # the values in turn, so one walk of the site shows them all (a walk costs seconds).
    for model, name in url_fields():
        rows = list(model.objects.order_by("pk").values_list("pk", flat=True))
        assert len(rows) >= len(UNSAFE), f"{model.__name__}.{name}: too few rows to try each"
        for i, pk in enumerate(rows):
            model.objects.filter(pk=pk).update(**{name: UNSAFE[i % len(UNSAFE)]})

    public = {}
    for path in every_public_path():
        response = client.get(path)
        assert response.status_code == HTTPStatus.OK, path
        public[path] = runnable_links(response.content.decode())
    staff = {}
    for path in admin_paths():
        response = admin_client.get(path)
        assert response.status_code == HTTPStatus.OK, path
        staff[path] = runnable_links(response.content.decode())

    assert "/methods/" in public and "/admin/evidence/source/" in staff
    assert not {path: links for path, links in {**public, **staff}.items() if links}


def test_a_safe_stored_url_is_still_a_link(content, client, admin_client):
    from evidence.models import GradingScale, Source

    GradingScale.objects.update(source_url="https://example.org/definitions")
    Source.objects.filter(key="bigliardi2007").update(url="https://example.org/paper")

    assert "https://example.org/definitions" in parse_html(client.get("/methods/").content).hrefs()
    changelist = parse_html(admin_client.get("/admin/evidence/source/").content)
    assert "https://example.org/paper" in changelist.hrefs()
