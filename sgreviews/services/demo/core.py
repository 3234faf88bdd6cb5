"""Fictional, pseudonymised demo data that looks like a real partnership.

Every name here is invented ("Northshire" is not a real county); case subjects are
pseudonyms such as "Child Q". Dates are relative to the day the data is loaded, so there
are always overdue, due-soon and extended actions to look at.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sgreviews.clock import london_today
from sgreviews.extensions import db
from sgreviews.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Agency,
    AgencyFormerName,
    Finding,
    FindingKind,
    ImpactStatus,
    Partnership,
    PartnershipKind,
    Review,
    Role,
    Sector,
    SubjectKind,
    User,
)
from sgreviews.services.accounts import users
from sgreviews.services.demo import actions as actions_demo
from sgreviews.services.demo.briefings import load_demo_briefings
from sgreviews.services.demo.lifecycle import load_lifecycle_demo
from sgreviews.services.demo.national_reviews import load_national_reviews_demo
from sgreviews.services.themes import sync_themes

DEMO_PASSWORD = "demo-password-for-sgreviews"


@dataclass(frozen=True)
class DemoSignIn:
    role: Role
    email: str
    display_name: str
    agency: str | None


AGENCIES: list[tuple[str, Sector, bool]] = [
    ("Northshire Police", Sector.POLICE, True),
    ("Northshire Integrated Care Board", Sector.HEALTH, True),
    ("Northshire Children's Social Care", Sector.LOCAL_AUTHORITY, True),
    ("Northshire Adult Social Care", Sector.LOCAL_AUTHORITY, True),
    ("Northshire Education Services", Sector.EDUCATION, False),
    ("Northshire Housing Services", Sector.LOCAL_AUTHORITY, False),
    ("Northshire Hospitals NHS Foundation Trust", Sector.HEALTH, False),
    ("Northshire Mental Health and Community NHS Trust", Sector.HEALTH, False),
    ("Western Counties Ambulance Service", Sector.HEALTH, False),
    ("Northshire GP Practices", Sector.HEALTH, False),
    ("Probation Service, Northshire", Sector.PROBATION, False),
    ("Northshire Youth Justice Service", Sector.JUSTICE, False),
    ("Northshire Fire and Rescue Service", Sector.FIRE, False),
    ("Northshire Academies Trust", Sector.EDUCATION, False),
    ("Northshire Domestic Abuse Support", Sector.VOLUNTARY, False),
    ("Safeguarding Partnership Business Office", Sector.OTHER, False),
]

SIGN_INS: list[DemoSignIn] = [
    DemoSignIn(Role.ADMINISTRATOR, "admin@sgreviews.example", "Alex Admin", None),
    DemoSignIn(Role.SECRETARIAT, "secretariat@sgreviews.example", "Sam Secretariat", None),
    DemoSignIn(Role.CHAIR, "chair@sgreviews.example", "Chris Chair", None),
    DemoSignIn(
        Role.AGENCY_LEAD, "police.lead@sgreviews.example", "Pat Police-Lead", "Northshire Police"
    ),
    DemoSignIn(
        Role.AGENCY_LEAD,
        "health.lead@sgreviews.example",
        "Hana Health-Lead",
        "Northshire Integrated Care Board",
    ),
    DemoSignIn(
        Role.AGENCY_LEAD,
        "csc.lead@sgreviews.example",
        "Cal Care-Lead",
        "Northshire Children's Social Care",
    ),
    DemoSignIn(
        Role.PRACTITIONER,
        "practitioner@sgreviews.example",
        "Priya Practitioner",
        "Northshire Children's Social Care",
    ),
]

# (reference, type, subject, kind, partnership short name, stage, days since start, status note)
REVIEWS: list[tuple[str, str, str, SubjectKind, str, str, int]] = [
    ("SIN-2026-04", "serious_incident_notification", "Child Q", SubjectKind.CHILD, "NSCP", "rapid_review_started", 12),
    ("RR-2026-04", "rapid_review", "Child Q", SubjectKind.CHILD, "NSCP", "in_progress", 9),
    ("LCSPR-2025-02", "lcspr", "Child M", SubjectKind.CHILD, "NSCP", "draft_report", 410),
    ("LCSPR-2024-01", "lcspr", "Child B", SubjectKind.CHILD, "NSCP", "action_plan", 760),
    ("SCR-2018-03", "scr", "Family R", SubjectKind.FAMILY, "NSCP", "action_plan", 2900),
    ("DHR-2025-01", "dhr", "Adult D", SubjectKind.ADULT, "NCSP", "home_office_qa", 330),
    ("SAR-2024-02", "sar", "Adult S", SubjectKind.ADULT, "NSAB", "action_plan", 640),
    ("SAR-2026-01", "sar", "Adult T", SubjectKind.ADULT, "NSAB", "in_progress", 120),
    ("SILP-2025-01", "silp", "Child J", SubjectKind.CHILD, "NSCP", "action_plan", 300),
    ("AI-2025-01", "appreciative_inquiry", "Child A", SubjectKind.CHILD, "NSCP", "destiny", 240),
    ("NR-2025-01", "national_review", "Babies under one", SubjectKind.CHILD, "NSCP", "action_plan", 200),
    ("MAA-2026-02", "multi_agency_audit", "Strategy discussions", SubjectKind.CHILD, "NSCP", "in_progress", 60),
    ("LR-2025-03", "learning_review", "Child K", SubjectKind.CHILD, "NSCP", "report", 150),
]  # fmt: skip

# (review reference, kind, text, theme keys, [(action, measure, outcome, agency)])
FINDINGS: list[tuple[str, FindingKind, str, list[str], list[tuple[str, str, str, str]]]] = [
    ("LCSPR-2024-01", FindingKind.LEARNING_POINT,
     "Practitioners accepted a teenager's account at face value and did not test it against her history.",
     ["professional_curiosity", "assessment_history"],
     [("Add a \"what else might be happening?\" prompt to strategy-discussion records",
       "Multi-agency audit of 20 strategy discussions in Q3 shows the prompt used in at least 80%",
       "Strategy discussions test accounts against history", "Northshire Police"),
      ("Add the same prompt to children's social care strategy-discussion minutes",
       "Dip sample of 15 minutes shows the prompt completed",
       "Strategy discussions test accounts against history", "Northshire Children's Social Care")]),
    ("LCSPR-2024-01", FindingKind.LEARNING_POINT,
     "The baby's father was never seen or assessed though he lived in the home.",
     ["fathers_male_carers", "safeguarding_babies"],
     [("Pre-birth assessment procedure requires the father or male carer to be seen and checked",
       "Procedure published by the due date; re-audit of pre-birth assessments six months later",
       "Every adult in a baby's home is known and assessed", "Northshire Children's Social Care"),
      ("Health visiting records ask about every adult living in the home at the new-birth visit",
       "Audit of 30 new-birth visit records shows male carers recorded in 90%",
       "Every adult in a baby's home is known and assessed", "Northshire Mental Health and Community NHS Trust")]),
    ("LCSPR-2024-01", FindingKind.STRENGTH,
     "The child was seen alone at school and spoke freely; the designated safeguarding lead recorded her words.",
     ["voice_of_child"], []),
    ("SCR-2018-03", FindingKind.RECOMMENDATION,
     "Escalation of disagreements between agencies was rare and slow.",
     ["escalation"],
     [("Relaunch the resolving-professional-disagreements procedure with a learning event",
       "Attendance and a three-month follow-up survey of escalation use",
       "Practitioners escalate disagreements promptly", "Safeguarding Partnership Business Office"),
      ("Record every escalation in a central log reviewed by the case review subgroup",
       "Quarterly log shows escalations from at least five agencies",
       "Practitioners escalate disagreements promptly", "Northshire Children's Social Care")]),
    ("SCR-2018-03", FindingKind.RECOMMENDATION,
     "Health assessments for a looked-after young person left out CAMHS involvement.",
     ["information_sharing", "placement_quality"],
     [("Review Health Assessment template gains a mandatory CAMHS section",
       "Template live; dip sample of 10 assessments",
       "Looked-after children's health assessments are complete", "Northshire Mental Health and Community NHS Trust")]),
    ("SCR-2018-03", FindingKind.RECOMMENDATION,
     "The family's repeated house moves meant no agency held a full chronology.",
     ["assessment_history", "information_sharing"],
     [("Housing notifies children's social care of moves for families with an open plan",
       "Monthly report of notifications; audit of 10 moves",
       "Agencies keep one chronology across moves", "Northshire Housing Services")]),
    ("DHR-2025-01", FindingKind.LEARNING_POINT,
     "Coercive control was not recognised because each incident was assessed on its own.",
     ["domestic_abuse", "assessment_history"],
     [("Domestic abuse risk assessments look at the history of incidents, not the latest alone",
       "Audit of 25 DASH assessments shows previous incidents considered",
       "Patterns of coercive control are recognised", "Northshire Police"),
      ("Train GP practice safeguarding leads on coercive control",
       "80% of practices represented; post-training survey",
       "Patterns of coercive control are recognised", "Northshire GP Practices"),
      ("Specialist domestic abuse advocates attend the daily risk meeting",
       "Attendance recorded at 90% of meetings over a quarter",
       "Victims get specialist support early", "Northshire Domestic Abuse Support")]),
    ("SAR-2024-02", FindingKind.LEARNING_POINT,
     "Self-neglect was treated as a lifestyle choice without testing mental capacity.",
     ["neglect", "professional_curiosity"],
     [("Self-neglect guidance sets out when and how to assess capacity",
       "Guidance published; audit of 15 self-neglect cases",
       "Capacity is assessed in self-neglect cases", "Northshire Adult Social Care"),
      ("Ambulance crews refer repeated self-neglect call-outs to adult social care",
       "Referral data reviewed quarterly",
       "Repeated call-outs trigger a safeguarding referral", "Western Counties Ambulance Service"),
      ("Hospital discharge planning checks for self-neglect concerns",
       "Dip sample of 20 discharge records",
       "Discharge plans address self-neglect", "Northshire Hospitals NHS Foundation Trust")]),
    ("SAR-2024-02", FindingKind.LEARNING_POINT,
     "Fire risk in the home was known to several agencies but no referral was made for a safe and well visit.",
     ["information_sharing", "think_family"],
     [("Partner agencies refer fire risks for a safe and well visit through one online form",
       "Number of referrals by agency each quarter",
       "People at risk of fire get a safe and well visit", "Northshire Fire and Rescue Service")]),
    ("SILP-2025-01", FindingKind.LEARNING_POINT,
     "Missed health appointments were recorded as 'did not attend' rather than 'was not brought'.",
     ["was_not_brought", "neglect"],
     [("Change appointment systems to record 'was not brought' for children",
       "System change live; audit of 50 missed appointments",
       "Missed appointments prompt a safeguarding response", "Northshire Hospitals NHS Foundation Trust"),
      ("GP practices follow up a child who was not brought twice",
       "Audit of follow-ups in five practices",
       "Missed appointments prompt a safeguarding response", "Northshire GP Practices")]),
    ("SILP-2025-01", FindingKind.LEARNING_POINT,
     "School attendance concerns were not shared with the early help lead practitioner.",
     ["early_help", "information_sharing"],
     [("Schools share persistent absence with the lead practitioner within five days",
       "Termly report of shared absence notifications",
       "Early help plans reflect school attendance", "Northshire Academies Trust"),
      ("Education welfare officers join early help reviews for persistent absentees",
       "Attendance at 80% of relevant reviews",
       "Early help plans reflect school attendance", "Northshire Education Services")]),
    ("AI-2025-01", FindingKind.STRENGTH,
     "A consistent social worker built a trusting relationship with the child over two years.",
     ["voice_of_child", "workforce_capacity"], []),
    ("AI-2025-01", FindingKind.STRENGTH,
     "Reflective supervision helped the team notice and act on early signs of neglect.",
     ["supervision", "neglect"],
     [("Share the reflective supervision model with other teams through a learning event",
       "Three teams adopt the model; feedback survey",
       "More teams use reflective supervision", "Northshire Children's Social Care")]),
    ("NR-2025-01", FindingKind.LEARNING_POINT,
     "National thematic review: safe sleep advice was given but not tailored to families under stress.",
     ["safeguarding_babies", "think_family"],
     [("Safe sleep conversations are tailored for families with additional stresses",
       "Audit of 20 health visitor records",
       "Families under stress get tailored safe sleep advice", "Northshire Mental Health and Community NHS Trust"),
      ("Midwives discuss safe sleep with both parents before discharge",
       "Audit of 30 postnatal records",
       "Both parents hear safe sleep advice", "Northshire Hospitals NHS Foundation Trust")]),
    ("SAR-2026-01", FindingKind.LEARNING_POINT,
     "The transition from children's to adults' services left a gap of four months without a lead worker.",
     ["transitions", "thresholds"],
     [("Transitions protocol names a lead worker from age 17",
       "Protocol published; audit of 10 transitions",
       "Young people have a lead worker throughout transition", "Northshire Adult Social Care"),
      ("Youth justice shares transition plans with probation three months before 18",
       "Tracker of shared plans",
       "Young people have a lead worker throughout transition", "Northshire Youth Justice Service"),
      ("Probation allocates an officer before a young person's 18th birthday",
       "Allocation data for the year",
       "Young people have a lead worker throughout transition", "Probation Service, Northshire")]),
    ("LCSPR-2025-02", FindingKind.LEARNING_POINT,
     "Concerns about exploitation were not linked across police and school records.",
     ["exploitation", "missing_children", "information_sharing"],
     [("Missing episodes trigger a return home interview shared with the school",
       "Audit of 20 return home interviews",
       "Exploitation risk is seen across agencies", "Northshire Children's Social Care"),
      ("Police share intelligence on exploitation with the child's school through the designated lead",
       "Quarterly sharing report",
       "Exploitation risk is seen across agencies", "Northshire Police")]),
    ("LR-2025-03", FindingKind.LEARNING_POINT,
     "Parental mental health crises were not considered in the children's plan.",
     ["parental_mental_health", "think_family"],
     [("Adult mental health assessments ask about children in the household",
       "Audit of 30 assessments",
       "Children are considered when parents are in crisis", "Northshire Mental Health and Community NHS Trust"),
      ("Child protection conferences invite the parent's mental health worker",
       "Attendance data for six months",
       "Children are considered when parents are in crisis", "Northshire Children's Social Care")]),
    ("LR-2025-03", FindingKind.LEARNING_POINT,
     "Substance misuse services did not know the parent cared for young children.",
     ["substance_misuse", "think_family"],
     [("Substance misuse assessments record caring responsibilities",
       "Audit of 25 assessments",
       "Substance misuse services know about children at home", "Northshire Integrated Care Board")]),
]  # fmt: skip

STATUS_CYCLE = [
    ActionStatus.NOT_STARTED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.IN_PROGRESS,
    ActionStatus.COMPLETED,
    ActionStatus.ASSURED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.CLOSED_NOT_IMPLEMENTED,
    ActionStatus.SUPERSEDED,
]

FOLLOW_UP_ACTIONS = [
    ("Deliver a briefing on this learning to every team", "Team-use records from each agency"),
    (
        "Update single-agency training to include this learning",
        "Training materials updated; attendance",
    ),
    (
        "Re-audit practice six months after the change",
        "Re-audit shows improvement against baseline",
    ),
]


def database_is_empty() -> bool:
    return users.count_users() == 0


def load_demo(config_dir: Path, today: date | None = None) -> list[DemoSignIn]:
    """Load the demo partnership into an empty database."""
    today = today or london_today()
    rng = random.Random(2026)
    themes = sync_themes(config_dir / "themes.toml")

    partnerships = {
        "NSCP": Partnership(
            name="Northshire Safeguarding Children Partnership",
            short_name="NSCP",
            kind=PartnershipKind.CHILDREN,
        ),
        "NSAB": Partnership(
            name="Northshire Safeguarding Adults Board",
            short_name="NSAB",
            kind=PartnershipKind.ADULTS,
        ),
        "NCSP": Partnership(
            name="Northshire Community Safety Partnership",
            short_name="NCSP",
            kind=PartnershipKind.COMMUNITY_SAFETY,
        ),
    }
    db.session.add_all(partnerships.values())

    agencies: dict[str, Agency] = {}
    for name, sector, statutory in AGENCIES:
        agencies[name] = Agency(name=name, sector=sector, is_statutory_partner=statutory)
    agencies["Northshire Integrated Care Board"].former_names.append(
        AgencyFormerName(
            name="Northshire Clinical Commissioning Group",
            used_from=date(2013, 4, 1),
            used_until=date(2022, 6, 30),
        )
    )
    db.session.add_all(agencies.values())
    db.session.flush()

    created_users: dict[str, User] = {}
    for sign_in in SIGN_INS:
        created_users[sign_in.email] = users.create_user(
            email=sign_in.email,
            display_name=sign_in.display_name,
            role=sign_in.role,
            password=DEMO_PASSWORD,
            agency=agencies[sign_in.agency] if sign_in.agency else None,
        )
    # Agency leads for the other agencies, so actions have named leads with accounts.
    for name in agencies:
        if any(sign_in.agency == name for sign_in in SIGN_INS):
            continue
        slug = "".join(word[0] for word in name.replace(",", "").split()).lower()
        created_users[f"{slug}.lead@sgreviews.example"] = users.create_user(
            email=f"{slug}.lead@sgreviews.example",
            display_name=f"Lead for {name}",
            role=Role.AGENCY_LEAD,
            password=DEMO_PASSWORD,
            agency=agencies[name],
        )
    leads_by_agency = {
        user.agency_id: user for user in created_users.values() if user.role is Role.AGENCY_LEAD
    }
    # The demo business office serves all three Northshire partnerships: its secretariat and
    # chair are linked to each, so every escalation and review clock reaches them.
    for email in ("secretariat@sgreviews.example", "chair@sgreviews.example"):
        created_users[email].partnerships = list(partnerships.values())

    reviews: dict[str, Review] = {}
    for reference, review_type, subject, subject_kind, partnership, stage, days_ago in REVIEWS:
        started = today - timedelta(days=days_ago)
        review = Review(
            reference=reference,
            review_type=review_type,
            subject_label=subject,
            subject_kind=subject_kind,
            partnership=partnerships[partnership],
            stage=stage,
            notified_on=started - timedelta(days=3),
            started_on=started,
            published_on=started + timedelta(days=200) if stage == "action_plan" else None,
            completed_on=started + timedelta(days=180) if stage == "action_plan" else None,
        )
        reviews[reference] = review
    db.session.add_all(reviews.values())
    db.session.flush()

    secretariat = created_users["secretariat@sgreviews.example"]
    action_number = 0
    positions: dict[str, int] = {}
    for reference, kind, text, theme_keys, planned_actions in FINDINGS:
        review = reviews[reference]
        positions[reference] = positions.get(reference, 0) + 1
        finding = Finding(
            review=review,
            position=positions[reference],
            kind=kind,
            text=text,
            themes=[themes[key] for key in theme_keys],
        )
        db.session.add(finding)
        all_actions = [
            *planned_actions,
            *(
                (follow_up, measure, planned_actions[0][2], planned_actions[0][3])
                for follow_up, measure in FOLLOW_UP_ACTIONS
                if planned_actions
            ),
        ]
        for action_text, measure, outcome, agency_name in all_actions:
            action_number += 1
            status = STATUS_CYCLE[action_number % len(STATUS_CYCLE)]
            agency = agencies[agency_name]
            offset = rng.randint(-200, 240)
            due = today + timedelta(days=offset)
            extended = action_number % 7 == 0
            lead = leads_by_agency.get(agency.id)
            # Agreed when the action plan was drawn up, some months into the review.
            agreed = _moment(
                min(review.started_on + timedelta(days=90), today - timedelta(days=30))
            )
            action = Action(
                created_at=agreed,
                reference=f"{reference}/{positions[reference]}.{len(finding.actions) + 1}",
                outcome_sought=outcome,
                action_text=action_text,
                measure_of_success=measure,
                owning_agency=agency,
                lead_user=lead if action_number % 3 else None,
                lead_name=None if action_number % 3 else "Named officer (no account)",
                original_due_date=due - timedelta(days=60) if extended else due,
                due_date=due,
                status=status,
                impact_status=_impact_for(status, action_number),
                findings=[finding],
            )
            db.session.add(action)
            if status is not ActionStatus.NOT_STARTED:
                updated = min(agreed + timedelta(days=rng.randint(20, 200)), _moment(today))
                action.updates.append(
                    ActionUpdate(
                        created_at=updated,
                        author=lead or secretariat,
                        status=status,
                        note=_update_note(status),
                    )
                )
    db.session.flush()
    load_lifecycle_demo(reviews, agencies, secretariat, today)
    actions_demo.add_action_detail(today)
    load_demo_briefings(today)
    load_national_reviews_demo(partnerships["NSCP"], secretariat, today)
    from sgreviews.services.demo.reminders import load_reminder_demo

    load_reminder_demo(today)
    return SIGN_INS


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


def _impact_for(status: ActionStatus, number: int) -> ImpactStatus:
    if status is ActionStatus.ASSURED:
        return [ImpactStatus.EVIDENCED, ImpactStatus.PLANNED, ImpactStatus.INCONCLUSIVE][number % 3]
    if status is ActionStatus.COMPLETED:
        return ImpactStatus.PLANNED if number % 2 else ImpactStatus.NOT_ASSESSED
    return ImpactStatus.NOT_ASSESSED


def _update_note(status: ActionStatus) -> str:
    return {
        ActionStatus.IN_PROGRESS: "Work has started; draft shared with the subgroup.",
        ActionStatus.COMPLETED: "Completed; evidence attached for the subgroup to review.",
        ActionStatus.ASSURED: "Assured by the case review subgroup.",
        ActionStatus.CLOSED_NOT_IMPLEMENTED: "Closed: overtaken by the new national procedure.",
        ActionStatus.SUPERSEDED: "Superseded by the thematic action plan.",
    }.get(status, "Update recorded.")
