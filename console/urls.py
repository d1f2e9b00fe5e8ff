"""The console's URLs, mounted at /console/. Each page's name is its nav entry (console.nav)."""

from django.urls import path

from console import chart_views, export_views, flow_views, import_views, loop_views, views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("flows/", flow_views.flow_list, name="flows"),
    path("flows/new/", flow_views.flow_gallery, name="flow_gallery"),
    path("flows/new/ui/<int:ui_id>/", flow_views.flow_new, name="flow_new_ui"),
    path("flows/new/<path:slug>/", flow_views.flow_new, name="flow_new"),
    path("flows/preview", flow_views.flow_preview, name="flow_preview"),
    path("flows/<int:flow_id>/", flow_views.flow_detail, name="flow"),
    path("loops/", loop_views.loop_list, name="loops"),
    path("loops/stop", loop_views.loop_bulk_stop, name="loop_bulk_stop"),
    path("loops/<int:loop_id>/", loop_views.loop_detail, name="loop"),
    path("loops/<int:loop_id>/check", loop_views.loop_check, name="loop_check"),
    path("import/", import_views.import_start, name="import"),
    path("import/<int:job_id>/", import_views.import_job, name="import_job"),
    path("import/<int:job_id>/progress", import_views.import_progress, name="import_progress"),
    path("import/<int:job_id>/errors.csv", import_views.import_errors, name="import_errors"),
    path("export/", export_views.export_page, name="export"),
    path("charts/", chart_views.charts_page, name="charts"),
    path("charts/data.json", chart_views.charts_data, name="charts_data"),
]
