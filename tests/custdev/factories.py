"""Factories of customer development, and a quick way to log interviews in bulk."""

import factory

from tests import clock
from tests.factories import CompanyFactory
from tracking.custdev.models import Highlight, Interview, Script, Tag


class ScriptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Script

    company = factory.SubFactory(CompanyFactory)
    title = factory.Sequence(lambda n: f"Script {n}")
    goal = "Learn how customers choose a kitchen"
    segment = "Families renovating a flat"
    questions = "Tell me about the last time you ordered furniture.\nWho decided?"


class InterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interview

    company = factory.SubFactory(CompanyFactory)
    held_on = factory.LazyFunction(clock.today)
    segment = "Families renovating a flat"
    interviewee_role = "Homeowner"
    consent = True
    story = "Ordered a kitchen in March; the measurer came a week later."


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["company", "name"]

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"tag {n}")


def quote(interview: Interview, text: str, *tags: Tag) -> Highlight:
    highlight = Highlight.objects.create(interview=interview, quote=text)
    highlight.tags.set(tags)
    return highlight
