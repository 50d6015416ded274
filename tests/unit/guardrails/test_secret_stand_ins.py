"""`secret` tells a credential handed over from what only stands for one: placeholders, masks,
names of settings and reset instructions. Texts written for these tests."""

from __future__ import annotations

import pytest

from service.guardrails import Guardrails

from .support import findings

RULE = "secret"


@pytest.mark.parametrize(
    "text",
    [
        "Send it as a header: Authorization: Bearer YOUR_ACCESS_TOKEN_GOES_HERE",
        'Set api_key: "<your key>" in config.yml and restart.',
        "Put STRIPE_SECRET_KEY in your .env file, then run the job.",
        "In the sample, password=$DB_PASSWORD is read from the environment.",
        "Add token = ${ACCESS_TOKEN} to the workflow file.",
        "Use sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx as the shape of the key.",
        "Your card ****4417 was charged; the key ends in ****a9F2.",
        "Reset your password here: https://help.example/reset and pick a new one.",
        "Restablece tu contraseña aquí: cuentas.example/restablecer.",
        "Olvidar la contraseña, Marta, le pasa a cualquiera.",
        "Votre mot de passe est sensible à la casse, attention.",
        "Das Passwort ist case-sensitive; bitte prüfen Sie die Großschreibung.",
        "Remplacez votre_cle_ici par la clé de votre tableau de bord.",
    ],
)
def test_stand_ins_are_not_secrets(guardrails: Guardrails, text: str) -> None:
    assert not findings(guardrails.check(text), RULE)


@pytest.mark.parametrize(
    "text",
    [
        "Your temporary password is Birch-2291, please change it after you sign in.",
        "A senha provisória Cacto#5512 vale até amanhã.",
        "Le mot de passe du wifi : c'est Mimosa-8830.",
        "A sua nova palavra-passe é pinheiro-7731.",
        "Ihr neues Kennwort lautet Rabe!4410.",
        "Here is the new key: acme.prod:Xq7Lm2Vb9Rt4Kp8Nw3Zc6Hd1Jf5Gs0Ya",
    ],
)
def test_values_announced_in_prose_are_secrets(guardrails: Guardrails, text: str) -> None:
    assert findings(guardrails.check(text), RULE)
