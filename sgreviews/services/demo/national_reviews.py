"""Demo national reviews tabled by the children's partnership (issue 18, item 5). The
titles are fictional: they read like national reviews but copy none."""

from __future__ import annotations

from datetime import date, timedelta

from sgreviews.models import Partnership, User
from sgreviews.services.national_reviews import register

# (title, published by, published days before today, tabled days before today, where,
# what the partnership did)
NATIONAL_REVIEWS = [
    (
        "National review: safeguarding babies at risk of non-accidental injury (fictional demo)",
        "Child Safeguarding Practice Review Panel",
        120,
        45,
        "Partnership board",
        "The board asked the case review subgroup to test local practice against the "
        "review's findings.\n\n"
        "- Pre-birth assessment procedure checked: fathers and male carers now seen\n"
        "- Seven-minute briefing on bruising in non-mobile babies issued to all agencies\n"
        "- Multi-agency audit of ten pre-birth assessments planned for the next quarter",
    ),
    (
        "Thematic analysis: children criminally exploited across county lines (fictional demo)",
        "Child Safeguarding Practice Review Panel",
        260,
        170,
        "Case review subgroup",
        "The subgroup compared the analysis with two local rapid reviews and found the same "
        "gap in transitions at 18. It added the learning to the exploitation strategy "
        "refresh and asked the police and children's social care for a joint update.",
    ),
    (
        "National analysis of domestic abuse related death reviews (fictional demo)",
        "Home Office",
        470,
        400,
        "Partnership board",
        "Shared with the Community Safety Partnership; the board agreed a joint learning "
        "event on coercive control for practitioners.",
    ),
]


def load_national_reviews_demo(partnership: Partnership, secretariat: User, today: date) -> None:
    for title, published_by, published_ago, tabled_ago, where, done in NATIONAL_REVIEWS:
        register.add_entry(
            secretariat,
            partnership,
            register.Entry(
                title=title,
                published_by=published_by,
                published_on=today - timedelta(days=published_ago),
                tabled_on=today - timedelta(days=tabled_ago),
                tabled_at=where,
                what_was_done=done,
            ),
            today=today,
        )
