"""Run the integration guide's workflow through the generated Python client.

BASE_URL, CLIENT_ID and CLIENT_SECRET name a running server and a client of district D0259
with every scope; tests/scripts/test-server.sh exports them. The script stops with a message
naming the step at the first response that differs from what the guide documents.
"""

import datetime
import os
import sys
import uuid

from ips_api_client import AuthenticatedClient, Client
from ips_api_client.api.audits import create_plan_audit
from ips_api_client.api.auth import create_token
from ips_api_client.api.changes import list_changes
from ips_api_client.api.courses import bulk_upsert_courses
from ips_api_client.api.districts import list_schools
from ips_api_client.api.plans import (
    create_plan,
    export_portfolio,
    patch_plan,
    sync_plan_coursework,
)
from ips_api_client.api.reviews import create_review, list_reviews
from ips_api_client.api.students import bulk_upsert_students, delete_student, list_students
from ips_api_client.api.surveys import create_survey_response, get_survey_matches
from ips_api_client.models import (
    AcknowledgementMethod,
    CareerFocus,
    CareerFocusFramework,
    CourseAttribute,
    CourseInput,
    CourseworkSync,
    EntrySource,
    FamilyAcknowledgement,
    Goal,
    GoalCategory,
    GoalStatus,
    ItemStatus,
    NextStep,
    Operation,
    Participant,
    ParticipantRole,
    PatchPlanBody,
    PlanAuditRequest,
    PlanBody,
    PlanCourseEntry,
    PlanEntryStatus,
    PostsecondaryPathway,
    PostsecondaryPlan,
    Problem,
    RegentsFlag,
    ResourceType,
    ReviewBody,
    ReviewKind,
    ReviewParticipant,
    ReviewRole,
    Status,
    StudentInput,
    SurveyResponseInput,
    Term,
    TokenRequest,
)
from ips_api_client.types import Response

# Short Form answers in item order; areas repeat R, I, A, S, E, C in pairs of items, so this
# profile leads with Social, then Investigative and Enterprising.
ANSWERS = "224411553311" * 5


class StepFailed(Exception):
    """A response that differs from what the guide documents."""


def check(step: str, condition: bool, message: str) -> None:
    if not condition:
        raise StepFailed(f"{step}: {message}")


def expect(step: str, response: Response, status: int):
    """Return the parsed body of a response, after checking its status."""
    check(
        step,
        response.status_code == status,
        f"expected status {status}, got {response.status_code}: {response.content!r}",
    )
    check(step, not isinstance(response.parsed, Problem), f"problem {response.parsed}")
    return response.parsed


def get_token(base_url: str) -> str:
    step = "Get a token"
    with Client(base_url=base_url) as anonymous:
        response = create_token.sync_detailed(
            client=anonymous,
            body=TokenRequest(
                grant_type="client_credentials",
                client_id=os.environ["CLIENT_ID"],
                client_secret=os.environ["CLIENT_SECRET"],
            ),
        )
    token = expect(step, response, 200)
    check(step, token.token_type == "Bearer", f"token type {token.token_type}")
    return token.access_token


def load_students(api: AuthenticatedClient) -> tuple[str, str]:
    step = "Load students"
    schools = expect(step, list_schools.sync_detailed("D0259", client=api), 200)
    check(step, "1234" in [school.id for school in schools.items], "school 1234 missing")

    students = [
        StudentInput(
            student_unique_id=kids,
            sis_id=sis_id,
            school_id="1234",
            grade_level=10,
            graduation_year=2029,
            first_name=first_name,
            last_name=last_name,
        )
        for kids, sis_id, first_name, last_name in [
            ("4820017733", "S-20417", "Maya", "Okafor"),
            ("4820017734", "S-20418", "Jordan", "Whitfield"),
        ]
    ]
    loaded = expect(step, bulk_upsert_students.sync_detailed(client=api, body=students), 200)
    check(step, loaded.summary.created == 2, f"summary {loaded.summary}")
    maya_id, jordan_id = (result.id for result in loaded.results)

    first = expect(
        step, list_students.sync_detailed(client=api, school_id="1234", limit=1), 200
    )
    check(step, [s.id for s in first.items] == [maya_id], "first page")
    check(step, isinstance(first.next_cursor, str), "no nextCursor on the first page")
    second = expect(
        step,
        list_students.sync_detailed(
            client=api, school_id="1234", limit=1, cursor=first.next_cursor
        ),
        200,
    )
    check(step, [s.id for s in second.items] == [jordan_id], "second page")
    check(step, second.next_cursor is None, "nextCursor on the last page")
    return maya_id, jordan_id


def load_catalog(api: AuthenticatedClient) -> dict[str, str]:
    step = "Load the course catalog"
    rows = [
        ("ENG9", "01001", "English 9", [9], RegentsFlag.Q, []),
        ("ENG10", "01002", "English 10", [10], RegentsFlag.Q, []),
        ("ENG11", "01003", "English 11", [11], RegentsFlag.Q, []),
        ("ALG1", "02052", "Algebra I", [8, 9], RegentsFlag.Q, []),
        ("GEOM", "02072", "Geometry", [9, 10], RegentsFlag.Q, []),
        ("BIO", "03051", "Biology", [9, 10], RegentsFlag.Q, [CourseAttribute.LABORATORY_SCIENCE]),
        ("CHEM", "03101", "Chemistry", [10, 11, 12], RegentsFlag.Q, [CourseAttribute.LABORATORY_SCIENCE]),
        ("WHIST", "04051", "World History", [9, 10], RegentsFlag.Q, [CourseAttribute.WORLD_HISTORY]),
        ("BAND", "05101", "Concert Band", [9, 10, 11, 12], RegentsFlag.E, [CourseAttribute.FINE_ARTS]),
        ("HSCI", "14001", "Health Science Foundations", [10, 11, 12], RegentsFlag.N, []),
    ]
    courses = [
        CourseInput(
            course_code=code,
            sced_code=sced,
            title=title,
            # The generator renames `credits`, which would shadow a Python builtin.
            credits_=1,
            grade_levels=grades,
            regents_flag=flag,
            attributes=attributes,
        )
        for code, sced, title, grades, flag, attributes in rows
    ]
    loaded = expect(step, bulk_upsert_courses.sync_detailed(client=api, body=courses), 200)
    check(step, loaded.summary.created == len(rows), f"summary {loaded.summary}")
    check(
        step,
        all(result.status == ItemStatus.CREATED for result in loaded.results),
        "an item was not created",
    )
    return {code: result.id for (code, *_), result in zip(rows, loaded.results)}


def entry(course_id: str, school_year: int, grade: int, source: EntrySource, **fields):
    status = fields.pop("status", PlanEntryStatus.PLANNED)
    return PlanCourseEntry(
        course_id=course_id,
        school_year=school_year,
        term=Term.FULL_YEAR,
        status=status,
        grade_level=grade,
        source=source,
        **fields,
    )


def create_the_plan(api: AuthenticatedClient, maya_id: str, courses: dict[str, str]) -> str:
    step = "Create a plan"
    counselor, student = EntrySource.COUNSELOR, EntrySource.STUDENT
    body = PlanBody(
        student_id=maya_id,
        graduation_year=2029,
        school_id="1234",
        postsecondary_plan=PostsecondaryPlan(
            pathway=PostsecondaryPathway.FOUR_YEAR_COLLEGE,
            target_institution="Wichita State University",
        ),
        courses=[
            entry(courses["ENG10"], 2027, 10, counselor),
            entry(courses["GEOM"], 2027, 10, counselor),
            entry(courses["CHEM"], 2027, 10, counselor),
            entry(courses["HSCI"], 2028, 11, student),
            entry(courses["ENG11"], 2028, 11, counselor),
        ],
        goals=[
            Goal(
                category=GoalCategory.ACADEMIC,
                text="Earn a B or better in Chemistry",
                target_date=datetime.date(2027, 5, 21),
                status=GoalStatus.NOT_STARTED,
            )
        ],
        participants=[
            Participant(role=ParticipantRole.STUDENT),
            Participant(role=ParticipantRole.COUNSELOR, staff_id="T-3108", name="R. Delgado"),
            Participant(role=ParticipantRole.PARENT_GUARDIAN),
        ],
    )
    key = str(uuid.uuid4())
    created = create_plan.sync_detailed(client=api, body=body, idempotency_key=key)
    plan = expect(step, created, 201)
    check(step, created.headers.get("etag") == '"1"', f"ETag {created.headers.get('etag')}")

    replayed = expect(step, create_plan.sync_detailed(client=api, body=body, idempotency_key=key), 201)
    check(step, replayed.id == plan.id, "the retry created a second plan")
    return plan.id


def survey_and_focus(api: AuthenticatedClient, maya_id: str, plan_id: str) -> None:
    step = "Submit a survey"
    body = SurveyResponseInput(
        instrument_id="onet-ip-sf",
        administered_on=datetime.date(2026, 9, 15),
        grade_level=10,
        answers=ANSWERS,
    )
    result = expect(
        step, create_survey_response.sync_detailed(maya_id, client=api, body=body), 201
    )
    check(step, result.profile.holland_code.codes == ["SIE"], f"code {result.profile.holland_code}")

    matches = expect(step, get_survey_matches.sync_detailed(result.id, client=api), 200)
    check(step, matches.onet is None, "an O*NET release is imported")
    check(
        step,
        matches.suggestions.legacy[0].name == "Health Science",
        f"first suggestion {matches.suggestions.legacy[0].name}",
    )

    step = "Set the career focus"
    focus = CareerFocus(
        framework=CareerFocusFramework.LEGACY_16,
        cluster="Health Science",
        pathway="Therapeutic Services",
        survey_response_id=result.id,
        rationale="Social and Investigative interests on the fall survey",
    )
    patch = PatchPlanBody.from_dict({"careerFocus": [focus.to_dict()]})
    patched = patch_plan.sync_detailed(plan_id, client=api, body=patch, if_match='"1"')
    plan = expect(step, patched, 200)
    check(step, plan.revision == 2, f"revision {plan.revision}")
    check(step, plan.career_focus[0].cluster == "Health Science", "career focus")

    stale = patch_plan.sync_detailed(plan_id, client=api, body=patch, if_match='"1"')
    check(step, stale.status_code == 412, f"stale write got {stale.status_code}")
    check(step, stale.parsed.code.value == "precondition_failed", f"code {stale.parsed.code}")
    check(step, stale.headers.get("etag") == '"2"', "the 412 lacks the current ETag")


def sync_and_audit(api: AuthenticatedClient, plan_id: str, courses: dict[str, str]) -> None:
    step = "Sync transcript coursework"
    completed = [("ENG9", "A-"), ("ALG1", "B"), ("BIO", "A"), ("WHIST", "B+"), ("BAND", "A")]
    transcript = CourseworkSync(
        entries=[
            entry(
                courses[code],
                2026,
                9,
                EntrySource.SIS_TRANSCRIPT,
                status=PlanEntryStatus.COMPLETED,
                mark=mark,
                credits_earned=1,
            )
            for code, mark in completed
        ]
    )
    plan = expect(
        step, sync_plan_coursework.sync_detailed(plan_id, client=api, body=transcript), 200
    )
    check(step, plan.revision == 3, f"revision {plan.revision}")
    check(step, len(plan.courses) == 10, f"{len(plan.courses)} course entries")

    step = "Audit the plan"
    audit = expect(
        step,
        create_plan_audit.sync_detailed(
            plan_id, client=api, body=PlanAuditRequest(as_of_school_year=2027)
        ),
        200,
    )
    check(step, audit.rule_set_id == "ks-state-2028", f"rule set {audit.rule_set_id}")
    check(step, audit.status == Status.AT_RISK, f"status {audit.status}")
    science = next(r for r in audit.requirements if r.key == "science")
    check(
        step,
        science.explanation
        == "At risk: 1 of 3 units earned, 0 in progress, 1 planned. 1 unit more needed.",
        f"explanation {science.explanation!r}",
    )
    check(step, science.children[0].status == Status.MET, "laboratory science")


def log_review(api: AuthenticatedClient, plan_id: str) -> None:
    step = "Log a review"
    today = datetime.datetime.now(datetime.timezone.utc).date()
    body = ReviewBody(
        date=today,
        kind=ReviewKind.FALL,
        plan_revision=3,
        participants=[
            ReviewParticipant(role=ReviewRole.STUDENT, attended=True),
            ReviewParticipant(
                role=ReviewRole.COUNSELOR, staff_id="T-3108", name="R. Delgado", attended=True
            ),
            ReviewParticipant(role=ReviewRole.PARENT_GUARDIAN, name="C. Okafor", attended=True),
        ],
        summary="Reviewed the grade 10 schedule and the health-science focus.",
        decisions=["Add Health Science Foundations in grade 11"],
        next_steps=[NextStep(text="Schedule a job shadow at a local clinic", owner="student")],
        family_acknowledgement=FamilyAcknowledgement(
            acknowledged=True,
            method=AcknowledgementMethod.IN_PERSON,
            at=datetime.datetime.now(datetime.timezone.utc),
        ),
    )
    review = expect(
        step,
        create_review.sync_detailed(
            plan_id, client=api, body=body, idempotency_key=str(uuid.uuid4())
        ),
        201,
    )
    listed = expect(step, list_reviews.sync_detailed(plan_id, client=api), 200)
    check(step, [r.id for r in listed.items] == [review.id], "review list")


def follow_feed(api: AuthenticatedClient, maya_id: str, jordan_id: str) -> None:
    step = "Follow the change feed"
    page = expect(step, list_changes.sync_detailed(client=api, after=0, limit=1000), 200)
    check(step, not page.has_more, "more changes than one page")
    check(
        step,
        any(c.id == maya_id and c.resource_type == ResourceType.STUDENT for c in page.items),
        "Maya's student record is not in the feed",
    )

    deleted = delete_student.sync_detailed(jordan_id, client=api, if_match='"1"')
    check(step, deleted.status_code == 204, f"delete got {deleted.status_code}")

    since = expect(
        step, list_changes.sync_detailed(client=api, after=page.next_after), 200
    )
    check(step, len(since.items) == 1, f"{len(since.items)} changes after the delete")
    change = since.items[0]
    check(step, change.operation == Operation.DELETE, f"operation {change.operation}")
    check(
        step,
        change.natural_key["studentUniqueId"] == "4820017734",
        f"natural key {change.natural_key.to_dict()}",
    )


def export(api: AuthenticatedClient, plan_id: str) -> None:
    step = "Export the portfolio"
    portfolio = expect(step, export_portfolio.sync_detailed(plan_id, client=api), 200)
    check(step, portfolio.format_ == "ips-portfolio", f"format {portfolio.format_}")
    check(step, portfolio.source.revision == 3, f"revision {portfolio.source.revision}")
    check(step, portfolio.student.first_name == "Maya", "student")
    check(step, portfolio.survey_results[0].holland_code == "SIE", "survey result")


def main() -> None:
    base_url = os.environ["BASE_URL"]
    token = get_token(base_url)
    with AuthenticatedClient(base_url=base_url, token=token) as api:
        maya_id, jordan_id = load_students(api)
        courses = load_catalog(api)
        plan_id = create_the_plan(api, maya_id, courses)
        survey_and_focus(api, maya_id, plan_id)
        sync_and_audit(api, plan_id, courses)
        log_review(api, plan_id)
        follow_feed(api, maya_id, jordan_id)
        export(api, plan_id)
    print("python client: the integration workflow passed")


if __name__ == "__main__":
    try:
        main()
    except StepFailed as failure:
        sys.exit(f"python client: {failure}")
