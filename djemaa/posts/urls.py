from django.urls import path

from . import views

app_name = "posts"
urlpatterns = [
    path("<int:pk>/", views.permalink, name="permalink"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/restore/", views.restore, name="restore"),
    path("<int:pk>/multiquote/", views.toggle_multiquote, name="multiquote"),
]
