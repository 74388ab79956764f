"""The page a locked-out login gets (django-axes calls lockout_response): 429, Retry-After,
and when to try again."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def unlocked_at(username: str, ip_address: str) -> datetime:
    """When the cool-off ends: the last counted failure of the username or the address, plus
    the cool-off (refused attempts during a lockout are not counted, so this never moves)."""
    cool_off: timedelta = settings.AXES_COOLOFF_TIME
    since = timezone.now() - cool_off
    last = (
        AccessAttempt.objects.filter(Q(username=username) | Q(ip_address=ip_address))
        .filter(attempt_time__gte=since)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    until = (last or timezone.now()) + cool_off
    return until.replace(microsecond=0) + timedelta(seconds=1 if until.microsecond else 0)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: dict | None = None
) -> HttpResponse:
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    ip_address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")
    until = unlocked_at(username, ip_address)
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    response = render(
        request,
        "admin/ldnref/lockout.html",
        {
            **admin.site.each_context(request),
            "title": "Too many login attempts",
            "until": until,
            "minutes": math.ceil(seconds / 60),
        },
        status=429,
    )
    response.headers["Retry-After"] = str(seconds)
    response.headers["Cache-Control"] = "no-store"
    return response
