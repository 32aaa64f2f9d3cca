from portal.accounts.selectors import organisations_for_user, roles_for

SESSION_KEY = "active_organisation_id"


class ActiveOrganisationMiddleware:
    """Sets ``request.organisation`` (the one the person acts for now) and ``request.roles``.

    Only organisations the user belongs to can ever be active: the switcher stores the choice in the
    session and this middleware re-checks membership on every request. Anonymous requests cost no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organisation = None
        request.roles = frozenset()
        if request.user.is_authenticated:
            organisations = list(organisations_for_user(request.user))
            request.organisations = organisations
            chosen = request.session.get(SESSION_KEY)
            active = next((org for org in organisations if org.pk == chosen), None)
            if active is None and chosen is not None:
                # No longer a member, or the organisation was deactivated: forget the choice.
                request.session.pop(SESSION_KEY, None)
            request.organisation = active or (organisations[0] if organisations else None)
            request.roles = roles_for(request.user, request.organisation)
        else:
            request.organisations = []
        return self.get_response(request)
