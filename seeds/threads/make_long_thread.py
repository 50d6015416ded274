"""Writes long_thread_data_migration.json: a 64-message, roughly 40,000-character ticket thread.

Used to exercise the prompt's token budget (the newest messages are kept, older ones replaced by
an "[N earlier messages omitted]" line) and to benchmark long inputs. The text is assembled from
fixed fragments by index arithmetic, so every run writes the same bytes:

    python seeds/threads/make_long_thread.py

All names, companies and addresses are fictional (example.com).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).with_name("long_thread_data_migration.json")
START = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
MESSAGES = 64

TOPICS = (
    ("customer records", "the CRM export", "duplicate contact entries"),
    ("invoice history", "the billing archive", "missing tax fields"),
    ("support tickets", "the old helpdesk", "attachments without file names"),
    ("product catalogue", "the spreadsheet import", "prices rounded to whole numbers"),
    ("user accounts", "the single sign-on directory", "accounts without an email address"),
    ("order history", "the warehouse database", "orders dated in the future"),
    ("contract documents", "the shared drive", "scanned files that cannot be searched"),
    ("time sheets", "the payroll tool", "entries split across two days"),
)
CUSTOMER_OPENERS = (
    "Quick update from our side on the migration.",
    "Following up on yesterday's batch.",
    "We ran the next import this morning.",
    "Our team checked the latest results.",
    "Another question about the data move.",
)
CUSTOMER_DETAILS = (
    "Most records came across correctly, but our finance team found {problem} in {source}. "
    "They compared a sample of two hundred rows by hand and around one in twelve was affected, "
    "which is enough that we cannot sign off the batch yet.",
    "The import of {topic} finished without any error on the progress screen, yet when we open "
    "the new workspace we see {problem}. We kept the original files from {source} untouched, so "
    "we can send you examples whenever that helps.",
    "We are trying to keep the go-live date, and {topic} is one of the last pieces. The report "
    "after the run listed {problem}, coming from {source} as far as we can tell. Nobody on our "
    "side changed the mapping since the test migration.",
)
CUSTOMER_CLOSERS = (
    "Could you look into it before the next run?",
    "Please let us know what you need from us.",
    "We would appreciate an update by the end of the week.",
    "Is there anything we should change before we continue?",
)
AGENT_REPLIES = (
    "Thank you for the detailed report on {topic}. I have asked our data team to compare your "
    "sample rows with the import log, and I will share what they find. In the meantime it is safe "
    "to continue with the other batches, because they use a separate mapping.",
    "I understand the pressure with the go-live date. We reproduced {problem} with a copy of "
    "{source} and identified the column that causes it. A corrected mapping is being tested now, "
    "and I will confirm once it is ready for your next run.",
    "Good news on {topic}: the corrected mapping worked on our test copy. Before you run it again, "
    "please make a fresh export from {source} so that the latest changes are included. I will "
    "stay on this ticket while you run it.",
)
NOTES = (
    "Internal: data team says the mapping bug affects every customer who migrated from {source}. "
    "Do not mention other customers in replies.",
    "Internal: account is in the enterprise tier, go-live is contractually fixed. Escalate if "
    "another batch fails.",
)
FINAL_MESSAGE = (
    "Hello again,\n\nWe ran the final batch last night and the user accounts are still coming "
    "across without email addresses, even after the corrected mapping. Go-live is on Monday and "
    "around 140 of our staff will not be able to sign in if this is not fixed. I'm honestly "
    "getting worried that we will have to postpone the whole launch.\n\nWhat can we do before "
    "Monday?\n\nMarta Lindqvist\nIT Project Lead, Example Logistics"
)


def _customer(i: int) -> str:
    topic, source, problem = TOPICS[i % len(TOPICS)]
    detail = CUSTOMER_DETAILS[i % len(CUSTOMER_DETAILS)].format(topic=topic, source=source, problem=problem)
    extra = CUSTOMER_DETAILS[(i + 1) % len(CUSTOMER_DETAILS)].format(
        topic=TOPICS[(i + 3) % len(TOPICS)][0], source=source, problem=problem
    )
    later_topic, later_source, later_problem = TOPICS[(i + 6) % len(TOPICS)]
    later = CUSTOMER_DETAILS[(i + 2) % len(CUSTOMER_DETAILS)].format(
        topic=later_topic, source=later_source, problem=later_problem
    )
    return (
        f"Hi Daniel,\n\n{CUSTOMER_OPENERS[i % len(CUSTOMER_OPENERS)]} {detail}\n\n{extra}\n\n"
        f"A second point, about {later_topic}: {later}\n\n"
        f"{CUSTOMER_CLOSERS[i % len(CUSTOMER_CLOSERS)]}\n\nMarta"
    )


def _agent(i: int) -> str:
    topic, source, problem = TOPICS[i % len(TOPICS)]
    body = AGENT_REPLIES[i % len(AGENT_REPLIES)].format(topic=topic, source=source, problem=problem)
    other_topic, other_source, other_problem = TOPICS[(i + 5) % len(TOPICS)]
    more = AGENT_REPLIES[(i + 1) % len(AGENT_REPLIES)].format(
        topic=other_topic, source=other_source, problem=other_problem
    )
    return f"Hi Marta,\n\n{body}\n\nOn the other open point: {more}\n\nBest regards,\nDaniel"


def build() -> dict[str, object]:
    messages: list[dict[str, str]] = []
    for i in range(MESSAGES - 1):
        when = (START + timedelta(hours=7 * i)).isoformat().replace("+00:00", "Z")
        if i % 9 == 8:
            source = TOPICS[i % len(TOPICS)][1]
            body = NOTES[i % len(NOTES)].format(source=source)
            messages.append({"role": "note", "created_at": when, "body": body})
        elif i % 2 == 0:
            messages.append({"role": "customer", "created_at": when, "body": _customer(i)})
        else:
            messages.append({"role": "agent", "created_at": when, "body": _agent(i)})
    last = (START + timedelta(hours=7 * (MESSAGES - 1))).isoformat().replace("+00:00", "Z")
    messages.append({"role": "customer", "created_at": last, "body": FINAL_MESSAGE})
    return {
        "id": "PRJ-6001",
        "subject": "Data migration to the new workspace",
        "channel": "email",
        "customer": {"name": "Marta Lindqvist", "email": "marta.lindqvist@example.com", "locale": "en-GB"},
        "agent": {"name": "Daniel Osei", "signature": "Daniel Osei\nMigration Services, Example Cloud"},
        "messages": messages,
    }


def main() -> None:
    OUT.write_text(json.dumps(build(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
