"""API: participation — suppliers register for a tender and ask questions; the entity answers them and
publishes every answer at once with the integrated bases.

Who asked is the entity's business only: the entity's officers read every question with its asker;
everyone else reads the published questions and answers, without askers.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.api import schema  # noqa: F401 - registers the token scheme for the API docs
from procurement.api.common import TENDER_ID, path_id, problems, tender_response
from procurement.api.permissions import PersonOnly, PublicRead, acting_organisation, is_entity_officer
from procurement.api.serializers import (
    ActingOrganisationSerializer,
    AnswerSerializer,
    AnswersPublishSerializer,
    AskedQuestionSerializer,
    OfficerQuestionSerializer,
    ParticipantSerializer,
    PublishedQuestionSerializer,
    QuestionAskSerializer,
    TenderDetailSerializer,
)
from procurement.selectors import (
    participant_of,
    published_questions,
    question_get_for_officer,
    questions_for_officer,
    tender_get_for_actor,
    tender_lots,
)
from procurement.services.participation import answers_publish, participant_register, question_answer, question_ask

TAGS = ["procurement"]


class ParticipantCreateView(APIView):
    """A supplier's representative registers the supplier as a participant (free). Registering again
    answers 200 with the same participation."""

    permission_classes = [IsAuthenticated, PersonOnly]

    @extend_schema(
        tags=TAGS,
        summary="Register as a participant",
        parameters=[TENDER_ID],
        request=ActingOrganisationSerializer,
        responses={
            201: ParticipantSerializer,
            200: ParticipantSerializer,
            **problems(400, 401, 403, 404, 409),
        },
    )
    def post(self, request, tender_id):
        tender = tender_get_for_actor(actor=request.user, tender_id=tender_id)
        serializer = ActingOrganisationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = acting_organisation(request, serializer.validated_data.get("organisation"))
        known = participant_of(tender=tender, organisation=organisation) is not None
        participant = participant_register(actor=request.user, tender=tender, organisation=organisation)
        return Response(
            ParticipantSerializer(participant).data, status=status.HTTP_200_OK if known else status.HTTP_201_CREATED
        )


TENDER_QUESTIONS = PolymorphicProxySerializer(
    component_name="TenderQuestion",
    serializers=[PublishedQuestionSerializer, OfficerQuestionSerializer],
    resource_type_field_name=None,
    many=True,
)


class TenderQuestionListView(APIView):
    """Read a tender's questions; a participant asks one (or makes an observation) in the enquiries stage."""

    def get_permissions(self):
        if self.request.method in SAFE_METHODS:
            return [PublicRead()]
        return [IsAuthenticated(), PersonOnly()]

    @extend_schema(
        tags=TAGS,
        summary="The questions of a tender",
        description="The entity's procurement officers get every question, answered or not, with its asker "
        "(`OfficerQuestion`); everyone else the published questions and answers without askers "
        "(`PublishedQuestion`).",
        parameters=[TENDER_ID],
        responses={200: TENDER_QUESTIONS, **problems(403, 404)},
    )
    def get(self, request, tender_id):
        tender = tender_get_for_actor(actor=request.user, tender_id=tender_id)
        if is_entity_officer(request.user, tender.entity):
            return Response(
                OfficerQuestionSerializer(questions_for_officer(actor=request.user, tender=tender), many=True).data
            )
        return Response(PublishedQuestionSerializer(published_questions(tender=tender), many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Ask a question or make an observation",
        parameters=[TENDER_ID],
        request=QuestionAskSerializer,
        responses={201: AskedQuestionSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def post(self, request, tender_id):
        tender = tender_get_for_actor(actor=request.user, tender_id=tender_id)
        serializer = QuestionAskSerializer(data=request.data, lots=tender_lots(tender=tender))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        question = question_ask(
            actor=request.user, tender=tender, text=data["text"], kind=data["kind"], lot=data["lot"]
        )
        return Response(AskedQuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionAnswerView(APIView):
    """The entity's officer answers a question, or rewrites the answer, until the answers are published."""

    permission_classes = [IsAuthenticated, PersonOnly]

    @extend_schema(
        tags=TAGS,
        summary="Answer a question",
        parameters=[path_id("question_id", "A question's id (from the officer's list of questions).")],
        request=AnswerSerializer,
        responses={200: OfficerQuestionSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def post(self, request, question_id):
        question = question_get_for_officer(actor=request.user, question_id=question_id)
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question_answer(actor=request.user, question=question, answer=serializer.validated_data["answer"])
        return Response(
            OfficerQuestionSerializer(question_get_for_officer(actor=request.user, question_id=question_id)).data
        )


class AnswersPublishView(APIView):
    """Publish every answer at once with the integrated bases (``multipart/form-data``: ``title`` and
    ``document_file``); the tender moves to its integrated bases and the participants are told."""

    permission_classes = [IsAuthenticated, PersonOnly]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAGS,
        summary="Publish the answers with the integrated bases",
        parameters=[TENDER_ID],
        request={"multipart/form-data": AnswersPublishSerializer},
        responses={200: TenderDetailSerializer, **problems(400, 401, 403, 404, 409, 415)},
    )
    def post(self, request, tender_id):
        tender = tender_get_for_actor(actor=request.user, tender_id=tender_id)
        serializer = AnswersPublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tender = answers_publish(
            actor=request.user, tender=tender, document_file=data["document_file"], title=data["title"]
        )
        return tender_response(request, tender)


urlpatterns = [
    path("tenders/<int:tender_id>/participants/", ParticipantCreateView.as_view(), name="api-tender-participants"),
    path("tenders/<int:tender_id>/questions/", TenderQuestionListView.as_view(), name="api-tender-questions"),
    path("questions/<int:question_id>/answer/", QuestionAnswerView.as_view(), name="api-question-answer"),
    path("tenders/<int:tender_id>/answers/publish/", AnswersPublishView.as_view(), name="api-tender-answers-publish"),
]
