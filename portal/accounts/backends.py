from django.contrib.auth.backends import ModelBackend

from portal.accounts.models import User


class EmailOrUsernameBackend(ModelBackend):
    """Sign in with the e-mail address (what people remember) or the username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            user = User.objects.filter(email__iexact=username.strip()).first()
            if user is not None:
                username = user.get_username()
        return super().authenticate(request, username=username, password=password, **kwargs)
