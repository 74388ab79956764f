from django.shortcuts import render

from . import selectors, structured_data
from .plain_language import SOURCES_CLINICIAN


def home(request):
    context = {"conditions": selectors.home(), "about_sources": SOURCES_CLINICIAN}
    return render(request, "conditions/home.html", context)


def condition_detail(request, slug):
    page = selectors.clinician_page(slug)
    data = structured_data.clinician(page, request.build_absolute_uri)
    context = {**vars(page), "structured_data": structured_data.script(data)}
    return render(request, "conditions/clinician.html", context)


def condition_patient(request, slug):
    page = selectors.patient_page(slug)
    data = structured_data.patient(page, request.build_absolute_uri)
    context = {**vars(page), "structured_data": structured_data.script(data)}
    return render(request, "conditions/patient.html", context)


def study_list(request):
    return render(request, "conditions/study_list.html", {"studies": selectors.study_list()})


def claim_detail(request, key):
    return render(request, "conditions/claim_detail.html", vars(selectors.claim_detail(key)))


def general(request):
    context = {**vars(selectors.general_page()), "about_sources": SOURCES_CLINICIAN}
    return render(request, "conditions/general.html", context)
