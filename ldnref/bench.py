"""The benchmark's framework floor: a view returning a saved page's bytes from memory.

Routed only when the BENCH_FLOOR_FILE setting names a file, which only `make bench` sets
(bench/http_load.py). It measures what Django and our middleware cost before any of our
page code runs.
"""

from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse

FLOOR_PATH = "__bench__/floor/"


@cache
def _body() -> bytes:
    return Path(settings.BENCH_FLOOR_FILE).read_bytes()


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_body(), content_type="text/html; charset=utf-8")
