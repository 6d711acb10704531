"""Customer development: interview scripts, the interview log, tags on quotes, insights."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from tracking.fields import Timestamped, actor_field, company_field, optional_link_field
from tracking.models import Company, Constraint, Membership
from tracking.validators import MultiLineTextField, SingleLineCharField

THRESHOLD_DEFAULT, THRESHOLD_MIN, THRESHOLD_MAX = 3, 1, 50


class InterviewKind(models.TextChoices):
    PROBLEM = "problem", _("Problem interview")
    SOLUTION = "solution", _("Solution interview")


class Commitment(models.TextChoices):
    NEXT_MEETING = "next_meeting", _("A next meeting")
    INTRODUCTION = "introduction", _("An introduction")
    PREPAYMENT = "prepayment", _("A pre-payment")
    NOTHING = "nothing", _("Nothing")


class CustdevSettings(models.Model):
    """A business's settings for synthesis: how many people make an insight."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="custdev_settings")
    insight_threshold = models.PositiveSmallIntegerField(
        _("interviewees needed for an insight"),
        default=THRESHOLD_DEFAULT,
        validators=[MinValueValidator(THRESHOLD_MIN), MaxValueValidator(THRESHOLD_MAX)],
    )

    class Meta:
        verbose_name = _("interview settings")
        verbose_name_plural = _("interview settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(insight_threshold__gte=THRESHOLD_MIN) & Q(insight_threshold__lte=THRESHOLD_MAX),
                name="custdev_threshold_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.insight_threshold}"


class Script(Timestamped):
    """What we want to learn and the questions we will ask, prepared before the calls."""

    company = company_field("scripts")
    constraint = optional_link_field(Constraint, related_name="scripts", verbose_name=_("main constraint"))
    title = SingleLineCharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=InterviewKind.choices, default=InterviewKind.PROBLEM)
    goal = MultiLineTextField(_("what we want to learn"), max_length=2000)
    segment = SingleLineCharField(_("segment"), max_length=200)
    questions = MultiLineTextField(_("questions"), max_length=8000, help_text=_("One question a line, in order."))
    author = actor_field()

    class Meta:
        verbose_name = _("interview script")
        verbose_name_plural = _("interview scripts")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def question_list(self) -> list[str]:
        return [line.strip() for line in self.questions.splitlines() if line.strip()]


class Interview(Timestamped):
    """One conversation with one person: who, when, the guided notes and the quotes."""

    company = company_field("interviews")
    script = optional_link_field(Script, related_name="interviews", verbose_name=_("script"))
    held_on = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=10, choices=InterviewKind.choices, default=InterviewKind.PROBLEM)
    interviewee_name = SingleLineCharField(_("interviewee's name"), max_length=150, blank=True)
    segment = SingleLineCharField(_("segment"), max_length=200)
    interviewee_role = SingleLineCharField(_("interviewee's role"), max_length=150)
    interviewer = optional_link_field(Membership, related_name="interviews", verbose_name=_("interviewer"))
    consent = models.BooleanField(_("they agreed that we keep the notes"), default=False)
    story = MultiLineTextField(_("the last time the problem happened"), max_length=8000, blank=True)
    current_solution = MultiLineTextField(_("how they solve it today and what it costs"), max_length=8000, blank=True)
    tried = MultiLineTextField(_("what they have tried"), max_length=8000, blank=True)
    decision = MultiLineTextField(_("who decides and who pays"), max_length=4000, blank=True)
    commitment = models.CharField(_("commitment we got"), max_length=16, choices=Commitment.choices, blank=True)
    commitment_note = MultiLineTextField(_("about the commitment"), max_length=2000, blank=True)
    author = actor_field()
    # The token of the new-interview form that made it (kept in the browser's draft): the
    # same form sent again (a double tap, a re-send after a dropped connection) is the same
    # interview. Empty for interviews logged before the token existed.
    submission = models.UUIDField(null=True, blank=True, editable=False)
    # One more at every save: an edit form opened at an older version is refused once.
    version = models.PositiveIntegerField(default=1, editable=False)

    NOTE_FIELDS = ("story", "current_solution", "tried", "decision", "commitment_note")
    # Set on the interview interview_create gives back when its form had already been saved.
    already_saved = False

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["company", "-held_on"], name="interview_company_held")]
        constraints = [
            # Notes are kept only with the person's consent: the database holds the rule too.
            models.CheckConstraint(
                condition=Q(consent=True) | Q(story="", current_solution="", tried="", decision="", commitment_note=""),
                name="interview_notes_need_consent",
            ),
            # Unique per business: a token sent to another business makes no match there.
            models.UniqueConstraint(fields=["company", "submission"], name="interview_unique_submission"),
        ]

    def __str__(self) -> str:
        return f"{self.interviewee_name or self.interviewee_role} ({self.held_on})"

    @property
    def interviewee(self) -> str:
        return self.interviewee_name or self.interviewee_role


class Tag(models.Model):
    """A business's label for what people say (“measure the same day”)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="interview_tags")
    name = SingleLineCharField(_("tag"), max_length=60)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(Lower("name"), "company", name="tag_unique_name_per_company")]

    def __str__(self) -> str:
        return self.name


class Highlight(models.Model):
    """A verbatim quote from an interview, with its tags."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="highlights")
    position = models.PositiveSmallIntegerField(default=0)
    quote = MultiLineTextField(_("quote"), max_length=2000)
    tags = models.ManyToManyField(Tag, blank=True, related_name="highlights", verbose_name=_("tags"))

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["interview", "position", "pk"]

    def __str__(self) -> str:
        return self.quote[:80]


class Insight(models.Model):
    """A sentence with its evidence: the quotes under one tag and how many people said it."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="insights")
    tag = optional_link_field(Tag, related_name="insights")
    sentence = SingleLineCharField(_("insight"), max_length=300)
    people = models.PositiveIntegerField(_("interviewees"))
    highlights = models.ManyToManyField(Highlight, related_name="insights", verbose_name=_("quotes"))
    author = actor_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("insight")
        verbose_name_plural = _("insights")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.sentence
