"""Structured logging: one JSON object per line on stderr, one line per request.

RequestLogMiddleware (first in MIDDLEWARE) gives each request an id (a sane X-Request-ID from
the proxy, else a new one), sends it back in X-Request-ID and, when the answer leaves, logs
one line: request id, method, path, status and duration. A 5xx line carries the traceback of
the exception that caused it, so an error is logged once, with everything needed, and
Django's own "Internal Server Error" line (django.request) is switched off in settings.LOGGING.
LOG_LEVEL (INFO unless set) picks how much is written.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("ldnref.request")

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# Fields a log call may add through `extra=`, written as they are.
FIELDS = ("request_id", "method", "path", "status", "duration_ms")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, request fields, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = f"{record.exc_info[0].__name__}: {record.exc_info[1]}"
            entry["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def request_id(request: HttpRequest) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def remember_exception(sender: object, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Keep the exception Django is turning into a 5xx, for the request's log line."""
    exc_info = sys.exc_info()
    if request is not None and exc_info[0] is not None:
        request.ldnref_exc_info = exc_info  # type: ignore[attr-defined]


got_request_exception.connect(remember_exception, dispatch_uid="ldnref.logs.remember_exception")


def note_exception(request: HttpRequest, exc: BaseException) -> None:
    """For a view that answers 5xx itself after catching `exc` (the readiness check)."""
    request.ldnref_exc_info = (type(exc), exc, exc.__traceback__)  # type: ignore[attr-defined]


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        rid = request_id(request)
        request.request_id = rid  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers[REQUEST_ID_HEADER] = rid
        status = response.status_code
        exc_info: ExcInfo | None = getattr(request, "ldnref_exc_info", None)
        fields = {
            "request_id": rid,
            "method": request.method,
            "path": request.path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        level = logging.ERROR if status >= 500 else logging.INFO
        message = f"{request.method} {request.path} {status}"
        logger.log(level, message, extra=fields, exc_info=exc_info if status >= 500 else None)
        return response
