"""Tenant profiles: loading, clear start-up errors, resolution, and what the prompt says of them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from service.cli import main
from service.drafting.prompts import PromptBuilder
from service.language.analysis import analyse_thread
from service.tenancy import DEFAULT_PROFILE, TenantError, TenantProfile, Tenants
from tests.unit.drafting.conftest import MakeThread, offline_pipeline

ACME = """
company: Acme Telecom
products: [Fibre 500, Mobile Plus]
agent_name: Rita
policies: ["Refunds reach the card in 5-10 business days."]
offers: ["a one-month credit after an outage of more than 24 hours"]
link_domains: [help.acme.example]
time_zone: Pacific/Auckland
business_hours: {{days: [mon, tue, wed, thu, fri], opens: "08:00", closes: "18:00"}}
tone: formal
languages: [en, pt]
api_key_sha256: [{}]
webhook_sources: [zendesk]
""".format(hashlib.sha256(b"acme-key").hexdigest())


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TenantError, match="does not exist"):
        Tenants.load(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("company: Acme\ntime_zone: Mars/Olympus\n", "time_zone"),
        ("company: Acme\nlink_domains: ['not a domain']\n", "link_domains"),
        ("company: Acme\nbusiness_hours: {days: [someday]}\n", "business_hours.days"),
        ("company: Acme\ncolour: blue\n", "colour"),
        ("products: [x]\n", "company"),
        ("company: Acme\napi_key_sha256: [plaintext-key]\n", "api_key_sha256"),
    ],
)
def test_an_invalid_profile_names_the_file_and_the_field(tmp_path: Path, text: str, field: str) -> None:
    write(tmp_path, "acme.yaml", text)
    with pytest.raises(TenantError) as caught:
        Tenants.load(tmp_path)
    assert "acme.yaml" in str(caught.value)
    assert f": {field}" in str(caught.value)


def test_bad_yaml_names_the_file(tmp_path: Path) -> None:
    write(tmp_path, "default.yaml", "company: [unclosed\n")
    with pytest.raises(TenantError, match=r"default\.yaml: not valid YAML"):
        Tenants.load(tmp_path)


def test_a_key_claimed_twice_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "acme.yaml", ACME)
    write(tmp_path, "copy.yaml", ACME)
    with pytest.raises(TenantError, match="claimed by another profile"):
        Tenants.load(tmp_path)


def test_keys_and_webhook_sources_map_to_their_tenant(tmp_path: Path) -> None:
    write(tmp_path, "acme.yaml", ACME)
    write(tmp_path, "default.yaml", "company: Example Ltd\n")
    tenants = Tenants.load(tmp_path)
    fingerprint = hashlib.sha256(b"acme-key").hexdigest()[:16]
    assert tenants.resolve(f"key:{fingerprint}").company == "Acme Telecom"
    assert tenants.resolve("webhook:zendesk").company == "Acme Telecom"
    assert tenants.resolve("webhook:chatwoot").company == "Example Ltd"
    assert tenants.resolve("").company == "Example Ltd"
    assert Tenants.load(None).resolve("key:abc") is DEFAULT_PROFILE


def test_the_cli_refuses_to_start_on_an_invalid_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "acme.yaml", "company: Acme\ntime_zone: Nowhere/Land\n")
    thread = write(tmp_path.parent, "thread.json", '{"messages": [{"role": "customer", "body": "Hi"}]}')
    monkeypatch.setenv("TACTFUL_TENANTS_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as exited:
        main(["draft", str(thread)])
    assert exited.value.code != 0
    err = capsys.readouterr().err
    assert "acme.yaml" in err
    assert "time_zone" in err


def test_the_prompt_states_the_tenant_and_today_in_its_time_zone(
    builder: PromptBuilder, make_thread: MakeThread
) -> None:
    profile = TenantProfile.model_validate(yaml.safe_load(ACME))
    thread = make_thread("My fibre is down since this morning.", agent={"name": "Support team"})
    # 23:30 UTC on 6 March is already 7 March in Auckland.
    now = datetime(2026, 3, 6, 23, 30, tzinfo=UTC)
    system, user = (m["content"] for m in builder.render(thread, analyse_thread(thread), profile, now))
    assert "at Acme Telecom" in system
    assert "Today is Saturday 7 March 2026 (2026-03-07) in Pacific/Auckland." in system
    assert "Fibre 500, Mobile Plus" in system
    assert "- Refunds reach the card in 5-10 business days." in system
    assert "- a one-month credit after an outage of more than 24 hours" in system
    assert "Only link to these domains: help.acme.example." in system
    assert "Mon, Tue, Wed, Thu, Fri, 08:00-18:00" in system
    # "Support team" is not a person: the tenant's default agent name is used instead.
    assert "called Rita" in system
    assert "Support team" not in system
    assert "- Tone: formal" in user


def test_no_agent_name_rather_than_a_team_name(builder: PromptBuilder, make_thread: MakeThread) -> None:
    thread = make_thread("Where is my parcel?", agent={"name": "Customer Care Team"})
    system = builder.render(thread, analyse_thread(thread))[0]["content"]
    assert system.startswith("You are a customer support agent at our company,")
    assert "called" not in system.split("\n")[0]


def test_tenant_profiles_are_in_the_cache_key(builder: PromptBuilder, make_thread: MakeThread) -> None:
    other = TenantProfile(company="Globex", webhook_sources=("front",))
    pipeline = offline_pipeline(builder, tenants=Tenants(DEFAULT_PROFILE, {"globex": other}))
    thread = make_thread("Where is my parcel?")
    keys = {pipeline.key_for(thread, tenant=t) for t in ("", "webhook:front", "webhook:zendesk")}
    assert len(keys) == 3  # tenants never share drafts, and a profile change redrafts


def test_a_profile_s_link_domains_replace_the_global_setting() -> None:
    own = TenantProfile(company="Acme", link_domains=("help.acme.example",))
    # A profile that lists its own hosts uses them; one that lists none falls back to the global
    # setting (TACTFUL_ALLOWED_LINK_DOMAINS), normalised like a profile's.
    assert own.allowed_domains(["global.example"]) == ("help.acme.example",)
    assert DEFAULT_PROFILE.allowed_domains([" Global.Example ", ""]) == ("global.example",)
    assert DEFAULT_PROFILE.allowed_domains() == ()


def test_the_allowed_link_domains_are_in_the_cache_key(
    builder: PromptBuilder, make_thread: MakeThread
) -> None:
    acme = TenantProfile(company="Acme", link_domains=("help.acme.example",), webhook_sources=("front",))
    tenants = Tenants(DEFAULT_PROFILE, {"acme": acme})
    thread = make_thread("Where is my parcel?")
    one = offline_pipeline(builder, tenants=tenants, allowed_domains=("one.example",))
    two = offline_pipeline(builder, tenants=tenants, allowed_domains=("two.example",))
    # A tenant without its own domains redrafts when the global setting changes ...
    assert one.key_for(thread) != two.key_for(thread)
    # ... a tenant with its own does not: the global setting does not apply to it.
    assert one.key_for(thread, tenant="webhook:front") == two.key_for(thread, tenant="webhook:front")
