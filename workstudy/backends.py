"""The portal's sign-in backend: Django's ``ModelBackend``, reading each request's user with
the rows every page asks of it.

Every page's scoping reads the user's county (:func:`workstudy.locks.county_of_user`) and the
header prints its region (:func:`workstudy.scoping.region_of`): a principal's school and that
school's county, a bureau user's region. Read with the user, these cost no query of their own
(before: two more per page for a principal, one for a bureau user). The statement is compiled
once per process (:mod:`workstudy.prepared`): every request reads it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from .prepared import prepared


@prepared(int)
def _user_with_places(pk: int):
    return get_user_model()._default_manager.select_related("school__county", "region").filter(pk=pk)


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except (ValidationError, TypeError, ValueError):  # a session naming no valid id: nobody is signed in
            return None
        user = _user_with_places.first(pk) if isinstance(pk, int) else None
        return user if user is not None and self.user_can_authenticate(user) else None
