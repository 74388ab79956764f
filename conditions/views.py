from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from .models import Condition


def home(request):
    return HttpResponse(
        "\n".join(str(c) for c in Condition.objects.published()), content_type="text/plain"
    )


def condition_detail(request, slug):
    return HttpResponse(
        str(get_object_or_404(Condition.objects.published(), slug=slug)), content_type="text/plain"
    )


def condition_patient(request, slug):
    return condition_detail(request, slug)
