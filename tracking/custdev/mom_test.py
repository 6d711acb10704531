"""The Mom Test, as hints while a question is typed (Rob Fitzpatrick's rules).

Talk about their life, not our idea; ask about specific past events, not the future; no
compliments or pitching. Each rule is a few patterns in English and Russian; a question that
matches is flagged with why and what to ask instead. A hint, never a refusal: the tracker
may keep the question. Pure: no database, no request.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    why: str
    instead: str
    patterns: tuple[re.Pattern, ...]


def _compile(*patterns: str) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


RULES = (
    Rule(
        code="future",
        title=_("Future or hypothetical"),
        why=_("People are bad at predicting what they would do: “would you…” gets a polite guess, not a fact."),
        instead=_("Ask about the last time it happened: “When did you last…? What did you do?”"),
        patterns=_compile(
            r"\bwould\s+you\b",
            r"\bwill\s+you\b",
            r"\bwould\s+(it|that|this|they)\b",
            r"\bare\s+you\s+going\s+to\b",
            r"\bcould\s+you\s+see\s+yourself\b",
            r"\bif\s+(we|there\s+was|there\s+were|you\s+could|you\s+had)\b",
            r"\bбы\b",
            r"\bбудете\b",
            r"\bбудет\s+ли\b",
            r"\bстанете\b",
            r"\bесли\s+бы\b",
        ),
    ),
    Rule(
        code="opinion",
        title=_("Asks for an opinion about our idea"),
        why=_("Opinions and compliments are cheap: people say a good idea is good to be kind."),
        instead=_("Ask how they deal with the problem now and what it costs them."),
        patterns=_compile(
            r"\bdo\s+you\s+think\b",
            r"\bgood\s+idea\b",
            r"\bdo\s+you\s+like\b",
            r"\bwouldn'?t\s+you\b",
            r"\bdon'?t\s+you\s+(think|agree)\b",
            r"\bisn'?t\s+it\b",
            r"\bhow\s+much\s+do\s+you\s+like\b",
            r"\bкак\s+вы\s+думаете\b",
            r"\bвы\s+думаете\b",
            r"\bхорош\w*\s+иде\w*",
            r"\bнравит\w*\b",
            r"\bпонравит\w*\b",
            r"\bсогласитесь\b",
            r"\bне\s+правда\s+ли\b",
            r"\bправда\s+ведь\b",
        ),
    ),
    Rule(
        code="leading",
        title=_("Suggests the answer"),
        why=_("A question that carries its answer (“…, isn't it?”) gets a polite yes, not what people do."),
        instead=_("Ask an open question about what happened: “How did you choose? What got in the way?”"),
        patterns=_compile(
            r"\bisn'?t\s+(it|that|this)\b",
            r"\bdoesn'?t\s+(it|that|this)\b",
            r"\baren'?t\s+(you|they)\b",
            r"\bwouldn'?t\s+(you|it|that|this)\b",
            r"\bdon'?t\s+you\s+(think|agree|want|feel|find)\b",
            r"\byou'?d\s+agree\b",
            r"\bagree\s+that\b",
            r"\b(surely|obviously|clearly)\b",
            r",\s*right\s*\?",
            r"\bright\s*\?\s*$",
            r"\b(is|was|would)\s+(it|that|this)\s+(be\s+)?(convenient|easier|better|useful|helpful|great|nice)\b",
            r"\bdo\s+you\s+(like|love)\b",
            r"\bhow\s+do\s+you\s+like\b",
            r"\bwhat\s+do\s+you\s+think\s+(of|about)\b",
            r"\bправда\s+же\b",
            r"\bне\s+так\s+ли\b",
            r"\bсогласитесь\b",
            r"\bсогласны\s*,?\s*что\b",
            r"\bне\s+правда\s+ли\b",
            r"\bправда\s+ведь\b",
            r"\bведь\b",
            r"\bразве\s+не\b",
            r"\bне\s+(кажется|считаете|думаете)\b",
            r"\bбыло\s+бы\s+(удобно|проще|лучше|здорово|полезно)\b",
            r"\bвы\s+бы\s+(купили|заказали|заплатили|взяли|выбрали)\b",
            r"\bкак\s+вам\s+(иде\w*|наш\w*|так\w*|это\w*)",
            r"\bэто\s+(же\s+)?(удобно|полезно|выгодно|лучше|проще|здорово|классно)\b",
            r"\b(верно|да|так)\s*\?\s*$",
            r"\bнравит\w*\b",
            r"\bпонравит\w*\b",
        ),
    ),
    Rule(
        code="pitch",
        title=_("Talks about our product"),
        why=_("The interview is about their life; describing our product turns it into a pitch."),
        instead=_("Leave the product out until the end: ask about their day, their problem, their tries."),
        patterns=_compile(
            r"\bour\s+(product|app|service|idea|solution|offer)\b",
            r"\bнаш\w*\s+(продукт\w*|приложени\w*|сервис\w*|иде\w*|решени\w*|предложени\w*)",
        ),
    ),
)


@dataclass(frozen=True)
class Hint:
    line: int  # 1-based line of the text
    question: str
    phrase: str  # what matched, as typed
    rule: Rule


def check_question(question: str, line: int = 1) -> list[Hint]:
    """The rules one question breaks (each rule at most once)."""
    hints = []
    for rule in RULES:
        for pattern in rule.patterns:
            match = pattern.search(question)
            if match:
                hints.append(Hint(line=line, question=question, phrase=match.group(0), rule=rule))
                break
    return hints


def check(text: str) -> list[Hint]:
    """Hints for every question of a script, one question a line."""
    hints = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            hints += check_question(line.strip(), number)
    return hints
