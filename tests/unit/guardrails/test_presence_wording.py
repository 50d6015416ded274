"""Wording the presence rules and their neighbours once missed (issue 3): next steps said without
"I'll", restatements by paraphrase, brush-offs that resign the customer, upset words in five
languages. Evidence is exact: text[start:end] for span findings, positions for presence findings."""

from __future__ import annotations

import pytest

from service.guardrails import CheckContext, Guardrails
from service.guardrails.document import scan_text
from service.guardrails.phrases import PhraseMatcher
from service.language.analysis import Emotion, detect_emotion
from service.models import Severity

from .support import evidence, findings, thread


@pytest.mark.parametrize(
    "reply",
    [
        # something under way, in the present tense, with a time that is ahead
        "A replacement jug ships today.",
        "Two new legs leave our warehouse tomorrow morning.",
        "Your refund is on its way.",
        "The difference goes back to your card today.",
        "A technician will call you this afternoon.",
        "La pantalla nueva sale hoy de nuestro almacén.",
        "Mañana por la mañana le llamo.",
        "Der neue Tank ist morgen bei Ihnen.",
        "Une tablette neuve part aujourd'hui.",
        "A tampa nova chega amanhã.",
        # offers
        "I can add the second user for you right away.",
        "Si lo desea, cambio yo mismo el correo.",
        "Wenn Sie möchten, ändere ich die Adresse.",
        "Si vous le souhaitez, je peux vous envoyer une version de test.",
        "Posso enviar um com desconto, se quiser.",
        # impersonal instructions
        "Extra users can be added under Team > Members.",
        "Las facturas se pueden descargar desde Facturación.",
        "Die Lieferadresse lässt sich unter Konto > Adressen ändern.",
        "Les factures se téléchargent depuis Compte > Facturation.",
        "O endereço pode ser alterado em Perfil > Conta.",
        # imperatives the list did not have, an adverb first
        "Uninstall the old driver, reboot, then run the installer again.",
        "Just untick the box under Preferences.",
        "Desinstale la versión actual.",
        # done, in other words; a German perfect with a long middle
        "J'ai modifié l'adresse de livraison.",
        "Ich habe Ihnen soeben den aktuellen Treiber mit der Korrektur per E-Mail geschickt.",
    ],
)
def test_next_steps_in_other_words(guardrails: Guardrails, reply: str) -> None:
    assert findings(guardrails.check(reply), "next-steps") == []


@pytest.mark.parametrize(
    "reply",
    [
        "Sorry the driver install failed again today.",  # "today", but behind us
        "Sorry, it didn't ship today as planned.",
        "Esta mañana la aplicación falló, lo siento.",  # this morning, not tomorrow
        "Guten Morgen, es tut mir leid, dass die App abstürzt.",
        "Das lässt sich leider nicht ändern.",
        "Wir haben das Paket leider noch nicht an Sie geschickt.",  # a bracket, negated
        "Team accounts support up to 25 users on every plan.",
        "Le colis arrivera bientôt.",
    ],
)
def test_no_next_step_still_warns(guardrails: Guardrails, reply: str) -> None:
    (finding,) = findings(guardrails.check(reply), "next-steps")
    assert finding.severity is Severity.warn
    assert finding.start is None


def test_a_wider_gap_is_a_matcher_option() -> None:
    narrow = PhraseMatcher([("e", ["ich habe ... geschickt"])])
    wide = PhraseMatcher([("e", ["ich habe ... geschickt"])], gap_words=10)
    text = "Ich habe Ihnen soeben den neuen Treiber per E-Mail geschickt."
    scan = scan_text(text.casefold())
    assert list(narrow.finditer(scan)) == []
    (hit,) = wide.finditer(scan)
    assert text[hit.start : hit.end] == text[:-1]
    assert list(wide.finditer(scan_text("ich habe es. dann geschickt"))) == []  # not across a sentence


@pytest.mark.parametrize(
    ("customer", "reply"),
    [
        ("The mobile app logs me out every few minutes.", "I'm sorry the app keeps logging you out."),
        ("The blender arrived with a cracked jug.", "Sorry it reached you damaged; a new one ships today."),
        ("Der Drucker stürzt beim Scannen jedes Mal ab.", "Es tut mir leid, dass das Gerät abstürzt."),
        ("L'application plante dès que j'ouvre la caméra.", "Désolé pour ces plantages."),
        ("How do I add a second user to our team?", "Extra users can be added under Members."),
    ],
)
def test_restated_in_other_words(guardrails: Guardrails, customer: str, reply: str) -> None:
    ctx = CheckContext(thread=thread(customer))
    assert findings(guardrails.check(reply, ctx), "restates-issue") == []


def test_a_generic_short_word_is_no_restatement(guardrails: Guardrails) -> None:
    ctx = CheckContext(thread=thread("Your app crashes every time I open the camera."))
    (finding,) = findings(
        guardrails.check("I'm sorry for the trouble. Please reinstall the app.", ctx), "restates-issue"
    )
    assert finding.severity is Severity.warn


def test_a_menu_arrow_is_not_quoted_history(guardrails: Guardrails) -> None:
    ctx = CheckContext(thread=thread("I can't find my payslips for March."))
    menu = "Your March payslips are in Reports > Payroll."
    assert findings(guardrails.check(menu, ctx), "restates-issue") == []
    quoted = "Have a lovely day.\n> I can't find my payslips for March."
    assert findings(guardrails.check(quoted, ctx), "restates-issue")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Damage in transit happens, that's just how it is.", ["that's just how it is"]),
        ("Parcels get knocked about, that's how it goes.", ["that's how it goes"]),
        ("Billing glitches crop up, it is what it is.", ["it is what it is"]),
        ("These things happen with bulky orders.", ["These things happen"]),
        ("You'll just have to live with it.", ["You'll just have to live with it"]),
        ("Son cosas que pasan con los envíos.", ["Son cosas que pasan"]),
        ("Das kommt beim Versand halt mal vor.", ["Das kommt beim Versand halt mal vor"]),
        ("Ce sont des choses qui arrivent.", ["Ce sont des choses qui arrivent"]),
        ("São coisas que acontecem nas entregas.", ["São coisas que acontecem"]),
    ],
)
def test_resignation_is_dismissive_with_exact_spans(
    guardrails: Guardrails, text: str, expected: list[str]
) -> None:
    report = guardrails.check(text)
    assert evidence(text, report, "no-dismissive") == expected
    assert {f.severity for f in findings(report, "no-dismissive")} == {
        Severity.warn
    }  # issue 12: ships as warn (README)


def test_if_it_happens_again_is_not_resignation(guardrails: Guardrails) -> None:
    reply = "If it happens again tonight, note the time and reply here."
    assert findings(guardrails.check(reply), "no-dismissive") == []


@pytest.mark.parametrize(
    ("body", "cue"),
    [
        ("I was billed for Premium while on Basic. I'm really upset about this.", "upset"),
        ("Mi pedido llegó con la pantalla rota. Estoy muy enfadada.", "enfadada"),
        ("Die Maschine kam kaputt an. Ich bin echt verärgert.", "verärgert"),
        ("Ma tablette est arrivée fissurée. Je suis vraiment mécontente.", "mécontente"),
        ("O meu pedido chegou incompleto. Estou muito chateado.", "chateado"),
    ],
)
def test_upset_words_raise_the_bar_and_the_finding_points_at_them(
    guardrails: Guardrails, body: str, cue: str
) -> None:
    assert detect_emotion(body) is Emotion.angry
    courtesy = {
        "upset": "Thanks for contacting us. The refund goes out today.",
        "enfadada": "Gracias por escribirnos. Le enviaremos otra pantalla.",
        "verärgert": "Vielen Dank für Ihre Nachricht. Wir schicken Ihnen Ersatz.",
        "mécontente": "Merci pour votre message. Nous vous envoyons une tablette neuve.",
        "chateado": "Obrigado pelo contato. O carregador será enviado.",
    }[cue]
    (finding,) = findings(guardrails.check(courtesy, CheckContext(thread=thread(body))), "acknowledgement")
    start = body.index(cue)
    assert f"characters {start}-{start + len(cue)}" in finding.message
    assert cue not in finding.message


def test_sorry_for_the_thing_itself_acknowledges_in_french(guardrails: Guardrails) -> None:
    ctx = CheckContext(thread=thread("Ma tablette est arrivée avec l'écran fissuré. Je suis mécontente."))
    strong = "Je suis désolé pour l'écran fissuré. Je vous envoie une tablette neuve aujourd'hui."
    assert findings(guardrails.check(strong, ctx), "acknowledgement") == []
    generic = "Désolé pour la gêne occasionnée. Je vous envoie une tablette neuve aujourd'hui."
    assert findings(guardrails.check(generic, ctx), "acknowledgement")
