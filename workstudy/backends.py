"""The portal's sign-in backend: Django's ``ModelBackend``, reading each request's user with
the rows every page asks of it.

Every page's scoping reads the user's county (:func:`workstudy.locks.county_of_user`) and the
header prints its region (:func:`workstudy.scoping.region_of`): a principal's school and that
school's county, a bureau user's region. Read with the user, these cost no query of their own
(before: two more per page for a principal, one for a bureau user).
"""

from django.contrib.auth.backends import ModelBackend


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        from django.contrib.auth import get_user_model

        model = get_user_model()
        try:
            user = model._default_manager.select_related("school__county", "region").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
