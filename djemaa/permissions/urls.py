from django.urls import path

from . import views

app_name = "permissions"
urlpatterns = [
    path("groups/", views.groups, name="groups"),
    path("groups/<int:pk>/", views.group, name="group"),
    path(
        "groups/<int:pk>/members/<int:member_pk>/remove/",
        views.remove_member,
        name="remove_member",
    ),
    path("forums/", views.forums, name="forums"),
    path("forums/all/", views.grid, name="root_grid"),
    path("forums/<int:pk>/", views.grid, name="grid"),
]
