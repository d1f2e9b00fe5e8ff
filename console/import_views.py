"""Console pages for imports: upload a file (or list an S3 prefix), map its columns, watch it run.

The work is flows.imports'; these views only scope, parse the form and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from console.access import console_view, scoped
from flows.loops import imports
from flows.models import FlowDefinition, ImportJob
from hitl.kernel.errors import HitlError, InvalidInput

RECENT_IMPORTS = 20


def _flows(request: HttpRequest):
    flows = FlowDefinition.objects.filter(deleted_at__isnull=True, status=FlowDefinition.Status.ACTIVE)
    return scoped(flows, request).select_related("account").order_by("account__name", "name")


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    job = scoped(ImportJob.objects.select_related("flow_definition__template", "account"), request)
    found = job.filter(id=job_id).first()
    if found is None:
        raise Http404("No such import.")  # same answer for "exists but not yours"
    return found


@console_view
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or JSONL file, or name an S3 prefix of images, for one flow; recent imports below."""
    flows = _flows(request)
    if request.method == "POST":
        flow = flows.filter(id=request.POST.get("flow") or 0).first()
        upload = request.FILES.get("file")
        prefix = (request.POST.get("s3_prefix") or "").strip()
        try:
            if flow is None:
                raise InvalidInput("Choose one of your active flows.")
            if upload is not None:
                job = imports.create_import(flow.account, flow, upload, file_name=upload.name, created_by=request.user)
            elif prefix:
                job = imports.create_image_listing_import(flow.account, flow, prefix, created_by=request.user)
            else:
                raise InvalidInput("Choose a CSV or JSONL file, or give an S3 prefix of images.")
        except HitlError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("console:import_job", job_id=job.id)
    recent = scoped(ImportJob.objects.select_related("flow_definition"), request).order_by("-created_at")
    context = {"flows": flows, "recent": recent[:RECENT_IMPORTS], "chosen": request.POST.get("flow", "")}
    return render(request, "console/import_start.html", context)


@console_view
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """Map the columns of an uploaded import (then it runs), or show its progress and outcome."""
    job = _job(request, job_id)
    if request.method == "POST" and job.state == ImportJob.State.UPLOADED:
        fields = request.POST.getlist("field")
        mapping = {field: request.POST.get(f"column-{field}", "") for field in fields}
        extra = (request.POST.get("extra_field") or "").strip()
        if extra:
            mapping[extra] = request.POST.get("extra_column", "")
        try:
            imports.set_mapping(job, mapping, request.POST.get("name_column", ""))
        except HitlError as exc:
            messages.error(request, exc.message)
        return redirect("console:import_job", job_id=job.id)
    template_fields = imports.template_input_fields(job.flow_definition.template.content)
    context = {
        "job": job,
        "fields": [{"name": field, "column": job.mapping.get(field, "")} for field in template_fields],
        "progress": imports.progress(job),
    }
    return render(request, "console/import_job.html", context)


@console_view
def import_progress(request: HttpRequest, job_id: int) -> JsonResponse:
    """The progress bar's data (flows.imports.progress), polled while the import runs."""
    return JsonResponse(imports.progress(_job(request, job_id)))


@console_view
def import_errors(request: HttpRequest, job_id: int) -> HttpResponse:
    """Download the rows that failed, as CSV (row, name, error, message)."""
    job = _job(request, job_id)
    response = HttpResponse(job.errors, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.id}-errors.csv"'
    return response
