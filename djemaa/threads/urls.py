from django.urls import path, re_path

from . import views

app_name = "threads"
urlpatterns = [
    # Slugs keep the title's script (Arabic titles give Arabic slugs), so any character but
    # "/" may follow the id; [0-9] rather than \d, which would also match Arabic-Indic digits.
    re_path(r"^(?P<pk>[0-9]+)-(?P<slug>[^/]+)/$", views.thread_detail, name="thread"),
    path("<int:pk>/", views.thread_short, name="thread_short"),
    path("<int:pk>/unread/", views.unread, name="unread"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("new/<int:category_pk>/", views.new_thread, name="new"),
]
