from django.urls import path

from inference_adapters import views

app_name = "inference_adapters"
urlpatterns = [
    path("textract/analyze-document", views.analyze_document, name="textract-analyze-document"),
    path(
        "rekognition/detect-moderation-labels",
        views.detect_moderation_labels,
        name="rekognition-detect-moderation-labels",
    ),
]
