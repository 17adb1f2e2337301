// The integration guide's workflow through openapi-fetch and the types that openapi-typescript
// generates from openapi/openapi.json. tests/clients/run.sh type-checks it, so that a contract
// change that breaks TypeScript integrators fails the build, but does not run it: workflow.py
// runs the same workflow against a server. It reads BASE_URL, CLIENT_ID and CLIENT_SECRET as
// workflow.py does.

import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type Schemas = components["schemas"];
type PlanCourseEntry = Schemas["PlanCourseEntry"];

/** Returns the data of a successful response, or throws with the step and the problem. */
function expectData<T>(
  step: string,
  result: { data?: T; error?: unknown; response: Response },
): T {
  if (result.data === undefined) {
    const problem = result.error as Schemas["Problem"] | undefined;
    throw new Error(`${step}: status ${result.response.status}, code ${problem?.code ?? "none"}`);
  }
  return result.data;
}

function check(step: string, condition: boolean, message: string): void {
  if (!condition) {
    throw new Error(`${step}: ${message}`);
  }
}

async function getToken(baseUrl: string, clientId: string, clientSecret: string): Promise<string> {
  const anonymous = createClient<paths>({ baseUrl });
  const result = await anonymous.POST("/oauth/token", {
    body: { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret },
    bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  return expectData("Get a token", result).access_token;
}

function entry(
  courseId: string,
  schoolYear: number,
  gradeLevel: number,
  source: Schemas["EntrySource"],
  status: Schemas["PlanEntryStatus"] = "planned",
): PlanCourseEntry {
  return { courseId, schoolYear, term: "full_year", status, gradeLevel, source };
}

async function main(): Promise<void> {
  const baseUrl = process.env.BASE_URL ?? "http://127.0.0.1:8080";
  const token = await getToken(baseUrl, process.env.CLIENT_ID ?? "", process.env.CLIENT_SECRET ?? "");
  const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });

  const students: Schemas["StudentInput"][] = [
    { studentUniqueId: "4820017733", schoolId: "1234", gradeLevel: 10, graduationYear: 2029, firstName: "Maya", lastName: "Okafor" },
    { studentUniqueId: "4820017734", schoolId: "1234", gradeLevel: 10, graduationYear: 2029, firstName: "Jordan", lastName: "Whitfield" },
  ];
  const loaded = expectData("Load students", await api.POST("/v1/students:bulk", { body: students }));
  const [maya, jordan] = loaded.results;
  check("Load students", maya?.id != null && jordan?.id != null, "missing student ids");
  const mayaId = maya?.id ?? "";
  const jordanId = jordan?.id ?? "";

  const page = expectData(
    "Page students",
    await api.GET("/v1/students", { params: { query: { schoolId: "1234", limit: 1 } } }),
  );
  if (page.nextCursor) {
    await api.GET("/v1/students", { params: { query: { limit: 1, cursor: page.nextCursor } } });
  }

  const catalog: Schemas["CourseInput"][] = [
    { courseCode: "ENG10", scedCode: "01002", title: "English 10", credits: 1, gradeLevels: [10], regentsFlag: "Q" },
    { courseCode: "CHEM", scedCode: "03101", title: "Chemistry", credits: 1, gradeLevels: [10, 11, 12], attributes: ["laboratory_science"] },
    { courseCode: "BIO", scedCode: "03051", title: "Biology", credits: 1, gradeLevels: [9, 10], attributes: ["laboratory_science"] },
  ];
  const courses = expectData("Load courses", await api.POST("/v1/courses:bulk", { body: catalog }));
  const [eng10, chem, bio] = courses.results.map((result) => result.id ?? "");

  const created = await api.POST("/v1/plans", {
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    body: {
      studentId: mayaId,
      graduationYear: 2029,
      schoolId: "1234",
      postsecondaryPlan: { pathway: "four_year_college", targetInstitution: "Wichita State University" },
      courses: [entry(eng10 ?? "", 2027, 10, "counselor"), entry(chem ?? "", 2027, 10, "counselor")],
      participants: [{ role: "student" }, { role: "counselor", staffId: "T-3108", name: "R. Delgado" }],
    },
  });
  const plan = expectData("Create a plan", created);
  const etag = created.response.headers.get("ETag") ?? "*";

  const survey = expectData(
    "Submit a survey",
    await api.POST("/v1/students/{studentId}/survey-responses", {
      params: { path: { studentId: mayaId } },
      body: { instrumentId: "onet-ip-sf", administeredOn: "2026-09-15", gradeLevel: 10, answers: "224411553311".repeat(5) },
    }),
  );
  const matches = expectData(
    "Read matches",
    await api.GET("/v1/survey-responses/{responseId}/matches", { params: { path: { responseId: survey.id } } }),
  );
  const cluster = matches.suggestions?.legacy[0]?.name ?? "Health Science";

  const focus: Schemas["CareerFocus"] = { framework: "legacy_16", cluster, surveyResponseId: survey.id };
  expectData(
    "Set the career focus",
    await api.PATCH("/v1/plans/{planId}", {
      params: { path: { planId: plan.id }, header: { "If-Match": etag } },
      body: { careerFocus: [focus] },
      headers: { "Content-Type": "application/merge-patch+json" },
    }),
  );

  expectData(
    "Sync transcript coursework",
    await api.POST("/v1/plans/{planId}/coursework:sync", {
      params: { path: { planId: plan.id } },
      body: { entries: [{ ...entry(bio ?? "", 2026, 9, "sis_transcript", "completed"), mark: "A", creditsEarned: 1 }] },
    }),
  );

  const audit = expectData(
    "Audit the plan",
    await api.POST("/v1/plans/{planId}/audits", { params: { path: { planId: plan.id } }, body: { asOfSchoolYear: 2027 } }),
  );
  for (const requirement of audit.requirements) {
    console.log(`${requirement.key}: ${requirement.status}. ${requirement.explanation}`);
  }

  const today = new Date().toISOString().slice(0, 10);
  expectData(
    "Log a review",
    await api.POST("/v1/plans/{planId}/reviews", {
      params: { path: { planId: plan.id } },
      body: {
        date: today,
        kind: "fall",
        participants: [{ role: "student", attended: true }],
        summary: "Reviewed the grade 10 schedule and the health-science focus.",
      },
    }),
  );

  const feed = expectData("Read the change feed", await api.GET("/v1/changes", { params: { query: { after: 0 } } }));
  await api.DELETE("/v1/students/{studentId}", { params: { path: { studentId: jordanId }, header: { "If-Match": '"1"' } } });
  const since = expectData(
    "Read the change feed again",
    await api.GET("/v1/changes", { params: { query: { after: feed.nextAfter, resourceType: "student" } } }),
  );
  for (const change of since.items) {
    if (change.operation === "delete") {
      console.log(`delete ${change.resourceType} ${change.naturalKey["studentUniqueId"] ?? change.id}`);
    }
  }

  const portfolio = expectData(
    "Export the portfolio",
    await api.GET("/v1/plans/{planId}/portfolio", { params: { path: { planId: plan.id } } }),
  );
  check("Export the portfolio", portfolio.format === "ips-portfolio", `format ${portfolio.format}`);
}

await main();
