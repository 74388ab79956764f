from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),  # ADMIN_PATH, "admin/" unless set
    path("", include("evidence.urls")),
    path("", include("conditions.urls")),
]
