from django.shortcuts import render

from . import selectors


def home(request):
    return render(request, "conditions/home.html", {"conditions": selectors.home()})


def condition_detail(request, slug):
    return render(request, "conditions/clinician.html", selectors.clinician_page(slug))


def condition_patient(request, slug):
    context = selectors.patient_page(slug)
    return render(request, "conditions/patient.html", context)
