from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from ldnref import crawling, health

urlpatterns: list[URLPattern | URLResolver] = [
    path(settings.ADMIN_PATH, admin.site.urls),  # ADMIN_PATH, "admin/" unless set
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/", include("ldnref.api.urls")),
    path("sitemap.xml", crawling.sitemap, name="sitemap"),
    path("robots.txt", crawling.robots, name="robots"),
    path("", include("evidence.urls")),
    path("", include("conditions.urls")),
]

if settings.BENCH_FLOOR_FILE:  # set only by the benchmark (bench/http_load.py)
    from ldnref import bench

    urlpatterns.append(path(bench.FLOOR_PATH, bench.floor))

handler404 = "ldnref.api.http.page_not_found"
handler500 = "ldnref.api.http.server_error"
