"""The offline composer's drafts for a folder of threads, as the rubric review reads them.

`python -m bench.review_drafts seeds/threads-review > drafts.md` writes, per thread, the status,
the findings an agent would see and the draft, exactly as `tactful draft FILE --json` returns them
without an LLM: the in-process pipeline with one runtime for all threads.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

from service.config import Settings
from service.config.sections import LlmSettings
from service.infra.logs import configure_logging
from service.models import Channel, DraftResult, Role, Thread
from service.server.runtime import build_runtime


async def _drafts(paths: list[Path]) -> list[tuple[Path, DraftResult]]:
    runtime = build_runtime(Settings(llm=LlmSettings(base_url=None)))
    await runtime.start()
    try:
        return [
            (p, (await runtime.pipeline.draft(Thread.model_validate_json(p.read_text()))).result)
            for p in paths
        ]
    finally:
        await runtime.close()


def render(results: list[tuple[Path, DraftResult]]) -> str:
    out: list[str] = []
    for path, result in results:
        findings = "; ".join(
            f"{f.rule} ({f.severity.value}): {f.message}" for f in result.guardrails.findings
        )
        text = result.reply if result.reply is not None else result.rejected_draft
        out += [
            f"## {path.stem}",
            "",
            f"Status given by the tool: {result.status.value}; "
            f"findings shown to the agent: {findings or 'none'}",
            "",
            "### Draft",
            "",
            "```",
            text or "",
            "```",
            "",
        ]
    return "\n".join(out)


# The review's failure kinds, counted (issue 13, review D). Labels come from the threads' file
# names ("..._grief", "..._duelo", "..._joie_..."), written by the reviewers, not from our reading.
_GRIEF_LABEL = re.compile(r"grief|duelo|luto|bereavement|deces|beerdigung|succession|trauer")
_JOY_LABEL = re.compile(r"joy|joie|dank|thanks")
# Openers a grieving or joyful customer must not get: frustration, a wait, worry, "the trouble".
_WRONG_FEELING = re.compile(
    r"frustr|wait and chase|esperar y volver|warten und|attendre et nous|esperar e |"
    r"worrying|preocupante|beunruhigend|inquiétant|sorry for the trouble|Umstände|molestias",
    re.IGNORECASE,
)
_STALL = re.compile(
    r"I'm checking this now|Lo estoy revisando|Estoy revisando|Ich prüfe das|Je vérifie|"
    r"Estou verificando|Estou a verificar",
    re.IGNORECASE,
)
_NO_DATE_NOTE = re.compile(
    r"no (?:firm|exact) date|pas de date|date pas officielle|nicht versprechen|sin fecha|"
    r"sem data|don't commit|do not commit",
    re.IGNORECASE,
)
_DATE = re.compile(r"\b\d{1,2}[./]\d{1,2}\b")
_PUBLIC_CHARS = 280


def counts(results: list[tuple[Path, DraftResult]]) -> dict[str, list[str]]:
    """Threads per failure kind: stalls, wrong-feeling openers, dates a note forbids, public
    replies over length."""
    found: dict[str, list[str]] = {"stall": [], "wrong_opener": [], "date_breach": [], "over_length": []}
    for path, result in results:
        text = (result.reply if result.reply is not None else result.rejected_draft) or ""
        thread = Thread.model_validate_json(path.read_text())
        notes = " ".join(m.body for m in thread.messages if m.role is Role.note)
        name = path.stem
        if _STALL.search(text):
            found["stall"].append(name)
        opener = " ".join(text.splitlines()[:3])
        if (_GRIEF_LABEL.search(name) or _JOY_LABEL.search(name)) and _WRONG_FEELING.search(opener):
            found["wrong_opener"].append(name)
        if _NO_DATE_NOTE.search(notes) and _DATE.search(text):
            found["date_breach"].append(name)
        if thread.channel is Channel.social and len(text) > _PUBLIC_CHARS:
            found["over_length"].append(name)
    return found


def main(argv: list[str]) -> int:
    configure_logging("WARNING")  # the drafts go to stdout; log lines would mix into them
    tally = "--counts" in argv
    folders = [Path(a) for a in argv if not a.startswith("--")] or [Path("seeds/threads-review")]
    paths = sorted(p for folder in folders for p in folder.glob("*.json"))
    results = asyncio.run(_drafts(paths))
    if tally:
        for kind, names in counts(results).items():
            sys.stdout.write(
                f"{kind}: {len(names)} of {len(paths)}  {' '.join(n[:2] + n[2:12] for n in names)}\n"
            )
        return 0
    sys.stdout.write(render(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
