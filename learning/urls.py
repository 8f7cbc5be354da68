from django.urls import path

from learning import views, webhook

app_name = "learning"

urlpatterns = [
    path("course-platform/events/", webhook.course_platform_events, name="events"),
    path("seat-summary/stop/<str:token>/", views.summary_opt_out, name="summary_opt_out"),
    path("verify/", views.lookup, name="lookup"),
    path("verify/<str:code>/", views.certificate_page, name="verify"),
    path("verify/<str:code>/visibility/", views.certificate_visibility, name="visibility"),
]
