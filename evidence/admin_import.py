"""Import references into draft Sources from the admin: upload, preview, then create or cancel.

The preview writes nothing; it carries the file in the page, and "Create" reads it again
(so a source stored meanwhile is still found as a duplicate). Cancel is a link back to the
list: nothing was written. Sources are created as drafts (evidence.reference_import) and go
through review like any other draft.
"""

from __future__ import annotations

import base64
import binascii

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .reference_import import (
    FORMAT_LABELS,
    Format,
    ImportFileError,
    ImportPlan,
    create_drafts,
    plan_import,
)

MAX_FILE_BYTES = 1_000_000
DETECT = ""


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Reference file",
        help_text="RIS (.ris), BibTeX (.bib), CSL-JSON (.json) or PubMed/MEDLINE (.nbib); UTF-8.",
    )
    format = forms.ChoiceField(
        choices=[(DETECT, "Tell from the file"), *FORMAT_LABELS.items()],
        required=False,
        help_text="Leave as is unless the file name does not end in its format's extension.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; import at most {MAX_FILE_BYTES:,} at once."
            )
        return upload


class ConfirmForm(forms.Form):
    content = forms.CharField(widget=forms.HiddenInput)
    file_name = forms.CharField(widget=forms.HiddenInput, max_length=255)
    format = forms.ChoiceField(choices=list(FORMAT_LABELS.items()), widget=forms.HiddenInput)

    def clean_content(self) -> bytes:
        try:
            return base64.b64decode(self.cleaned_data["content"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise forms.ValidationError(
                "The file did not come back intact; upload it again."
            ) from error


class ReferenceImportAdmin(admin.ModelAdmin):
    """Adds "Import references" to a Source admin (see templates/admin/evidence/source/)."""

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_import"
        view = self.admin_site.admin_view(self.import_view)
        # Before the default URLs: "<path:object_id>/" would take "import/" as an id.
        return [path("import/", view, name=name), *super().get_urls()]

    def _page(self, request: HttpRequest, title: str, **context) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "changelist_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"
            ),
            **context,
        }
        return TemplateResponse(request, "admin/evidence/source/import.html", context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "confirm" in request.POST:
            return self._create(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method != "POST" or not form.is_valid():
            return self._page(request, "Import references", form=form)
        upload = form.cleaned_data["file"]
        content = upload.read()
        chosen = form.cleaned_data["format"]
        try:
            plan = plan_import(content, upload.name, Format(chosen) if chosen else None)
        except ImportFileError as error:
            form.add_error("file", str(error))
            return self._page(request, "Import references", form=form)
        confirm = ConfirmForm(
            initial={
                "content": base64.b64encode(content).decode("ascii"),
                "file_name": upload.name,
                "format": plan.format.value,
            }
        )
        return self._page(
            request, f"Import references: preview of {upload.name}", plan=plan, confirm=confirm
        )

    def _create(self, request: HttpRequest) -> HttpResponse:
        confirm = ConfirmForm(request.POST)
        if not confirm.is_valid():
            self.message_user(
                request,
                "Nothing was imported: "
                + " ".join(
                    str(message) for errors in confirm.errors.values() for message in errors
                ),
                messages.ERROR,
            )
            return redirect(request.path)
        data = confirm.cleaned_data
        try:
            plan: ImportPlan = plan_import(
                data["content"], data["file_name"], Format(data["format"])
            )
        except ImportFileError as error:
            self.message_user(request, f"Nothing was imported: {error}", messages.ERROR)
            return redirect(request.path)
        created = create_drafts(plan, by=request.user, only=request.POST.getlist("record"))
        left_out = len(plan.new) - len(created)
        text = (
            f"Imported {len(created)} draft source(s) from {plan.file_name}"
            + (f": {', '.join(source.key for source in created)}" if created else "")
            + f". Skipped {len(plan.duplicates)} already on record, {len(plan.errors)} with "
            f"errors and {left_out} you left out. The drafts reach readers only once reviewed "
            "and approved."
        )
        self.message_user(request, text, messages.SUCCESS if created else messages.WARNING)
        changelist = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return redirect(f"{changelist}?status__exact=draft")
