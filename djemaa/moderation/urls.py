from django.urls import path

from . import views

app_name = "moderation"
urlpatterns = [
    path("", views.reports, name="reports"),
    path("reports/<int:pk>/close/", views.close_report, name="close_report"),
    path("held/", views.held_posts, name="held_posts"),
    path("p/<int:pk>/approve/", views.approve_post, name="approve_post"),
    path("p/<int:pk>/reject/", views.reject_post, name="reject_post"),
    path("log/", views.log, name="log"),
    path("p/<int:pk>/report/", views.report_post, name="report_post"),
    path("p/<int:pk>/delete/", views.delete_post, name="delete_post"),
    path("p/<int:pk>/restore/", views.restore_post, name="restore_post"),
    path("t/<int:pk>/pin/", views.pin_thread, name="pin_thread"),
    path("t/<int:pk>/lock/", views.lock_thread, name="lock_thread"),
    path("t/<int:pk>/delete/", views.delete_thread, name="delete_thread"),
    path("t/<int:pk>/restore/", views.restore_thread, name="restore_thread"),
    path("t/<int:pk>/rename/", views.rename_thread, name="rename_thread"),
    path("t/<int:pk>/move/", views.move_thread, name="move_thread"),
    path("t/<int:pk>/merge/", views.merge_thread, name="merge_thread"),
    path("t/<int:pk>/split/", views.split_thread, name="split_thread"),
    path("announcements/", views.announcements, name="announcements"),
    path("announcements/new/", views.new_announcement, name="new_announcement"),
    path("announcements/<int:pk>/", views.edit_announcement, name="edit_announcement"),
    path("announcements/<int:pk>/delete/", views.delete_announcement, name="delete_announcement"),
]
