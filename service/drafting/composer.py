# ruff: noqa: E501 - phrase tables read and review best as one sentence per line
"""The offline composer: a guideline-shaped reply built from the thread, without any model.

Used when no LLM is configured and as the fallback when the LLM is down. The reply follows our
empathy guidelines (prompts/guidelines.yaml) in a fixed order: greeting by name, an acknowledgement
fitted to the customer's feeling and situation (it always opens the reply, so the acknowledgement
guardrail passes by construction), the issue said back to the customer, concrete next steps for the
kind of situation, a promise to keep them informed, and the agent's sign-off.

It never invents facts (no amounts, dates, order numbers or refunds): the steps describe what an
agent does, and the agent reviews every offline draft before it is sent. Output is deterministic:
the same thread and analysis always give the same text. Phrases exist for en, es, de, fr and pt;
other languages get English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.analysis import Category, ThreadAnalysis
from service.empathy import acknowledgement_for, restate_issue
from service.models import Channel, Thread, Tone


@dataclass(frozen=True)
class Phrases:
    greeting: str  # "{name}" is the first name
    greeting_formal: str  # "{name}" is the full name
    greeting_anonymous: str
    greeting_anonymous_formal: str
    inline_greeting: str  # SMS: greeting and reply in one sentence
    inline_greeting_anonymous: str
    steps_intro: str
    follow_up_email: str
    follow_up_urgent: str
    follow_up_chat: str
    follow_up_sms: str
    social_private: str
    closing: dict[Tone, str]
    team: str
    steps: dict[Category, tuple[str, ...]]


PHRASES: dict[str, Phrases] = {
    "en": Phrases(
        greeting="Hi {name},",
        greeting_formal="Dear {name},",
        greeting_anonymous="Hi there,",
        greeting_anonymous_formal="Hello,",
        inline_greeting="Hi {name}",
        inline_greeting_anonymous="Hi there",
        steps_intro="Here is what I'm doing next:",
        follow_up_email="I'll keep you updated at each step, and you're welcome to reply to this email at any time with questions.",
        follow_up_urgent="I'll update you as soon as anything changes, and this stays at the top of my list until it's resolved.",
        follow_up_chat="I'll keep you posted right here.",
        follow_up_sms="I'll text you with updates.",
        social_private="If you send us a private message, we can look at the details of your account there.",
        closing={Tone.warm: "Best wishes,", Tone.neutral: "Best regards,", Tone.formal: "Kind regards,"},
        team="The support team",
        steps={
            Category.billing: (
                "I'm checking the charges on your account against your invoices to see exactly what happened.",
                "If a payment was taken in error, I'll make sure it is corrected and confirm the outcome to you in writing.",
                "If you have the invoice number or the date of the charge to hand, sending it over will help me find it even faster.",
            ),
            Category.account: (
                "I'm checking the sign-in activity and the lock status of your account now.",
                "Once we've confirmed the account is yours, I'll help you get back in securely, for example with a fresh password reset link.",
                "For your security, please keep your password private; we will never ask you for it.",
            ),
            Category.outage: (
                "I'm raising this with our engineering team as a priority so they can investigate straight away.",
                "I'm checking our monitoring and any recent changes to understand how widespread this is.",
                "I'll let you know as soon as the service is back, and share what happened once we know.",
            ),
            Category.shipping: (
                "I'm checking the tracking details and the latest status with the carrier.",
                "If the parcel is delayed or lost in transit, I'll arrange the next step with you, such as a replacement or another solution that suits you.",
                "I'm also confirming that the delivery address on the order is complete.",
            ),
            Category.hardware: (
                "I'm reviewing the details of your device and the warranty or service cover that applies to it.",
                "Next, I'll guide you through a few quick checks to narrow down the fault; if it turns out to be a hardware failure, I'll arrange a repair or replacement.",
                "If a deadline depends on this device, tell me when it is and I'll look at ways to keep you working in the meantime.",
            ),
            Category.bug: (
                "I'm trying to reproduce the problem on our side with the details you've shared.",
                "I'm passing everything to our technical team with the steps to reproduce it, so they can find the cause.",
                "If you can, send the exact error message or a screenshot and roughly when it happened; that helps us track it down faster.",
            ),
            Category.howto: (
                "I'm putting together clear step-by-step instructions for exactly what you want to do.",
                "If it's easier, we can also go through it together, one step at a time.",
                "Once it's working for you, I'll make sure you have the steps written down for next time.",
            ),
            Category.general: (
                "I'm looking into this now and going through the details you've shared.",
                "If I need anything else from you, I'll ask for it specifically, so there is no need to repeat yourself.",
            ),
        },
    ),
    "es": Phrases(
        greeting="Hola, {name}:",
        greeting_formal="Buenos días, {name}:",
        greeting_anonymous="Hola:",
        greeting_anonymous_formal="Buenos días:",
        inline_greeting="Hola, {name}",
        inline_greeting_anonymous="Hola",
        steps_intro="Esto es lo que voy a hacer ahora:",
        follow_up_email="Le iré informando de cada avance, y puede responder a este correo en cualquier momento si tiene preguntas.",
        follow_up_urgent="Le avisaré en cuanto haya cualquier novedad, y este caso seguirá siendo mi prioridad hasta que quede resuelto.",
        follow_up_chat="Le iré informando por aquí.",
        follow_up_sms="Le escribiré con cada novedad.",
        social_private="Si nos envía un mensaje privado, podremos revisar allí los datos de su cuenta.",
        closing={Tone.warm: "Un saludo,", Tone.neutral: "Saludos cordiales,", Tone.formal: "Atentamente,"},
        team="El equipo de soporte",
        steps={
            Category.billing: (
                "Estoy revisando los cargos de su cuenta y comparándolos con sus facturas para ver exactamente qué ha pasado.",
                "Si se ha realizado algún cobro por error, me aseguraré de que se corrija y le confirmaré el resultado por escrito.",
                "Si tiene a mano el número de factura o la fecha del cargo, enviármelo me ayudará a localizarlo aún más rápido.",
            ),
            Category.account: (
                "Estoy revisando ahora la actividad de inicio de sesión y el estado de bloqueo de su cuenta.",
                "En cuanto confirmemos que la cuenta es suya, le ayudaré a recuperar el acceso de forma segura, por ejemplo con un nuevo enlace para restablecer la contraseña.",
                "Por su seguridad, mantenga su contraseña en privado; nunca se la pediremos.",
            ),
            Category.outage: (
                "Estoy escalando esto con prioridad a nuestro equipo técnico para que lo investigue de inmediato.",
                "Estoy revisando nuestra monitorización y los cambios recientes para entender el alcance del problema.",
                "Le avisaré en cuanto el servicio vuelva a funcionar y le explicaré lo ocurrido cuando lo sepamos.",
            ),
            Category.shipping: (
                "Estoy revisando los datos de seguimiento y el último estado con la empresa de transporte.",
                "Si el paquete se ha retrasado o se ha perdido en el camino, acordaré con usted el siguiente paso, como un reenvío u otra solución que le convenga.",
                "También estoy comprobando que la dirección de entrega del pedido esté completa.",
            ),
            Category.hardware: (
                "Estoy revisando los datos de su equipo y la garantía o cobertura de servicio que le corresponde.",
                "A continuación le guiaré en unas comprobaciones rápidas para acotar la avería; si resulta ser un fallo de hardware, organizaré la reparación o la sustitución.",
                "Si tiene una fecha límite que depende de este equipo, indíqueme cuándo es y buscaré la manera de que pueda seguir trabajando mientras tanto.",
            ),
            Category.bug: (
                "Estoy intentando reproducir el problema por nuestra parte con los detalles que nos ha dado.",
                "Estoy pasando toda la información a nuestro equipo técnico, con los pasos para reproducirlo, para que encuentre la causa.",
                "Si puede, envíenos el mensaje de error exacto o una captura de pantalla y la hora aproximada en que ocurrió; así lo localizaremos antes.",
            ),
            Category.howto: (
                "Estoy preparando instrucciones claras, paso a paso, para exactamente lo que quiere hacer.",
                "Si le resulta más cómodo, también podemos hacerlo juntos, paso a paso.",
                "Cuando ya le funcione, me aseguraré de que tenga los pasos por escrito para la próxima vez.",
            ),
            Category.general: (
                "Ya lo estoy revisando, junto con los detalles que nos ha enviado.",
                "Si necesito algo más, se lo pediré de forma concreta para que no tenga que repetir nada.",
            ),
        },
    ),
    "de": Phrases(
        greeting="Hallo {name},",
        greeting_formal="Guten Tag {name},",
        greeting_anonymous="Hallo,",
        greeting_anonymous_formal="Guten Tag,",
        inline_greeting="Hallo {name}",
        inline_greeting_anonymous="Hallo",
        steps_intro="So geht es jetzt weiter:",
        follow_up_email="Ich halte Sie bei jedem Schritt auf dem Laufenden, und Sie können jederzeit auf diese E-Mail antworten, wenn Fragen aufkommen.",
        follow_up_urgent="Ich melde mich, sobald sich etwas ändert, und dieser Fall bleibt ganz oben auf meiner Liste, bis er gelöst ist.",
        follow_up_chat="Ich halte Sie hier auf dem Laufenden.",
        follow_up_sms="Ich melde mich per SMS mit Neuigkeiten.",
        social_private="Wenn Sie uns eine Direktnachricht schicken, können wir uns dort die Details Ihres Kontos ansehen.",
        closing={
            Tone.warm: "Viele Grüße",
            Tone.neutral: "Freundliche Grüße",
            Tone.formal: "Mit freundlichen Grüßen",
        },
        team="Ihr Support-Team",
        steps={
            Category.billing: (
                "Ich prüfe gerade die Abbuchungen auf Ihrem Konto und gleiche sie mit Ihren Rechnungen ab, um genau zu sehen, was passiert ist.",
                "Falls eine Zahlung irrtümlich eingezogen wurde, sorge ich dafür, dass sie korrigiert wird, und bestätige Ihnen das Ergebnis schriftlich.",
                "Wenn Sie die Rechnungsnummer oder das Datum der Abbuchung zur Hand haben, hilft mir das, den Vorgang noch schneller zu finden.",
            ),
            Category.account: (
                "Ich prüfe gerade die Anmeldeaktivität und den Sperrstatus Ihres Kontos.",
                "Sobald wir bestätigt haben, dass das Konto Ihnen gehört, helfe ich Ihnen, sicher wieder hineinzukommen, zum Beispiel mit einem neuen Link zum Zurücksetzen des Passworts.",
                "Zu Ihrer Sicherheit: Bitte behalten Sie Ihr Passwort für sich; wir werden Sie niemals danach fragen.",
            ),
            Category.outage: (
                "Ich gebe das mit Priorität an unser Technikteam weiter, damit es sofort untersucht wird.",
                "Ich prüfe unser Monitoring und die letzten Änderungen, um zu verstehen, wie weit das Problem reicht.",
                "Ich sage Ihnen Bescheid, sobald der Dienst wieder läuft, und erkläre Ihnen die Ursache, sobald wir sie kennen.",
            ),
            Category.shipping: (
                "Ich prüfe die Sendungsverfolgung und den aktuellen Stand beim Versanddienstleister.",
                "Falls das Paket verspätet ist oder unterwegs verloren ging, stimme ich den nächsten Schritt mit Ihnen ab, etwa eine Ersatzlieferung oder eine andere Lösung, die für Sie passt.",
                "Außerdem prüfe ich, ob die Lieferadresse in der Bestellung vollständig ist.",
            ),
            Category.hardware: (
                "Ich prüfe die Angaben zu Ihrem Gerät und die Garantie oder den Servicevertrag, der dafür gilt.",
                "Als Nächstes führe ich Sie durch ein paar schnelle Prüfungen, um den Fehler einzugrenzen; stellt sich ein Hardwaredefekt heraus, organisiere ich eine Reparatur oder einen Austausch.",
                "Wenn eine Frist an diesem Gerät hängt, sagen Sie mir bitte, wann sie ist, und ich suche nach Wegen, wie Sie bis dahin weiterarbeiten können.",
            ),
            Category.bug: (
                "Ich versuche, das Problem mit Ihren Angaben bei uns nachzustellen.",
                "Ich gebe alle Informationen mit den Schritten zum Nachstellen an unser Technikteam weiter, damit es die Ursache findet.",
                "Wenn möglich, schicken Sie mir die genaue Fehlermeldung oder einen Screenshot und ungefähr den Zeitpunkt; so finden wir die Ursache schneller.",
            ),
            Category.howto: (
                "Ich stelle Ihnen eine klare Schritt-für-Schritt-Anleitung für genau das zusammen, was Sie vorhaben.",
                "Wenn es Ihnen lieber ist, gehen wir es auch gern gemeinsam Schritt für Schritt durch.",
                "Sobald es bei Ihnen funktioniert, sorge ich dafür, dass Sie die Schritte für das nächste Mal schriftlich haben.",
            ),
            Category.general: (
                "Ich kümmere mich jetzt darum und gehe Ihre Angaben durch.",
                "Falls ich noch etwas von Ihnen brauche, frage ich gezielt danach, damit Sie nichts wiederholen müssen.",
            ),
        },
    ),
    "fr": Phrases(
        greeting="Bonjour {name},",
        greeting_formal="Bonjour {name},",
        greeting_anonymous="Bonjour,",
        greeting_anonymous_formal="Bonjour,",
        inline_greeting="Bonjour {name}",
        inline_greeting_anonymous="Bonjour",
        steps_intro="Voici la suite :",
        follow_up_email="Je vous tiendrai au courant à chaque étape, et vous pouvez répondre à cet e-mail à tout moment si vous avez des questions.",
        follow_up_urgent="Je vous préviens dès qu'il y a du nouveau, et ce dossier reste ma priorité jusqu'à sa résolution.",
        follow_up_chat="Je vous tiens au courant ici.",
        follow_up_sms="Je vous envoie un SMS dès qu'il y a du nouveau.",
        social_private="Si vous nous envoyez un message privé, nous pourrons y examiner les détails de votre compte.",
        closing={Tone.warm: "Bien à vous,", Tone.neutral: "Cordialement,", Tone.formal: "Bien cordialement,"},
        team="L'équipe support",
        steps={
            Category.billing: (
                "Je vérifie les prélèvements sur votre compte et les compare à vos factures pour comprendre précisément ce qui s'est passé.",
                "Si un paiement a été prélevé par erreur, je veille à ce qu'il soit corrigé et je vous confirme le résultat par écrit.",
                "Si vous avez sous la main le numéro de facture ou la date du prélèvement, me l'envoyer m'aidera à le retrouver encore plus vite.",
            ),
            Category.account: (
                "Je vérifie en ce moment l'activité de connexion et l'état de blocage de votre compte.",
                "Dès que nous aurons confirmé que le compte vous appartient, je vous aiderai à y accéder de nouveau en toute sécurité, par exemple avec un nouveau lien de réinitialisation du mot de passe.",
                "Pour votre sécurité, gardez votre mot de passe pour vous ; nous ne vous le demanderons jamais.",
            ),
            Category.outage: (
                "Je transmets cela en priorité à notre équipe technique pour qu'elle l'examine immédiatement.",
                "Je vérifie notre supervision et les changements récents pour mesurer l'ampleur du problème.",
                "Je vous préviens dès que le service est rétabli et je vous expliquerai la cause dès que nous la connaîtrons.",
            ),
            Category.shipping: (
                "Je vérifie le suivi du colis et son dernier statut auprès du transporteur.",
                "Si le colis est retardé ou perdu en route, je conviendrai avec vous de la suite, par exemple un renvoi ou une autre solution qui vous convient.",
                "Je vérifie aussi que l'adresse de livraison de la commande est complète.",
            ),
            Category.hardware: (
                "J'examine les informations de votre appareil et la garantie ou le contrat de service qui s'y applique.",
                "Ensuite, je vous guiderai dans quelques vérifications rapides pour cerner la panne ; s'il s'agit d'une défaillance matérielle, j'organiserai une réparation ou un remplacement.",
                "Si une échéance dépend de cet appareil, dites-moi quand elle tombe et je chercherai comment vous permettre de continuer à travailler d'ici là.",
            ),
            Category.bug: (
                "J'essaie de reproduire le problème de notre côté avec les détails que vous nous avez donnés.",
                "Je transmets toutes les informations à notre équipe technique, avec les étapes pour le reproduire, afin qu'elle en trouve la cause.",
                "Si possible, envoyez-moi le message d'erreur exact ou une capture d'écran et l'heure approximative ; cela nous aidera à le localiser plus vite.",
            ),
            Category.howto: (
                "Je prépare des instructions claires, étape par étape, pour exactement ce que vous souhaitez faire.",
                "Si c'est plus simple pour vous, nous pouvons aussi le faire ensemble, étape par étape.",
                "Une fois que tout fonctionne, je m'assure que vous ayez les étapes par écrit pour la prochaine fois.",
            ),
            Category.general: (
                "Je m'en occupe dès maintenant et j'examine les détails que vous nous avez transmis.",
                "Si j'ai besoin d'autre chose, je vous le demanderai précisément pour que vous n'ayez rien à répéter.",
            ),
        },
    ),
    "pt": Phrases(
        greeting="Olá, {name},",
        greeting_formal="Bom dia, {name},",
        greeting_anonymous="Olá,",
        greeting_anonymous_formal="Bom dia,",
        inline_greeting="Olá, {name}",
        inline_greeting_anonymous="Olá",
        steps_intro="Veja o que vou fazer agora:",
        follow_up_email="Vou dando notícias a cada passo, e pode responder a este e-mail a qualquer momento se tiver dúvidas.",
        follow_up_urgent="Aviso assim que houver qualquer novidade, e este caso continua como prioridade até ser resolvido.",
        follow_up_chat="Vou dando notícias por aqui.",
        follow_up_sms="Envio uma mensagem assim que houver novidades.",
        social_private="Se nos enviar uma mensagem privada, podemos verificar lá os detalhes da sua conta.",
        closing={
            Tone.warm: "Um abraço,",
            Tone.neutral: "Atenciosamente,",
            Tone.formal: "Com os melhores cumprimentos,",
        },
        team="Equipe de suporte",
        steps={
            Category.billing: (
                "Estou verificando as cobranças na sua conta e comparando-as com as suas faturas para entender exatamente o que aconteceu.",
                "Se algum pagamento foi cobrado por engano, vou garantir que seja corrigido e confirmar o resultado por escrito.",
                "Se tiver à mão o número da fatura ou a data da cobrança, enviar essa informação vai me ajudar a encontrá-la ainda mais rápido.",
            ),
            Category.account: (
                "Estou verificando agora a atividade de login e o estado de bloqueio da sua conta.",
                "Assim que confirmarmos que a conta é sua, vou ajudar a recuperar o acesso com segurança, por exemplo com um novo link para redefinir a senha.",
                "Para sua segurança, mantenha a sua senha em sigilo; nunca vamos pedi-la.",
            ),
            Category.outage: (
                "Estou encaminhando isto com prioridade para a nossa equipe técnica para que investigue imediatamente.",
                "Estou verificando o nosso monitoramento e as alterações recentes para entender a dimensão do problema.",
                "Aviso assim que o serviço voltar a funcionar e explico o que aconteceu quando soubermos.",
            ),
            Category.shipping: (
                "Estou verificando os dados de rastreio e o estado mais recente junto da transportadora.",
                "Se a encomenda estiver atrasada ou tiver se perdido no caminho, combino com você o próximo passo, como um reenvio ou outra solução que lhe convenha.",
                "Também estou confirmando se o endereço de entrega do pedido está completo.",
            ),
            Category.hardware: (
                "Estou analisando os dados do seu equipamento e a garantia ou cobertura de serviço aplicável.",
                "Em seguida, vou orientar você em algumas verificações rápidas para identificar a falha; se for um defeito de hardware, vou providenciar o reparo ou a substituição.",
                "Se algum prazo depende deste equipamento, diga-me quando é e vou procurar formas de você continuar trabalhando enquanto isso.",
            ),
            Category.bug: (
                "Estou tentando reproduzir o problema do nosso lado com os detalhes que nos enviou.",
                "Estou passando todas as informações para a nossa equipe técnica, com os passos para reproduzir, para que encontre a causa.",
                "Se puder, envie a mensagem de erro exata ou uma captura de tela e a hora aproximada em que aconteceu; isso ajuda a encontrar a causa mais rápido.",
            ),
            Category.howto: (
                "Estou preparando instruções claras, passo a passo, para exatamente o que pretende fazer.",
                "Se for mais prático, também podemos fazer isso juntos, um passo de cada vez.",
                "Quando estiver funcionando, vou garantir que tenha os passos por escrito para a próxima vez.",
            ),
            Category.general: (
                "Já estou analisando isto, junto com os detalhes que nos enviou.",
                "Se precisar de mais alguma coisa, vou pedir de forma específica para que não tenha de repetir nada.",
            ),
        },
    ),
}

# Titles in front of a name are not a first name ("Dr. Ana Souza" -> "Ana").
_HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "sr", "sra", "srta", "don", "doña"}
    | {"herr", "frau", "m", "mme", "mlle", "dra"}
)
# A helpdesk that sends "[Name]" or "{{name}}" has sent an unfilled template, not a name.
_PLACEHOLDER_CHARS = re.compile(r"[\[\]{}<>]")
# A signature that already closes ("Best regards,\nSam") needs no closing line of ours.
_CLOSING_WORDS = re.compile(
    r"^\s*(?:best|kind|warm|many|regards|cheers|thanks|thank you|sincerely|saludos|un saludo|"
    r"atentamente|cordialmente|viele grüße|freundliche grüße|mit freundlichen|beste grüße|grüße|"
    r"cordialement|bien à vous|bien cordialement|atenciosamente|abraços|um abraço|"
    r"com os melhores)\b",
    re.IGNORECASE,
)
# Pronouns that keep their capital inside a sentence: English "I", German formal "Sie".
_KEEP_CAPITAL = re.compile(r"^(?:I\b|I'|I’|Sie\b|Ihr\b|Ihnen\b)")
_STEPS_BY_CHANNEL = {Channel.email: 3, Channel.other: 3, Channel.chat: 2, Channel.social: 1, Channel.sms: 1}


def phrases_for(language: str) -> Phrases:
    return PHRASES.get(language, PHRASES["en"])


def customer_names(thread: Thread) -> tuple[str, str]:
    """(first name, full name) as safe to print, or ("", "") when unknown or unusable."""
    raw = thread.customer.name or ""
    if "@" in raw or any(ch.isdigit() for ch in raw) or _PLACEHOLDER_CHARS.search(raw):
        return "", ""  # an address, an id or an unfilled template, not a name
    cleaned = " ".join(raw.split())
    if not cleaned or cleaned.casefold() in {"name", "customer", "unknown", "n/a"}:
        return "", ""
    if cleaned.isupper() and len(cleaned) > 3:
        cleaned = cleaned.title()
    words = cleaned.split()
    given = [w for w in words if w.casefold().rstrip(".") not in _HONORIFICS] or words
    return given[0], cleaned


def agent_sign_off(thread: Thread, phrases: Phrases, *, short: bool) -> str:
    """The signature (email), else the agent's name, else the team."""
    agent = thread.agent
    signature = (agent.signature or "").strip()
    if not short and signature:
        return signature
    if agent.name and agent.name.strip():
        return " ".join(agent.name.split())
    if signature:
        return signature.splitlines()[0].strip()
    return phrases.team


def _greeting(thread: Thread, phrases: Phrases, tone: Tone) -> str:
    first, full = customer_names(thread)
    formal = tone is Tone.formal
    if not first:
        return phrases.greeting_anonymous_formal if formal else phrases.greeting_anonymous
    return phrases.greeting_formal.format(name=full) if formal else phrases.greeting.format(name=first)


def _inline_greeting(thread: Thread, phrases: Phrases) -> str:
    first, _ = customer_names(thread)
    return phrases.inline_greeting.format(name=first) if first else phrases.inline_greeting_anonymous


def _continue_sentence(text: str) -> str:
    """`text` following a comma: its first letter lower-cased unless it is a pronoun like "I"."""
    if not text or _KEEP_CAPITAL.match(text):
        return text
    return text[:1].lower() + text[1:]


def _words(text: str) -> int:
    return len(text.split())


@dataclass
class _Parts:
    """The pieces of a reply; optional ones are dropped when a word limit is set."""

    greeting: str
    acknowledgement: str
    restatement: str
    steps: list[str]
    follow_up: str
    sign_off: str


def _fit_words(parts: _Parts, max_words: int | None) -> _Parts:
    """Drop optional pieces (last steps first, then the restatement) until under `max_words`.

    The greeting, the acknowledgement, one step, the follow-up and the sign-off always stay:
    they are what makes the reply empathetic and actionable.
    """
    if max_words is None:
        return parts

    def total() -> int:
        return sum(
            _words(p)
            for p in (
                parts.greeting,
                parts.acknowledgement,
                parts.restatement,
                parts.follow_up,
                parts.sign_off,
            )
        ) + sum(_words(s) for s in parts.steps)

    while total() > max_words and len(parts.steps) > 1:
        parts.steps.pop()
    if total() > max_words:
        parts.restatement = ""
    return parts


def compose_offline(thread: Thread, analysis: ThreadAnalysis) -> str:
    """A complete reply in the customer's language, shaped by our guidelines; deterministic."""
    phrases = phrases_for(analysis.language)
    options = thread.options
    tone = options.tone if options and options.tone else Tone.warm
    channel = thread.channel
    short = channel in (Channel.chat, Channel.sms, Channel.social)

    restatement = restate_issue(analysis)
    if channel is Channel.social:
        restatement = ""  # a public reply should not repeat the customer's details
    elif channel is Channel.sms and len(restatement) > 90:
        restatement = ""  # a text message has room for the essentials only
    steps = list(phrases.steps[analysis.category][: _STEPS_BY_CHANNEL[channel]])
    if channel is Channel.social:
        steps.append(phrases.social_private)
    if analysis.urgent and not short:
        follow_up = phrases.follow_up_urgent
    elif channel is Channel.sms:
        follow_up = phrases.follow_up_sms
    elif short:
        follow_up = phrases.follow_up_chat
    else:
        follow_up = phrases.follow_up_email
    parts = _fit_words(
        _Parts(
            greeting=_inline_greeting(thread, phrases)
            if channel is Channel.sms
            else _greeting(thread, phrases, tone),
            acknowledgement=acknowledgement_for(analysis),
            restatement=restatement,
            steps=steps,
            follow_up=follow_up,
            sign_off=agent_sign_off(thread, phrases, short=short),
        ),
        options.max_words if options else None,
    )
    if channel is Channel.sms:
        return _layout_sms(parts)
    if short:
        return _layout_chat(parts, phrases)
    return _layout_email(parts, phrases, tone)


def _join(*sentences: str) -> str:
    return " ".join(s for s in sentences if s)


def _layout_email(parts: _Parts, phrases: Phrases, tone: Tone) -> str:
    steps = "\n".join(f"- {step}" for step in parts.steps)
    signature = parts.sign_off
    closing = "" if _CLOSING_WORDS.match(signature) else phrases.closing[tone]
    blocks = [
        parts.greeting,
        _join(parts.acknowledgement, parts.restatement),
        f"{phrases.steps_intro}\n{steps}" if len(parts.steps) > 1 else parts.steps[0],
        parts.follow_up,
        f"{closing}\n{signature}" if closing else signature,
    ]
    return "\n\n".join(block for block in blocks if block)


def _layout_chat(parts: _Parts, phrases: Phrases) -> str:
    intro = phrases.steps_intro if len(parts.steps) > 1 else ""
    blocks = [
        parts.greeting,
        _join(parts.acknowledgement, parts.restatement),
        _join(intro, *parts.steps, parts.follow_up),
        f"– {parts.sign_off}",
    ]
    return "\n".join(block for block in blocks if block)


def _layout_sms(parts: _Parts) -> str:
    opening = f"{parts.greeting}, {_continue_sentence(parts.acknowledgement)}"
    return _join(opening, parts.restatement, *parts.steps, parts.follow_up, f"– {parts.sign_off}")
