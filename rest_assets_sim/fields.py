"""Record generators: one function per resource, `Row -> dict`.

Each draws its values from `row.rand`, so a record depends only on the seed,
the resource and the row index. Field order follows the APIs' documented schemas.

Most resources are small and flat; agency projects, resourcing people and workhub tasks
are wide (40+ fields, a two-level object, a list of objects), so that syncs and the
benchmark meet the shapes of real APIs: nulls, numbers, booleans, timestamps, child tables.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime, timedelta

from .data import BASE_END, UTC, Row, random_uuid, ts

FIRST = ["Ada", "Bruno", "Chen", "Dara", "Elif", "Femi", "Greta", "Hiro", "Inès", "Jonas", "Kofi", "Lena",
         "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Viktor", "Wen", "Yara"]
LAST = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Kowalski", "Fischer",
        "Nguyen", "Ibrahim", "O'Neill", "Rossi", "Patel", "Jensen", "Álvarez"]
ADJ = ["Northern", "Blue", "Rapid", "Quiet", "Bright", "Copper", "Silver", "Golden", "Open", "Prime", "Urban", "Coastal"]
NOUN = ["Harbor", "Summit", "Orchard", "Beacon", "Atlas", "Meadow", "Forge", "Signal", "Canyon", "Lantern", "Cedar"]
SUFFIX = ["Labs", "Studio", "Group", "Partners", "Works", "Analytics", "Logistics", "Foods", "Health", "Media"]
CITIES = [("Lisbon", "PT"), ("Berlin", "DE"), ("Austin", "US"), ("Toronto", "CA"), ("Osaka", "JP"),
          ("Nairobi", "KE"), ("Melbourne", "AU"), ("Warsaw", "PL"), ("Bogotá", "CO"), ("Dublin", "IE")]
TASKS = ["Design review", "Kickoff call", "Write copy", "QA pass", "Client workshop", "Data migration",
         "Sprint planning", "Budget check", "Content audit", "Launch prep"]
HOLIDAYS = ["New Year's Day", "Labour Day", "Independence Day", "Christmas Day", "Boxing Day", "Easter Monday"]
COLORS = ["#1abc9c", "#3498db", "#9b59b6", "#e67e22", "#e74c3c", "#2ecc71", "#34495e"]
NOTES = ["Pairing session", "Fixed flaky export", "Client call, follow-ups sent", "Reviewed pull requests", "Planning"]
CURRENCIES = ["EUR", "USD", "GBP"]
TIMEZONES = {"PT": "Europe/Lisbon", "DE": "Europe/Berlin", "US": "America/Chicago", "CA": "America/Toronto",
             "JP": "Asia/Tokyo", "KE": "Africa/Nairobi", "AU": "Australia/Melbourne", "PL": "Europe/Warsaw",
             "CO": "America/Bogota", "IE": "Europe/Dublin"}
LOCALES = ["en-GB", "en-US", "de-DE", "pt-PT", "ja-JP", "pl-PL", "es-CO", "fr-CA"]
YES_MOSTLY = (True, True, True, False)
YES_RARELY = (True, False, False, False, False, False, False, False)


# --- shared helpers -----------------------------------------------------------


def person(r) -> tuple[str, str]:
    return r.choice(FIRST), r.choice(LAST)


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().replace("'", "").lower()


def email(first: str, last: str, r) -> str:
    return f"{_ascii(first)}.{_ascii(last)}{r.int(1, 99)}@example.com"


def company(r) -> str:
    return f"{r.choice(ADJ)} {r.choice(NOUN)} {r.choice(SUFFIX)}"


def project_name(r) -> str:
    return f"{r.choice(NOUN)} {r.choice(['Rebrand', 'Website', 'App', 'Campaign', 'Migration', 'Audit'])} {r.int(2022, 2025)}"


def day(r) -> str:
    return r.time().strftime("%Y-%m-%d")


def created_updated(r) -> tuple[str, str]:
    created = r.time()
    return ts(created), ts(r.after(created))


def picks(r, *options) -> list:
    """One item of each sequence, all from a single draw (a mixed-radix split of it).

    Every draw costs a slice of a hash, so wide records take their small choices
    together; the sequences' lengths must multiply to well under 2**32.
    """
    n = r.int(0, 2**32 - 1)
    chosen = []
    for seq in options:
        n, i = divmod(n, len(seq))
        chosen.append(seq[i])
    return chosen


def parsed(stamp: str) -> datetime:
    """A timestamp this module wrote, back as a datetime (fromisoformat: strptime costs ~10x more)."""
    return datetime.fromisoformat(stamp)


def on(moment: datetime) -> str:
    """The day of `moment`, as `day` writes it (isoformat: cheaper than strftime)."""
    return moment.date().isoformat()


def widened(make, more):
    """`make`'s record, then the fields of `more(row, record)`, drawn after `make`'s own:
    the resource's original fields keep their order and their values."""

    def make_wide(row: Row) -> dict:
        record = make(row)
        record.update(more(row, record))
        return record

    return make_wide


def _located(r) -> dict:
    city, country = r.choice(CITIES)
    return {"city": city, "country": country, "timezone": TIMEZONES[country], "postcode": str(r.int(1000, 99999))}


# --- taskrouter ---------------------------------------------------------------

ACTIVITIES = ["Available", "Offline", "Break", "Busy", "Wrap-up"]
EVENT_FILTERS = ["task.created,task.completed", "reservation.accepted", "worker.activity.update", "task.canceled"]


def tr_workspace(row: Row) -> dict:
    r = row.rand
    created, updated = created_updated(r)
    return {
        "account_sid": row.creds.taskrouter_account_sid,
        "date_created": created,
        "date_updated": updated,
        "default_activity_name": r.choice(ACTIVITIES),
        "default_activity_sid": "WA" + r.hex(32),
        "event_callback_url": r.maybe(f"https://hooks.example.com/taskrouter/{r.hex(12)}", 0.3),
        "events_filter": r.maybe(r.choice(EVENT_FILTERS), 0.4),
        "friendly_name": f"{r.choice(ADJ)} {r.choice(NOUN)} Support",
        "multi_task_enabled": r.chance(0.5),
        "sid": row.key,
        "timeout_activity_sid": "WA" + r.hex(32),
        "timeout_activity_name": r.choice(ACTIVITIES),
        "url": f"https://taskrouter.example.com/v1/Workspaces/{row.key}",
    }


def tr_worker(row: Row) -> dict:
    r = row.rand
    created = r.time()
    changed = r.after(created)
    activity = r.choice(ACTIVITIES)
    first, last = person(r)
    attributes = {"skills": r.sample(["en", "es", "fr", "de", "billing", "support", "sales"], r.int(1, 3)),
                  "level": r.int(1, 5)}
    return {
        "account_sid": row.creds.taskrouter_account_sid,
        "activity_sid": "WA" + r.hex(32),
        "activity_name": activity,
        "attributes": json.dumps(attributes),  # Twilio sends attributes as a JSON-encoded string
        "available": activity == "Available",
        "date_created": ts(created),
        "date_status_changed": ts(changed),
        "date_updated": ts(r.after(changed)),
        "friendly_name": f"{first} {last}",
        "sid": row.key,
        "url": f"https://taskrouter.example.com/v1/Workspaces/{row.parent_key}/Workers/{row.key}",
        "workspace_sid": row.parent_key,
    }


# --- agency: id, name, createdAt, updatedAt + a few fitting fields ------------


def agency(name, extra=lambda row: {}):
    """Builds an agency generator from a name function and an extra-fields function."""

    def make(row: Row) -> dict:
        created, updated = created_updated(row.rand)
        record = {"id": row.key, "name": name(row.rand), "createdAt": created, "updatedAt": updated}
        record.update(extra(row))
        return record

    return make


def _address(r) -> dict:
    city, country = r.choice(CITIES)
    return {"city": city, "country": country}


def _line_items(r) -> list[dict]:
    return [{"description": r.choice(TASKS), "amount": r.float(50, 5000)} for _ in range(r.int(1, 3))]


def _invoice(row: Row) -> dict:
    r = row.rand
    items = _line_items(r)
    return {"number": f"INV-{row.i + 1:06d}", "currency": r.choice(CURRENCIES),
            "total": round(sum(item["amount"] for item in items), 2), "lineItems": items}


def _full_name(r) -> str:
    return " ".join(person(r))


def _approvals(row: Row) -> list[dict]:
    """1-2 approval steps of an expense report."""
    r = row.rand
    return [{"approverId": row.ref("workspace_members"), "decision": r.choice(["approved", "rejected", "pending"]),
             "decidedAt": ts(r.time()), "comment": r.maybe("Receipts attached", 0.7)} for _ in range(r.int(1, 2))]


BILLING_METHODS = ["time_and_materials", "fixed_fee", "retainer", "non_billable"]
MILESTONES = ["Kickoff", "Concept sign-off", "Beta", "Launch", "Handover", "Final invoice"]


def _project_details(row: Row, record: dict) -> dict:
    """A project as a full agency API returns it: rates, schedule, billing contact, milestones."""
    r = row.rand
    status, budget = record["status"], record["budget"]
    currency, billable, method, color, health, visibility, terms, language = picks(
        r, CURRENCIES, YES_MOSTLY, BILLING_METHODS, COLORS, ["on_track", "at_risk", "off_track"],
        ["workspace", "team", "private"], [15, 30, 45, 60], ["en", "de", "pt", "ja"])
    estimated, progress, team, lead_days = picks(r, range(8, 2000, 8), range(101), range(1, 13), range(60))
    start = parsed(record["createdAt"]) + timedelta(days=lead_days)
    due = start + timedelta(days=r.int(14, 540))
    first, last = picks(r, FIRST, LAST)
    return {
        "code": f"PRJ-{row.i + 1:05d}",
        "description": r.maybe(f"{r.choice(TASKS)} for {record['name']}", 0.3),
        "currency": currency,
        "billable": billable,
        "billingMethod": method,
        "hourlyRate": r.maybe(r.float(60, 240), 0.25),
        "fixedFee": round(budget * 0.9, 2) if method == "fixed_fee" else None,
        "estimatedHours": estimated,
        "loggedHours": round(estimated * progress / 100 * (0.8 + r.unit() * 0.5), 1),
        "progressPercent": progress,
        "budgetSpent": round(budget * progress / 100, 2),
        "budgetAlertPercent": r.maybe(r.choice([50, 75, 80, 90]), 0.4),
        "isTemplate": team == 1 and not billable,  # rare: a one-person, non-billable project
        "visibility": visibility,
        "color": color,
        "health": health,
        "riskScore": round((100 - progress) / 100 * (0.3 if health == "on_track" else 0.9), 3),
        "ownerId": row.ref("workspace_members"),
        "managerId": r.maybe(row.ref("workspace_members"), 0.2),
        "createdById": row.ref("workspace_members"),
        "opportunityStageId": r.maybe(row.ref("opportunity_stages"), 0.5),
        "startDate": on(start),
        "endDate": on(due) if status in ("done", "archived") else None,
        "dueAt": ts(due),
        "completedAt": ts(due - timedelta(days=lead_days % 14)) if status in ("done", "archived") else None,
        "archivedAt": ts(due + timedelta(days=30 + lead_days)) if status == "archived" else None,
        "paymentTermsDays": terms,
        "taxRate": r.choice([0.0, 0.07, 0.19, 0.2, 0.21, 0.23]),
        "discountPercent": r.maybe(r.float(2, 15, 1), 0.7),
        "teamSize": team,
        "openTasks": 0 if status == "done" else estimated // 40,
        "externalRef": r.maybe(f"PO-{r.hex(8).upper()}", 0.6),
        "invoiceSchedule": "on_milestone" if method == "fixed_fee" else "monthly",
        "language": language,
        "billing": {
            "contactName": f"{first} {last}",
            "contactEmail": f"{_ascii(first)}.{_ascii(last)}@example.com",
            "address": _located(r),
        },
        "milestones": _milestones(r, start),
    }


def _milestones(r, start: datetime) -> list[dict]:
    """1-3 milestones, each from two draws."""
    milestones = []
    for n in range(r.int(1, 3)):
        name, days, done = picks(r, MILESTONES, range(7, 365), (True, False))
        milestones.append({"position": n + 1, "name": name, "dueDate": on(start + timedelta(days=days)),
                           "amount": r.float(500, 40000), "completed": done})
    return milestones


AGENCY = {
    "clients": ("clients", agency(company, lambda row: {
        "email": row.rand.maybe(f"billing@{row.rand.choice(NOUN).lower()}.example.com"),
        "address": _address(row.rand)})),
    "projects": ("projects", widened(agency(project_name, lambda row: {
        "clientId": row.ref("clients"), "budget": row.rand.float(1000, 250000),
        "status": row.rand.choice(["active", "paused", "done", "archived"])}), _project_details)),
    "project_members": ("project-members", agency(_full_name, lambda row: {
        "projectId": row.ref("projects"), "memberId": row.ref("workspace_members"),
        "role": row.rand.choice(["lead", "contributor", "reviewer"])})),
    "project_tasks": ("project-tasks", agency(lambda r: r.choice(TASKS), lambda row: {
        "projectId": row.ref("projects"), "status": row.rand.choice(["todo", "doing", "done"]),
        "estimateHours": row.rand.maybe(row.rand.float(0.5, 40, 1))})),
    "expense_reports": ("expense-reports", agency(lambda r: f"Expenses {r.choice(['Q1', 'Q2', 'Q3', 'Q4'])} {r.int(2022, 2024)}",
        lambda row: {"status": row.rand.choice(["draft", "submitted", "approved"]), "total": row.rand.float(10, 9000),
                     "approvals": _approvals(row)})),
    "expense_items": ("expense-items", agency(lambda r: r.choice(["Train ticket", "Hotel", "Lunch", "Taxi", "Software"]),
        lambda row: {"reportId": row.ref("expense_reports"), "categoryId": row.ref("expense_categories"),
                     "amount": row.rand.float(5, 900)})),
    "expense_categories": ("expense-categories", agency(lambda r: r.choice(["Travel", "Meals", "Lodging", "Software", "Hardware", "Training"]),
        lambda row: {"code": f"EXP-{row.rand.int(100, 999)}", "active": row.rand.chance(0.85)})),
    "project_expense": ("project-expenses", agency(lambda r: r.choice(["Stock photos", "Printing", "Ads", "Hosting"]),
        lambda row: {"projectId": row.ref("projects"), "amount": row.rand.float(20, 4000), "date": day(row.rand)})),
    "project_budget_expenses": ("project-budget-expenses", agency(lambda r: f"{r.choice(['Media', 'Freelance', 'Travel'])} budget",
        lambda row: {"projectId": row.ref("projects"), "budget": row.rand.float(500, 50000),
                     "spent": row.rand.maybe(row.rand.float(0, 50000))})),
    "workspace_members": ("members", agency(_full_name, lambda row: {
        "email": email(*person(row.rand), row.rand), "role": row.rand.choice(["owner", "admin", "member", "guest"])})),
    "opportunity_stages": ("opportunity-stages", agency(lambda r: r.choice(["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]),
        lambda row: {"position": row.i + 1, "probability": row.rand.int(0, 100)})),
    "invoices": ("invoices", agency(lambda r: f"Invoice {company(r)}", _invoice)),
    "holidays": ("holidays", agency(lambda r: r.choice(HOLIDAYS), lambda row: {
        "date": day(row.rand), "country": row.rand.maybe(row.rand.choice(CITIES)[1])})),
}


# --- resourcing: id, name-ish fields, created, modified -----------------------

LOGGED_TIME_START = datetime(2024, 1, 2, tzinfo=UTC)


def resourcing(extra):
    def make(row: Row) -> dict:
        created, modified = created_updated(row.rand)
        return {"id": row.key, **extra(row), "created": created, "modified": modified}

    return make


def logged_time(row: Row) -> dict:
    r = row.rand
    # Base `modified` increases with the index, so modified_since can binary-search it.
    modified = LOGGED_TIME_START + timedelta(minutes=row.i)
    return {
        "id": row.key,
        "person_id": row.ref("people"),
        "project_id": row.ref("projects"),
        "date": (modified - timedelta(days=r.int(0, 3))).strftime("%Y-%m-%d"),
        "minutes": r.choice([15, 30, 45, 60, 90, 120, 240, 480]),
        "note": r.maybe(r.choice(NOTES), 0.4),
        "modified": ts(modified),
    }


def _person(row: Row) -> dict:
    first, last = person(row.rand)
    return {"name": f"{first} {last}", "email": email(first, last, row.rand),
            "department_id": row.ref("departments"), "active": row.rand.chance(0.9)}


def _account_settings(r) -> dict:
    currency, week_start, clock, month, locale = picks(r, CURRENCIES, ["monday", "sunday"], ["24h", "12h"], range(1, 13), LOCALES)
    return {"currency": currency, "week_start": week_start, "time_format": clock, "fiscal_year_start_month": month,
            "locale": locale}


JOB_TITLES = ["Designer", "Senior Designer", "Developer", "Lead Developer", "Producer", "Strategist", "Data Analyst"]
SKILLS = ["Figma", "Python", "TypeScript", "SQL", "Copywriting", "Research", "Motion", "Project management"]


def _person_details(row: Row, record: dict) -> dict:
    """A person as a full resourcing API returns them: employment, rates, office, skills."""
    r = row.rand
    first, last = record["name"].split(" ", 1)
    active = record["active"]
    joined = parsed(record["created"])
    title, kind, capacity, currency, locale, color, admin, billable = picks(
        r, JOB_TITLES, ["full_time", "full_time", "part_time", "contractor"], [2400, 2400, 1920, 1200],
        CURRENCIES, LOCALES, COLORS, YES_RARELY, YES_MOSTLY)
    seen_days_ago, vacation, remote, working = picks(r, range(400), range(20, 31), (True, False), ["mon-fri", "mon-thu", "tue-sat"])
    bill_rate = r.float(50, 250)
    return {
        "first_name": first,
        "last_name": last,
        "job_title": title,
        "role_id": row.ref("roles"),
        "account_id": row.ref("accounts"),
        "manager_id": r.maybe(row.ref("people"), 0.3),
        "employment_type": kind,
        "weekly_capacity_minutes": capacity,
        "hours_per_day": round(capacity / 60 / 5, 2),
        "working_days": working,
        "utilization_target": r.float(0.5, 0.95),
        "bill_rate": bill_rate,
        "cost_rate": r.maybe(round(bill_rate * 0.45, 2), 0.4),
        "currency": currency,
        "billable": billable,
        "is_admin": admin,
        "is_placeholder": kind == "contractor" and not billable,
        "overtime_allowed": kind != "contractor",
        "calendar_sync_enabled": r.chance(0.6),
        "locale": locale,
        "color": color,
        "phone": r.maybe(f"+{r.int(1, 99)} {r.int(200000000, 999999999)}", 0.4),
        "avatar_url": r.maybe(f"https://cdn.example.com/avatars/{r.hex(16)}.png", 0.5),
        "external_id": r.maybe(f"HR-{row.i + 1:06d}", 0.6),
        "vacation_days_per_year": vacation,
        "vacation_days_used": r.float(0, vacation, 1),
        "start_date": on(joined),
        "end_date": None if active else on(r.after(joined)),
        "invited_at": ts(joined - timedelta(days=seen_days_ago % 14 + 1)),
        "last_login_at": ts(BASE_END - timedelta(days=seen_days_ago)) if active else None,
        "archived_at": None if active else record["modified"],
        "notes": r.maybe(r.choice(NOTES), 0.7),
        "location": {"remote": remote, "office": _located(r)},
        "skills": _skills(r),
    }


def _skills(r) -> list[dict]:
    skills = []
    for n, skill in enumerate(r.sample(SKILLS, r.int(1, 3))):
        level, years = picks(r, range(1, 6), range(1, 16))
        skills.append({"skill": skill, "level": level, "years": years, "primary": n == 0, "endorsements": level * years // 2})
    return skills


RESOURCING = {
    "accounts": ("/accounts", resourcing(lambda row: {
        "name": company(row.rand), "plan": row.rand.choice(["starter", "team", "enterprise"]),
        "settings": _account_settings(row.rand)})),
    "departments": ("/departments", resourcing(lambda row: {
        "name": row.rand.choice(["Design", "Engineering", "Strategy", "Sales", "Operations", "Finance"]),
        "parent_id": row.rand.maybe(row.rand.int(1, row.i), 0.6) if row.i else None})),  # an earlier department
    "people": ("/people", widened(resourcing(_person), _person_details)),
    "roles": ("/roles", resourcing(lambda row: {
        "name": row.rand.choice(["Designer", "Developer", "Producer", "Strategist", "Analyst"]),
        "default_hourly_rate": row.rand.maybe(row.rand.float(40, 220))})),
    "public_holidays": ("/public-holidays", resourcing(lambda row: {
        "name": row.rand.choice(HOLIDAYS), "date": day(row.rand), "region": row.rand.choice(CITIES)[1]})),
    "holidays": ("/holidays", resourcing(lambda row: {
        "name": row.rand.choice(HOLIDAYS), "date": day(row.rand), "person_id": row.rand.maybe(row.ref("people"))})),
    "projects": ("/projects", resourcing(lambda row: {
        "name": project_name(row.rand), "client_id": row.rand.maybe(row.ref("clients")),
        "status": row.rand.choice(["tentative", "confirmed", "done"]), "start_date": day(row.rand)})),
    "status": ("/status", resourcing(lambda row: {
        "name": row.rand.choice(["On track", "At risk", "Blocked", "Done"]), "color": row.rand.choice(COLORS)})),
    "time_off": ("/timeoffs", resourcing(lambda row: {
        "person_id": row.ref("people"), "timeoff_type_id": row.ref("timeoff_types"),
        "start_date": day(row.rand), "days": row.rand.int(1, 10), "note": row.rand.maybe("Family trip", 0.5)})),
    "timeoff_types": ("/timeoff-types", resourcing(lambda row: {
        "name": row.rand.choice(["Vacation", "Sick leave", "Parental leave", "Training"]),
        "color": row.rand.choice(COLORS), "paid": row.rand.chance(0.8)})),
    "clients": ("/clients", resourcing(lambda row: {
        "name": company(row.rand), "website": row.rand.maybe(f"https://{row.rand.choice(NOUN).lower()}.example.com")})),
    "phases": ("/phases", resourcing(lambda row: {
        "name": row.rand.choice(["Discovery", "Design", "Build", "Launch"]), "project_id": row.ref("projects"),
        "start_date": day(row.rand)})),
    "project_tasks": ("/project-tasks", resourcing(lambda row: {
        "name": row.rand.choice(TASKS), "project_id": row.ref("projects"),
        "estimate_minutes": row.rand.maybe(row.rand.int(30, 4800))})),
    "milestones": ("/milestones", resourcing(lambda row: {
        "name": row.rand.choice(["Beta", "Sign-off", "Go-live", "Handover"]), "project_id": row.ref("projects"),
        "date": day(row.rand)})),
    "tasks": ("/tasks", resourcing(lambda row: {
        "name": row.rand.choice(TASKS), "project_id": row.ref("projects"),
        "person_id": row.rand.maybe(row.ref("people")), "status": row.rand.choice(["open", "closed"])})),
    "logged_time": ("/logged-time", logged_time),
}


# --- workhub: string id plus the documented fields ----------------------------


def workhub(id_field: str, extra):
    def make(row: Row) -> dict:
        return {"id": row.key, id_field: row.key, **extra(row)}

    return make


def _user(row: Row) -> dict:
    first, last = person(row.rand)
    return {"email": email(first, last, row.rand), "firstName": first, "lastName": row.rand.maybe(last, 0.1)}


def _members(row: Row) -> list[dict]:
    """1-3 members of a space."""
    r = row.rand
    return [{"userId": row.ref("users"), "role": r.choice(["owner", "editor", "viewer"]), "joinedAt": ts(r.time())}
            for _ in range(r.int(1, 3))]


FIELD_VALUES = {"Priority": ["P1", "P2", "P3"], "Client": ["Acme", "Globex", "Initech"], "Sprint": ["S12", "S13", "S14"],
                "Team": ["Web", "Mobile", "Data"]}


def _task_details(row: Row, record: dict) -> dict:
    """A task as a full workhub API returns it: people, effort, dates, its sprint and custom fields."""
    r = row.rand
    created, done = parsed(record["createdAt"]), record["status"] == "done"
    kind, priority, currency, color, source, billable, milestone, recurring, private = picks(
        r, ["task", "bug", "feature", "chore"], ["low", "medium", "high", "urgent"], CURRENCIES, COLORS,
        ["web", "api", "email", "import"], YES_MOSTLY, YES_RARELY, YES_RARELY, YES_RARELY)
    logged, comments, attachments, watchers, checklist = picks(r, range(0, 2400, 5), range(25), range(6), range(1, 9), range(9))
    estimate = r.maybe(r.int(30, 4800), 0.3)
    rate = r.maybe(r.float(40, 180), 0.5)
    start = created + timedelta(days=comments)
    due = start + timedelta(days=3 + watchers * 4)
    sprint = r.int(1, 60)
    return {
        "description": r.maybe(f"{record['taskName']}: {r.choice(NOTES).lower()}", 0.35),
        "taskType": kind,
        "priority": priority,
        "assigneeId": r.maybe(row.ref("users"), 0.2),
        "reporterId": row.ref("users"),
        "spaceId": row.ref("spaces"),
        "phaseId": r.maybe(row.ref("phases"), 0.5),
        "parentTaskId": r.maybe(row.ref("tasks"), 0.8),
        "position": row.i + 1,
        "estimateMinutes": estimate,
        "loggedMinutes": logged,
        "remainingMinutes": None if estimate is None else max(0, estimate - logged),
        "storyPoints": r.maybe(r.choice([1, 2, 3, 5, 8, 13]), 0.4),
        "progress": 1.0 if done else round(min(logged / (estimate or 2400), 0.95), 3),
        "billable": billable,
        "hourlyRate": rate,
        "costAmount": round(logged / 60 * (rate or 0), 2),
        "currency": currency,
        "isMilestone": milestone,
        "isRecurring": recurring,
        "isPrivate": private,
        "timeTrackingEnabled": billable or logged > 0,
        "color": color,
        "source": source,
        "commentCount": comments,
        "attachmentCount": attachments,
        "watcherCount": watchers,
        "checklistTotal": checklist,
        "checklistDone": checklist if done else checklist // 2,
        "startDate": on(start),
        "dueDate": r.maybe(on(due), 0.3),
        "updatedAt": ts(r.after(created)),
        "completedAt": ts(due) if done else None,
        "url": f"https://workhub.example.com/tasks/{row.key}",
        "sprint": {"sprintId": f"spr_{sprint:04d}", "name": f"Sprint {sprint}",
                   "window": {"startsOn": on(start - timedelta(days=start.weekday())),
                              "endsOn": on(start + timedelta(days=13 - start.weekday()))}},
        "customFields": _custom_fields(row),
    }


def _custom_fields(row: Row) -> list[dict]:
    """1-3 values of the workspace's custom fields (values as text, whatever the field's type)."""
    r = row.rand
    values = []
    for label in r.sample(list(FIELD_VALUES), r.int(1, 3)):
        value, required = picks(r, FIELD_VALUES[label], (True, False))
        values.append({"fieldId": row.ref("fields"), "label": label, "type": "dropdown", "value": value,
                       "required": required})
    return values


WORKHUB = {
    "tasks": ("tsk_", widened(workhub("taskId", lambda row: {
        "taskName": row.rand.choice(TASKS), "createdAt": ts(row.rand.time()),
        "status": row.rand.choice(["open", "in_progress", "done"]), "projectId": row.rand.maybe(row.ref("projects"))}),
        _task_details)),
    "users": ("usr_", workhub("userId", _user)),
    "projects": ("prj_", workhub("projectId", lambda row: {
        "projectName": project_name(row.rand), "startDate": row.rand.maybe(day(row.rand)),
        "status": row.rand.choice(["planned", "active", "closed"])})),
    "fields": ("fld_", workhub("fieldId", lambda row: {
        "fieldLabel": row.rand.choice(["Priority", "Estimate", "Client", "Sprint", "Team", "Due"]),
        "fieldType": row.rand.choice(["text", "number", "date", "dropdown", "checkbox"])})),
    "time-offs": ("tof_", workhub("timeOffId", lambda row: {
        "userId": row.ref("users"), "startDate": day(row.rand),
        "durationInMinutes": row.rand.choice([240, 480, 960, 2400])})),
    "spaces": ("spc_", workhub("spaceId", lambda row: {
        "spaceName": f"{row.rand.choice(ADJ)} {row.rand.choice(NOUN)}", "createdAt": ts(row.rand.time()),
        "members": _members(row)})),
    "phases": ("phs_", workhub("phaseId", lambda row: {
        "phaseName": row.rand.choice(["Discovery", "Design", "Build", "Launch"]),
        "dueDate": row.rand.maybe(day(row.rand)), "projectId": row.ref("projects")})),
    "time-entries": ("ten_", workhub("timeEntryId", lambda row: {
        "date": day(row.rand), "minutes": row.rand.int(5, 480), "userId": row.ref("users"),
        "taskId": row.rand.maybe(row.ref("tasks"), 0.3)})),
    "space-documents": ("doc_", workhub("spaceDocumentId", lambda row: {
        "spaceDocumentName": f"{row.rand.choice(['Brief', 'Notes', 'Spec', 'Retro'])} {row.rand.int(1, 99)}",
        "createdAt": ts(row.rand.time()), "spaceId": row.ref("spaces")})),
}


# --- datasync: no `id`; keys jobId / connectionId / workspaceId ---------------


def ds_job(row: Row) -> dict:
    r = row.rand
    start = r.time(end=BASE_END - timedelta(hours=2))  # lastUpdatedAt stays before any edit stamp
    status = r.choice(["succeeded", "succeeded", "succeeded", "failed", "running", "cancelled", "incomplete"])
    running = status == "running"
    seconds = r.int(3, 7200)
    return {
        "jobId": row.key,
        "lastUpdatedAt": ts(start + timedelta(seconds=seconds)),
        "bytesSynced": None if running else r.maybe(r.int(0, 5 * 10**9)),
        "connectionId": r.maybe(row.ref("connections"), 0.1),
        "duration": None if running else f"PT{seconds // 60}M{seconds % 60}S",
        "jobType": r.maybe(r.choice(["sync", "reset", "refresh", "clear"]), 0.05),
        "rowsSynced": None if running else r.maybe(r.int(0, 10**7)),
        "startTime": ts(start),
        "status": status,
    }


def ds_connection(row: Row) -> dict:
    r = row.rand
    name = f"{r.choice(['Postgres', 'Salesforce', 'Stripe', 'HubSpot', 'S3'])} → {r.choice(['DuckDB', 'BigQuery', 'Snowflake'])}"
    cron = {"scheduleType": "cron", "cronExpression": r.choice(["0 * * * *", "0 0 * * *", "*/15 * * * *"])}
    tags = [{"tagId": random_uuid(r), "name": r.choice(["prod", "finance", "marketing", "pii"])} for _ in range(r.int(1, 2))]
    definition = r.choice(["source", "destination", "custom_format"])
    return {
        "connectionId": row.key,
        "createdAt": r.maybe(int(r.time().timestamp()), 0.1),
        "dataResidency": r.choice(["auto", "us", "eu"]),
        "destinationId": random_uuid(r),
        "name": name,
        "namespaceDefinition": definition,
        "namespaceFormat": "${SOURCE_NAMESPACE}_raw" if definition == "custom_format" else None,
        "nonBreakingSchemaUpdatesBehavior": r.choice(["ignore", "disable_connection", "propagate_columns", "propagate_fully"]),
        "prefix": r.maybe(r.choice(["raw_", "stg_", "src_"]), 0.5),
        "schedule": cron if r.chance(0.6) else r.maybe({"scheduleType": "manual"}, 0.5),
        "sourceId": random_uuid(r),
        "status": r.choice(["active", "active", "inactive", "deprecated"]),
        "tags": r.maybe(tags, 0.4),
        "workspaceId": row.ref("workspaces"),
    }


def ds_workspace(row: Row) -> dict:
    r = row.rand
    notify = {"failure": {"email": {"enabled": r.chance(0.7)}}, "success": {"email": {"enabled": r.chance(0.2)}}}
    return {
        "workspaceId": row.key,
        "dataResidency": r.choice(["auto", "us", "eu"]),
        "name": r.maybe(f"{company(r)} workspace", 0.05),
        "notifications": r.maybe(notify, 0.3),
    }
