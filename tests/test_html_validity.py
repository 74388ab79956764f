"""One page of every kind passes the Nu HTML Checker (vnu) with no errors.

vnu.jar is a test-only tool from node_modules/ (vnu-jar, pinned in package.json, installed
by .ci/install-axe) and runs on Java. All pages are saved to files and checked in one Java
run: the checker's start-up is most of the cost.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from tests.conftest import skip_or_fail
from tests.factories import load_content
from tests.test_axe import page_types

pytestmark = [pytest.mark.django_db, pytest.mark.axe, pytest.mark.process]  # Java runs vnu

VNU = Path(__file__).resolve().parent.parent / "node_modules/vnu-jar/build/dist/vnu.jar"


def locked_out_page(client):
    for _ in range(5):
        response = client.post(reverse("admin:login"), {"username": "someone", "password": "x"})
    return response


def saved_pages(tmp_path):
    """{page kind: saved file}: every page kind of the axe test (public pages, 404, admin
    login), the API docs, the admin's lockout page, and the 500 and 503 pages."""
    client = Client(raise_request_exception=False)
    answers = {name: client.get(path) for name, path in page_types().items()}
    answers["API docs"] = client.get("/api/docs/")
    answers["admin lockout"] = locked_out_page(client)
    files = {}
    for name, response in answers.items():
        assert response.status_code in (200, 404, 429), (name, response.status_code)
        files[name] = response.content
    for template in ("500.html", "503.html"):
        files[template] = render_to_string(template).encode()
    saved = {}
    for number, (name, content) in enumerate(files.items()):
        saved[name] = tmp_path / f"page-{number}.html"
        saved[name].write_bytes(content)
    return saved


def test_every_page_kind_has_no_html_errors(tmp_path):
    java = shutil.which("java")
    if not VNU.exists() or java is None:
        skip_or_fail(f"HTML validity test: needs {VNU} (run .ci/install-axe) and Java")
    load_content()
    saved = saved_pages(tmp_path)
    result = subprocess.run(
        # C1 only and a serial GC start the checker about a third faster; C1 needs the
        # larger stack the checker asks for.
        [java, "-Xss4m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(VNU)]
        + ["--format", "json", "--exit-zero-always", "--stdout"]
        + [str(path) for path in saved.values()],
        capture_output=True,
        text=True,
        timeout=60,
    )
    messages = json.loads(result.stdout)["messages"]
    kind = {path.as_uri(): name for name, path in saved.items()}
    errors = [
        f"{kind.get(m.get('url'), m.get('url'))} line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] in ("error", "non-document-error")
    ]
    assert len(kind) >= 17  # every kind was checked
    assert not errors, "Nu HTML Checker errors:\n" + "\n".join(errors)
