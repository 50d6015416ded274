"""secret: credentials are found, pointed at, and never repeated."""

from __future__ import annotations

import pytest

from service.guardrails import Guardrails

from .support import evidence, findings

RULE = "secret"

GITHUB = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
SECRETS = {
    "OpenAI": "sk-" + "abcDEF1234567890abcDEF1234567890abcd",
    "OpenAI project": "sk-proj-" + "Abc123_Def456-Ghi789jkl012MNO345",
    "GitHub classic": GITHUB,
    "GitHub oauth": "gho_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8",
    "GitHub fine-grained": "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    "AWS": "AKIA" + "IOSFODNN7EXAMPLE",
    "Slack": "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "Stripe": "sk_live_" + "51H8abcDEFghiJKLmnoPQRstu",
    "Stripe restricted": "rk_live_" + "51H8abcDEFghiJKLmnoPQRstu",
    "Google": "AIza" + "SyA1234567890abcdefghijklmnopqrstuv",
    "JWT": "eyJhbGciOiJIUzI1NiJ9."
    + "eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "webhook": "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
}


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_prefixed_credentials_are_found_and_never_repeated(guardrails: Guardrails, name: str) -> None:
    secret = SECRETS[name]
    text = f"Hi Ana,\n\nsorry for the trouble. Use this: {secret} and let me know."
    report = guardrails.check(text)
    assert evidence(text, report, RULE) == [secret]
    for finding in report.findings:
        assert secret not in finding.message
        assert secret not in (finding.suggestion or "")
    assert not any(secret in line for line in guardrails.reask_instructions(report))


def test_private_key_block_is_one_finding(guardrails: Guardrails) -> None:
    block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234\nabcd==\n-----END RSA PRIVATE KEY-----"
    text = f"Here is the key:\n{block}\nThanks"
    assert evidence(text, guardrails.check(text), RULE) == [block]


def test_unterminated_private_key_runs_to_the_end(guardrails: Guardrails) -> None:
    text = "Key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA"
    assert evidence(text, guardrails.check(text), RULE) == [text[5:]]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Your temporary password: Hunter22!", "Hunter22!"),
        ("password = 'Tr0ub4dor&3'", "Tr0ub4dor&3"),
        ("Your new password is XkT9pLm2.", "XkT9pLm2"),
        ("api_key: 8f14e45fceea167a5a36dedd4bea2543", "8f14e45fceea167a5a36dedd4bea2543"),
        ("Su contraseña es Verano2024", "Verano2024"),
        ("Ihr Passwort: Sommer#2024", "Sommer#2024"),
        ("Votre mot de passe : Ete2024!x", "Ete2024!x"),
        ("A sua senha é Inverno99", "Inverno99"),
        ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345"),
        ("Connect to postgres://admin:S3cr3tPw@db.example.com/app", "S3cr3tPw"),
        # Announced with a comma, or wrapped in markup.
        ("I've set a temporary password, Birch-Heron-5512, for you.", "Birch-Heron-5512"),
        ("Your temporary password is <b>Quay-Lantern-3307</b>.", "Quay-Lantern-3307"),
        ("Su contraseña provisional es <code>Rio-Norte-4410</code>.", "Rio-Norte-4410"),
        ("Seu token: `Zq81-Kestrel-x`.", "Zq81-Kestrel-x"),
    ],
)
def test_assigned_credentials_point_at_the_value(guardrails: Guardrails, text: str, value: str) -> None:
    report = guardrails.check(text)
    assert evidence(text, report, RULE) == [value]
    assert not any(value in f.message for f in report.findings)


@pytest.mark.parametrize(
    "text",
    [
        "Your password is incorrect, please reset it.",
        "Password: please use the reset link below.",
        "The API key settings are under Admin.",
        "Your password: ********",
        "password: <your password>",
        "We use sk-learn for the model and the AKIA prefix for AWS keys.",
        "Send a bearer token in the Authorization header.",
        "Visit https://example.com:8080/path for details.",
        "The secret is patience.",
        "My eyJ shortcut.",
        # Random-looking, but named as something meant to be shared, or part of a link.
        "Please confirm the wallet address is TXa81bQ2mZr5Lp7Vn3Kd9Ws.",
        "Your tracking number is 1Z999AA10123456784.",
        "Download it at https://files.example.com/d/Ab12Cd34Ef56Gh78Ij90Kl.",
        "The method is getCustomerAccountBalance2024Report.",
    ],
)
def test_prose_about_credentials_is_not_a_secret(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE) == []


def test_invisible_characters_do_not_hide_a_token(guardrails: Guardrails) -> None:
    hidden = GITHUB[:10] + "\u200b" + GITHUB[10:]
    text = f"Token: {hidden}"
    assert evidence(text, guardrails.check(text), RULE) == [hidden]


def test_secret_in_quotes_still_counts(guardrails: Guardrails) -> None:
    text = f'You pasted "{GITHUB}" in the ticket.'
    assert evidence(text, guardrails.check(text), RULE) == [GITHUB]


def test_message_names_kind_and_position(guardrails: Guardrails) -> None:
    text = f"token {GITHUB}"
    [finding] = findings(guardrails.check(text), RULE)
    assert finding.message.startswith("A GitHub token appears at characters 6-46;")


def test_message_article_follows_the_label(guardrails: Guardrails) -> None:
    text = f"key {SECRETS['OpenAI']}"
    [finding] = findings(guardrails.check(text), RULE)
    assert finding.message.startswith("An OpenAI-style secret key (sk-...) appears at characters 4-")
    [aws] = findings(guardrails.check(f"key {SECRETS['AWS']}"), RULE)
    assert aws.message.startswith("An AWS access key id appears")


@pytest.mark.parametrize(
    "keyword",
    [
        "password", "passwd", "pwd", "passphrase", "passcode", "secret", "client secret", "client_secret",
        "secret key", "api key", "api_key", "apikey", "access token", "auth_token",
        "aws_secret_access_key", "private key", "contraseña", "clave", "passwort", "kennwort",
        "mot de passe", "senha",
    ],
)  # fmt: skip
def test_every_credential_keyword_passes_the_prefilter(guardrails: Guardrails, keyword: str) -> None:
    """`needs` lets the scan be skipped; a keyword it did not cover would never be found."""
    text = f"Here it is. {keyword.title()}: Qz7wXk29Lm"
    assert evidence(text, guardrails.check(text), "secret") == ["Qz7wXk29Lm"]


def test_the_credential_prefilter_names_a_literal_of_every_keyword() -> None:
    import re

    from service.guardrails.engine import _compiled
    from service.guardrails.rules.secret import Secret

    rule = next(r for r in _compiled()[0] if isinstance(r, Secret))
    entry = next(e for e, _ in rule._entries if e.id == "assigned_credential")
    keywords = re.match(r"\(\?:([^()]+)\)", entry.pattern)
    assert keywords is not None
    for alternative in keywords.group(1).split("|"):
        spelled = alternative.replace("[_ -]?", "_")
        assert any(literal in spelled for literal in entry.needed), alternative


def test_a_machine_made_token_with_no_known_prefix_is_a_secret(guardrails: Guardrails) -> None:
    token = "Qm7vT2xL9pR4kW8zN1cB6hJ3"
    text = f"Use {token} to connect the integration."
    assert evidence(text, guardrails.check(text), RULE) == [token]
