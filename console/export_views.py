"""The console's export page: pick a flow, a format and a finish-time range; download it or write it to the store.

The rows and formats are flows.delivery.exports'; the consolidated answer comes from the
quality app (inference_adapters.quality), with the flow's reviewer estimate and paused reviewers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from console.access import console_view, scoped
from flows.delivery import exports
from flows.delivery.outputs import split_s3_path
from flows.delivery.storage import get_store
from flows.models import FlowDefinition
from flows.quality import quality_config
from hitl.kernel import clock
from hitl.kernel.errors import HitlError, InvalidInput
from inference_adapters.quality import flow_quality


def consolidator(flow: FlowDefinition) -> exports.Consolidate:
    """Return the function that consolidates one exported loop's answers as consolidated.json does."""
    model = flow_quality.flow_model(flow)
    config = quality_config.of_flow(flow)
    excluded = flow_quality.excluded_worker_ids(flow)

    def consolidate(answers: list[dict[str, Any]]) -> Any:
        document = {"humanAnswers": answers}  # consolidation reads the answers alone (see exports.Consolidate)
        return flow_quality.consolidate(document, model=model, config=config, excluded_worker_ids=excluded).get(
            "consolidatedAnswer"
        )

    return consolidate


def _date(value: str, field: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{field} must be a date like 2026-12-01, not {value!r}.") from None
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _parse(request: HttpRequest) -> tuple[FlowDefinition, str, dt.datetime | None, dt.datetime | None]:
    flows = scoped(FlowDefinition.objects.filter(deleted_at__isnull=True), request)
    flow = flows.select_related("template", "account").filter(id=request.GET.get("flow") or 0).first()
    if flow is None:
        raise InvalidInput("Choose one of your flows.")
    export_format = request.GET.get("format", "jsonl")
    if export_format not in exports.FORMATS:
        raise InvalidInput(f"Choose a format: {', '.join(exports.FORMATS)}.")
    since = _date(request.GET.get("since", ""), "From")
    until = _date(request.GET.get("until", ""), "To")
    if until:
        until += dt.timedelta(days=1)  # the whole "to" day
    return flow, export_format, since, until


def export_location(flow: FlowDefinition, export_format: str) -> tuple[str, str]:
    """Return where an export to the store goes: under the flow's own output path, in exports/."""
    bucket, prefix = split_s3_path(flow.s3_output_path)
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    key = "/".join(
        part for part in (prefix, "exports", f"{flow.name}-{stamp}.{exports.FORMATS[export_format][1]}") if part
    )
    return bucket, key


@console_view
def export_page(request: HttpRequest) -> HttpResponse:
    """The form; with `go=download` stream the file, with `go=store` write it beside the flow's outputs."""
    flows = scoped(FlowDefinition.objects.filter(deleted_at__isnull=True), request).order_by("account__name", "name")
    go = request.GET.get("go")
    if go in ("download", "store"):
        try:
            flow, export_format, since, until = _parse(request)
            chunks = exports.export(flow, export_format, since=since, until=until, consolidate=consolidator(flow))
            content_type, extension = exports.FORMATS[export_format]
            if go == "download":
                response = StreamingHttpResponse(chunks, content_type=content_type)
                response["Content-Disposition"] = f'attachment; filename="{flow.name}.{extension}"'
                return response
            bucket, key = export_location(flow, export_format)
            get_store().put_stream(bucket, key, chunks, content_type=content_type)
            messages.success(request, f"Exported to s3://{bucket}/{key}")
        except HitlError as exc:
            messages.error(request, exc.message)
    context = {"flows": flows, "formats": exports.FORMATS, "chosen": request.GET}
    return render(request, "console/export.html", context)
