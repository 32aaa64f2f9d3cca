from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.permissions import is_token
from portal.notifications.models import Notification
from portal.notifications.selectors import inbox_for, unread_count
from portal.notifications.services import inbox_mark_read, render_message


class NotificationSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "event", "subject", "body", "url", "created_at", "read_at"]

    def _rendered(self, obj):
        if not hasattr(obj, "_rendered"):
            obj._rendered = render_message(obj, language=self.context["request"].LANGUAGE_CODE)
        return obj._rendered

    def get_subject(self, obj) -> str:
        return self._rendered(obj)[0]

    def get_body(self, obj) -> str:
        return self._rendered(obj)[1]


class PeopleOnly:
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if is_token(request.user):
            raise PermissionDenied(_("The inbox belongs to a person; API tokens have none."))


class InboxView(PeopleOnly, generics.ListAPIView):
    """The caller's own in-app notifications, newest first."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        return inbox_for(user=self.request.user).select_related("recipient")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["unread"] = unread_count(user=request.user)
        return response


class InboxReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=1000)


class InboxReadView(PeopleOnly, APIView):
    @extend_schema(request=InboxReadSerializer, responses={200: None})
    def post(self, request):
        serializer = InboxReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data.get("ids")
        marked = inbox_mark_read(user=request.user, notification_ids=ids)
        return Response({"marked": marked, "unread": unread_count(user=request.user)})
