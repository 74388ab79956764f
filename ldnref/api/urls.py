from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import http, views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("conditions", views.ConditionViewSet, basename="condition")
router.register("studies", views.StudyViewSet, basename="study")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("sources", views.SourceViewSet, basename="source")
router.register("mechanisms", views.MechanismViewSet, basename="mechanism")
router.register("interventions", views.InterventionViewSet, basename="intervention")
router.register("grading-scales", views.GradingScaleViewSet, basename="grading-scale")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    # Any other address under /api/ is a JSON 404, in development too.
    path("<path:unknown>", http.not_found, name="not-found"),
]
