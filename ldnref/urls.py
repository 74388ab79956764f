from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("ldnref.api.urls")),
    path("", include("evidence.urls")),
    path("", include("conditions.urls")),
]

handler404 = "ldnref.api.http.page_not_found"
handler500 = "ldnref.api.http.server_error"
