# The permission fixtures (an administrator, rights set through the grid service, a private
# forum), shared with the permissions app's tests.
from djemaa.permissions.tests.conftest import admin, private_forum, set_rights  # noqa: F401
