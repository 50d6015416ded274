"""The offline composer's drafts for a folder of threads, as the rubric review reads them.

`python -m bench.review_drafts seeds/threads-review > drafts.md` writes, per thread, the status,
the findings an agent would see and the draft, exactly as `tactful draft FILE --json` returns them
without an LLM: the in-process pipeline with one runtime for all threads.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from service.config import Settings
from service.config.sections import LlmSettings
from service.infra.logs import configure_logging
from service.models import DraftResult, Thread
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


def main(argv: list[str]) -> int:
    configure_logging("WARNING")  # the drafts go to stdout; log lines would mix into them
    folder = Path(argv[0] if argv else "seeds/threads-review")
    paths = sorted(folder.glob("*.json"))
    sys.stdout.write(render(asyncio.run(_drafts(paths))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
