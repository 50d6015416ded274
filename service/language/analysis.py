"""Reading a thread: what the customer feels, how urgent it is, which language, what the issue is.

A pure function of the thread, shared by the prompt builder, the offline composer and the
guardrails (which raise the bar for an acknowledgement when the customer is upset). Cheap enough to
run on every request: precompiled regular expressions and set look-ups, no model, no I/O. Every
input is capped in length first, so a 100,000-character message costs the same as a short one.

Cue lists cover English, Spanish, German, French, Portuguese, Italian and Dutch. They are
deliberately conservative: a neutral reading only costs a slightly plainer acknowledgement, while a
false "angry" makes a reply sound odd.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from service.language.detect import DETECTED, detect
from service.language.feelings import Feeling, FeelingReading, read_feelings
from service.language.register import Register, read_register, read_variant
from service.language.request import Fact, Span, find_facts, find_request
from service.language.sentences import HEAD_CHARS, TAIL_CHARS, sentence_spans
from service.models import Message, Role, Thread, has_visible_text


class Emotion(StrEnum):
    angry = "angry"
    frustrated = "frustrated"
    anxious = "anxious"
    disappointed = "disappointed"
    confused = "confused"
    neutral = "neutral"


class Category(StrEnum):
    """The kind of situation, which decides the next steps an agent offers."""

    billing = "billing"
    account = "account"
    outage = "outage"
    shipping = "shipping"
    hardware = "hardware"
    bug = "bug"
    howto = "howto"
    general = "general"


@dataclass(frozen=True)
class ThreadAnalysis:
    emotion: Emotion
    urgent: bool
    language: str  # ISO 639-1 code of the customer's language ("en" when unsure)
    issue: str  # the customer's problem in their own words (one sentence, trimmed)
    issue_span: tuple[int, int] | None  # offsets of `issue` inside the last customer message
    injection_markers: list[str] = field(default_factory=list)
    # Added fields (defaults keep older constructors working):
    category: Category = Category.general
    language_source: str = "default"  # "options" | "text" | "locale" | "default"
    # The customer read as a support lead would (service/language/understanding.py); spans point
    # into the newest customer message, thread.messages[message_index].
    feelings: tuple[FeelingReading, ...] = ()
    request: Span | None = None
    facts: tuple[Fact, ...] = ()
    register: Register = Register.unknown
    variant: str | None = None
    message_index: int | None = None
    # What the customer showed before their newest message (their earlier turns and the subject,
    # where a loss is often named: "Closing my late husband's account"): strongest per feeling,
    # without evidence, since those spans would not point into the newest message. The composer
    # fits its opener to the whole thread: a widow's later "any news?" still gets condolence.
    earlier_feelings: tuple[FeelingReading, ...] = ()

    @property
    def upset(self) -> bool:
        return self.emotion is not Emotion.neutral or self.urgent


# --- limits -----------------------------------------------------------------------------------
# Enough text to read the mood and language; bounds the cost on huge threads.
_LAST_CHARS = 4_000
_HISTORY_CHARS = 4_000
_SUBJECT_CHARS = 200
# Customers state the problem early; a wall of text is not searched sentence by sentence.
_ISSUE_MAX_SENTENCES = 40
_LANGUAGE_CHARS = 3_000
_ISSUE_MAX_CHARS = 300
_LINGUA_CONFIDENT = 0.5
# A burst of customer messages is searched for the issue from its newest this many (chat bursts are
# a handful), and injection markers are looked for in the newest _INJECTION_CHARS of customer text
# (what a prompt can show): a thread of 500 one-line messages costs what ten do.
_TURN_MESSAGES = 10
# The issue search splits at most this many characters into sentences over the whole thread (each
# message reads its window of _LAST_CHARS, of which sentence_spans segments ~1,400): ten chat
# lines fit whole, and ten 99,000-character messages cost what four do (pysbd: ~7 us a character).
_ISSUE_SEARCH_CHARS = 6_000
_INJECTION_CHARS = 32_000


def _words(alternation: str) -> re.Pattern[str]:
    """One word-bounded alternation ("a|b c|d"); phrases may contain spaces.

    Cue patterns are written in lower case and run on lower-cased text (see `_fold`): Python's
    case-insensitive matching costs three to four times as much on these long alternations.
    """
    return re.compile(rf"(?<![^\W_])(?:{alternation})(?![^\W_])")


def _fold(text: str) -> str:
    # Curly apostrophes as straight ones, so "can’t" meets the cue "can't".
    return text.lower().replace("’", "'")


def _split(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- emotions ---------------------------------------------------------------------------------
_EMOTION_CUES: dict[Emotion, re.Pattern[str]] = {
    Emotion.angry: _words(
        r"unacceptable|ridiculous|furious|outrage\w*|disgrac\w*|livid|angry|fed up"  # en
        r"|sick (?:and tired )?of|worst (?:service|company|experience|support)"
        r"|absolutely (?:useless|appalling)|appalling|scam|incompetent|upset|unhappy|not happy"
        r"|inaceptable|indignad[oa]s?|furios[oa]s?|harto|harta|vergüenza|estafa|una broma"  # es
        r"|enfadad[oa]s?|enojad[oa]s?|disgustad[oa]s?"
        r"|inakzeptabel|unverschämt\w*|frechheit|wütend|sauer|skandal\w*|zumutung"  # de
        r"|verärgert|unzufrieden"
        r"|inadmissible|inacceptable|furieu(?:x|se)|scandaleu(?:x|se)|honteu(?:x|se)|en colère"  # fr
        r"|arnaque|mécontent(?:e|s|es)?|fâché(?:e|s|es)?"
        r"|inaceitável|absurdo|revoltad[oa]|irritad[oa]|furios[oa]|palhaçada"  # pt
        r"|chatead[oa]s?|aborrecid[oa]s?|insatisfeit[oa]s?|zangad[oa]s?"
        r"|inaccettabile|vergognoso|arrabbiat[oa]|furios[oa]"  # it
        r"|onacceptabel|belachelijk|schandalig|woedend|boos"  # nl
    ),
    Emotion.frustrated: _words(
        r"frustrat\w*|annoy\w*|irritat\w*|(?:once|yet) again|again and again"  # en
        r"|still (?:not|doesn't|does not|isn't|is not|can't|cannot|broken|waiting|no)"
        r"|(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time"
        r"|keeps? (?:crashing|failing|happening|freezing|dropping|disconnecting|asking)"
        r"|nothing works|waste of (?:my )?time|tried everything|over and over"
        r"|frustrad[oa]s?|frustrante|molest[oa]s?|otra vez|de nuevo|sigue sin|todavía no|cansad[oa] de"  # es
        r"|frustriert\w*|frustrierend|genervt|nervt|ärgerlich|schon wieder|immer noch nicht"  # de
        r"|immer wieder"
        r"|frustr\w+|agaç\w+|agac\w+|énerv\w+|encore une fois|toujours pas|à nouveau"  # fr
        r"|frustrad[oa]s?|frustrante|de novo|outra vez|continua sem|ainda não|cansad[oa] de"  # pt
        r"|frustrat[oa]|frustrante|di nuovo|ancora una volta|ancora non"  # it
        r"|gefrustreerd|frustrerend|irritant|alweer|nog steeds niet"  # nl
    ),
    Emotion.anxious: _words(
        r"worr(?:ied|ying|y)|anxious|scared|afraid|nervous|panic\w*|stress(?:ed|ful)?|deadline"  # en
        r"|lost (?:all|my|our|everything)|desperate\w*|concern(?:ed|ing)"
        r"|preocupad[oa]s?|preocupa|nervios[oa]|angustiad[oa]|plazo|fecha límite|desesperad[oa]"  # es
        r"|besorgt|sorgen|beunruhig\w*|angst|panik|frist|abgabe\w*|verzweifelt"  # de
        r"|inquiet|inquiète|inquiétude|angoiss\w+|stress\w*|peur|échéance|date limite|désespér\w+"  # fr
        r"|preocupad[oa]s?|preocupa|ansios[oa]|nervos[oa]|prazo|desesperad[oa]"  # pt
        r"|preoccupat[oa]|ansia|scadenza"  # it
        r"|bezorgd|ongerust|deadline|paniek"  # nl
    ),
    Emotion.disappointed: _words(
        r"disappoint\w*|let down|expected (?:better|more)|shame|such a pity"  # en
        r"|decepcionad[oa]s?|decepción|esperaba más"  # es
        r"|enttäuscht|enttäuschung|enttäuschend"  # de
        r"|déçu(?:e|s|es)?|décevant\w*|déception"  # fr
        r"|decepcionad[oa]s?|desapontad[oa]s?|decepção"  # pt
        r"|delus[oa]|deludente"  # it
        r"|teleurgesteld|teleurstellend"  # nl
    ),
    Emotion.confused: _words(
        r"confus\w*|(?:don't|do not|can't|cannot) (?:understand|figure out|work out|find)"  # en
        r"|not sure (?:how|what|where|why|if)|unclear|no idea (?:how|what|where|why)"
        r"|makes no sense|lost as to"
        r"|no entiendo|no sé cómo|confundid[oa]|confuso"  # es
        r"|verstehe (?:ich )?nicht|verwirr\w+|unklar|weiß nicht,? wie"  # de
        r"|(?:je )?ne comprends pas|confus(?:e)?|je ne sais pas comment"  # fr
        r"|não entendo|não sei como|confus[oa]"  # pt
        r"|non capisco|non so come|confus[oa]"  # it
        r"|begrijp (?:het )?niet|verward|onduidelijk"  # nl
    ),
}

# A shouted word: four or more capitals. Three such words read as raised voice, not as acronyms.
_SHOUTED = re.compile(r"\b[A-ZÄÖÜÉÈÀÁÍÓÚÑÇ]{4,}\b")
_EXCLAIMED = re.compile(r"!{2,}")

# --- urgency ----------------------------------------------------------------------------------
_URGENCY = _words(
    r"urgent\w*|asap|a\.s\.a\.p|immediately|right (?:now|away)|emergency|critical"  # en
    r"|(?:production|prod|site|service|system|server|platform|everything|app|website)"
    r" (?:is |are )?(?:down|offline)"
    r"|outage|(?:can't|cannot|can not|unable to) work"
    r"|(?:by|before) (?:end of )?(?:today|tonight|tomorrow|the end of the day|eod|noon)"
    r"|within the hour|in (?:an|one|two|three|\d+) hours?"
    r"|losing (?:money|customers|sales|revenue)|deadline (?:is )?(?:today|tomorrow|tonight)"
    r"|need\w* (?:\w+ ){0,4}(?:today|tonight|this morning|this afternoon|before noon)"
    r"|urgente|urgencia|inmediatamente|cuanto antes|lo antes posible|ahora mismo"  # es
    r"|(?:está|esta) caíd[oa]"
    r"|dringend\w*|sofort|umgehend|schnellstmöglich|so schnell wie möglich|notfall|ausgefallen"  # de
    r"|urgence|immédiatement|au plus vite|dès que possible|tout de suite"  # fr
    r"|urgente|urgência|imediatamente|o quanto antes|o mais rápido possível|fora do ar"  # pt
    r"|urgente|subito|immediatamente|al più presto"  # it
    r"|dringend|spoed\w*|onmiddellijk|zo snel mogelijk"  # nl
)
# Said not to be urgent: removed before the urgency cues are looked for.
_NOT_URGENT = _words(
    r"(?:it's |it is |this is )?not (?:urgent|critical|an emergency)|no (?:rush|hurry)"
    r"|whenever you (?:can|get a chance|have time)|no es urgente|sin prisa|nicht dringend"
    r"|keine eile|(?:ce n'est )?pas urgent|rien ne presse|não é urgente|sem pressa|non è urgente"
    r"|niet dringend|geen haast"
)

# --- language ---------------------------------------------------------------------------------
# Frequent function words per language. Words shared by several languages count for each of
# them with a smaller weight (see _LANGUAGE_WEIGHTS), so the distinctive ones decide.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _split(
        "the and is are was were my i you it not to of for with this that have has had can "
        "don't can't doesn't didn't i'm i've it's what when how please but from they we our be "
        "been would could there at on your will just an or if any all do does did get got "
        "still since after before about which who would should thanks thank hi hello"
    ),
    "es": _split(
        "el la los las y es mi mis no de que para con por una un pero muy está están estoy se "
        "lo del al como más me su sus ya hay tengo también cuando porque desde hace esto este "
        "esta nos ha han he sin sobre hola gracias favor puedo nada sido fue todavía ahora "
        "pedido cuenta ayuda"
    ),
    "de": _split(
        "der die das und ist mein meine nicht ich sie mit für ein eine einen auch aber bitte "
        "es zu den dem des auf wir uns unser hat habe haben wird kann noch schon seit wie was "
        "wenn dass nach bei von vom zum zur im sind keine kein mir mich ihr hallo danke leider "
        "immer heute gestern geht funktioniert"
    ),
    "fr": _split(
        "le la les et est mon ma mes ne pas je vous de pour avec une un mais très des du au "
        "aux ce cette qui que sur dans nous notre votre il elle sont ai avons avez j qu n c "
        "depuis toujours encore bonjour merci plus rien peux été fait ça"
    ),
    "pt": _split(
        "o a os as e é meu minha não de que para com uma um mas muito está estou do da dos "
        "das no na em ao se eu você vocês seu sua já foi tem tenho isso este esta nós nosso "
        "obrigado obrigada olá porque quando ainda consigo também pedido conta ajuda"
    ),
    "it": _split(
        "il lo la gli le e è mio mia non di che per con una un ma molto sono ho abbiamo del "
        "della dei nel nella al alla questo questa ci mi ti si anche ancora perché quando "
        "grazie buongiorno ciao posso può vostro nostro ordine"
    ),
    "nl": _split(
        "de het een en is mijn niet ik u je jij met voor van op te dat die dit maar ook nog "
        "wel geen zijn heb hebben kan kunnen wordt worden naar bij om als er we wij ons onze "
        "uw hallo bedankt graag al sinds"
    ),
}


def _language_weights(profiles: dict[str, frozenset[str]]) -> dict[str, tuple[tuple[str, float], ...]]:
    owners: dict[str, list[str]] = {}
    for lang, words in profiles.items():
        for word in words:
            owners.setdefault(word, []).append(lang)
    return {word: tuple((lang, 1.0 / len(langs)) for lang in langs) for word, langs in owners.items()}


_LANGUAGE_WEIGHTS = _language_weights(_STOPWORDS)
SUPPORTED_DETECTION = frozenset(_STOPWORDS)

# Letters that only some of the languages use: a small nudge, never the deciding vote alone.
_LETTER_HINTS: tuple[tuple[re.Pattern[str], str, float], ...] = (
    (re.compile(r"[ñ¿¡]"), "es", 1.0),
    (re.compile(r"[ßäöü]"), "de", 1.0),
    (re.compile(r"[œêèëîïûù]"), "fr", 0.5),
    (re.compile(r"[ãõ]"), "pt", 1.0),
    (re.compile(r"\bij"), "nl", 0.5),
)
# The hints an ASCII text can show (str.isascii() is free: CPython keeps it as a flag).
_ASCII_LETTER_HINTS = tuple(hint for hint in _LETTER_HINTS if hint[0].pattern.isascii())

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_APOSTROPHE = str.maketrans({"’": "'"})

_LANGUAGE_NAMES = {
    "english": "en",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "castellano": "es",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "portuguese": "pt",
    "português": "pt",
    "portugues": "pt",
    "italian": "it",
    "italiano": "it",
    "dutch": "nl",
    "nederlands": "nl",
}
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")

# --- issue ------------------------------------------------------------------------------------
# A sentence ends at .!? followed by whitespace or the end ("49.99" and "example.com" do not end
# one), or at a line break.
_PROBLEM = _words(
    r"can't|cannot|can not|couldn't|won't|doesn't|does not|didn't|isn't|is not|aren't|haven't"  # en
    r"|hasn't|not (?:working|loading|arrived|received|connecting|printing|responding)|unable"
    r"|broken|error\w*|fail\w*|crash\w*|lost|missing|charged|double|twice|refund|late|delay\w*"
    r"|locked|down|stuck|wrong|damaged|problem|issue|bug|freez\w*|disconnect\w*|dead|jam(?:med|s)?"
    r"|keeps? (?:saying|showing|telling|asking|giving)|still (?:no|not|\w+ing)|no sign of"
    r"|never (?:arrived|arrives|came|comes|got|received)|not be able"
    r"|(?:não|no) imprime|druckt nicht|n'imprime (?:plus|pas)|non stampa"
    r"|no puedo|no funciona|no me|no ha llegado|no llega|error|falla\w*|problema|cobr\w+"  # es
    r"|bloquead[oa]|retras\w+"
    r"|kann nicht|kann ich nicht|funktioniert nicht|geht nicht|nicht angekommen|fehler\w*"  # de
    r"|problem\w*|abgebucht|gesperrt|verspät\w+|kaputt|defekt"
    r"|ne fonctionne|ne marche|je ne peux|impossible|erreur|probl[èe]me|bloqu[ée]e?|débité\w*"  # fr
    r"|prélev\w+|retard|pas reçu|en panne"
    r"|não consigo|não funciona|não chegou|erro|falha|problema|cobrad[oa]|cobran\w+|bloquead[oa]"  # pt
    r"|atras\w+"
    r"|non riesco|non funziona|errore|problema|addebitat[oa]|bloccat[oa]"  # it
    r"|kan niet|werkt niet|fout|probleem|geblokkeerd|vertraag\w*"  # nl
)
_HOWTO = _words(
    r"how (?:do|can|should|would) (?:i|we)|how to|is (?:there|it) (?:a way|possible)"
    r"|where (?:can|do) (?:i|we) (?:find|see|change|set)|what(?:'s| is) the (?:best )?way"
    r"|¿?cómo (?:puedo|se|hago|podemos)|es posible|wie kann (?:ich|man)|gibt es eine möglichkeit"
    r"|ist es möglich|comment (?:puis-je|faire|peut-on|est-ce)|est-il possible"
    r"|como (?:posso|faço|fazer|podemos)|é possível|come (?:posso|si fa)|è possibile|hoe kan ik"
    r"|is het mogelijk"
)
# A sentence that only greets, thanks or signs off: never the issue.
_SMALL_TALK = re.compile(
    r"^\W*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings|hola|buen[oa]s? "
    r"(?:días|dias|tardes|noches)|estimad[oa]s?|hallo|guten (?:tag|morgen|abend)|sehr geehrte\w*|"
    r"liebe[rs]?|moin|bonjour|bonsoir|madame|monsieur|olá|ola|oi|bom dia|boa (?:tarde|noite)|"
    r"prezad[oa]s?|ciao|buongiorno|salve|gentile|goedemorgen|goedemiddag|beste|thanks?(?: you)?|"
    r"many thanks|cheers|regards|best(?: regards| wishes)?|kind regards|sincerely|gracias|"
    r"saludos|un saludo|atentamente|danke|vielen dank|mit freundlichen grüßen|viele grüße|grüße|"
    r"merci|cordialement|bien à vous|obrigad[oa]|atenciosamente|abraços|grazie|cordiali saluti|"
    r"bedankt|met vriendelijke groet|groeten|i hope (?:you(?:'re| are)|this finds)|"
    r"hope (?:you(?:'re| are)|all is)|espero que)\b[^.!?\n]{0,40}[.!?,:]*\s*$",
    re.IGNORECASE,
)
# "Hi Sam, ..." / "Hola equipo: ...": the greeting in front of the first sentence is not the issue.
_LEADING_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|hola|buen[oa]s? (?:días|dias|tardes)|"
    r"hallo|guten (?:tag|morgen)|bonjour|bonsoir|olá|ola|oi|bom dia|boa tarde|ciao|buongiorno|"
    r"salve|goedemorgen|goedemiddag|beste)(?:\s+[^\s,!.:;]+){0,3}\s*[,!:;]+\s+",
    re.IGNORECASE,
)
# "@ExampleShop two weeks and ...": handles in front of a social post.
_MENTIONS = re.compile(r"^(?:@\w+[\s,:]*)+")
# "URGENT: ...", "Re: ...": a label, not part of the issue.
_LABEL = re.compile(
    r"^(?:urgent|important|help|asap|re|fwd?|aw|wg|tr|rv|urgente|dringend|wichtig)\s*[:!\-–]+\s*",
    re.IGNORECASE,
)
# Where quoted history or a signature starts, the customer's new text ends.
_QUOTE_START = re.compile(
    r"^(?:>|-- ?$|_{5,}|-{5,}|On .{5,80} wrote:|El .{5,80} escribió:|Am .{5,80} schrieb .{0,60}:|"
    r"Le .{5,80} a écrit ?:|Em .{5,80} escreveu:|Sent from my )",
    re.MULTILINE,
)

# --- injection --------------------------------------------------------------------------------
_INJECTION = re.compile(
    r"(ignore (?:all |any |the |your )?(?:previous|prior|above|earlier|preceding) (?:instructions|"
    r"prompts?|rules|messages)"
    r"|disregard (?:all |any |the |your )?.{0,20}(?:instructions|rules|guidelines)"
    r"|forget (?:all |everything|your) .{0,20}(?:instructions|rules|told)"
    r"|(?:reveal|print|show|repeat|output) (?:me )?(?:your |the )?(?:system )?(?:prompt|instructions)"
    r"|system prompt|you are now|new instructions\s*:|act as (?:an? )?(?:admin|developer|system)"
    r"|developer mode|jailbreak"
    r"|</?(?:system|assistant|user|instructions?)>|<\|im_(?:start|end)\|>|\[/?inst\]|^#{2,} ?system"
    r"|ignora (?:todas )?las instrucciones|olvida (?:todas )?las instrucciones"
    r"|ignoriere? (?:alle )?(?:vorherigen |bisherigen )?anweisungen"
    r"|ignore[rz]? (?:toutes )?les instructions|oublie[rz]? (?:toutes )?les instructions"
    r"|ignore (?:todas )?as instruções|esqueça (?:todas )?as instruções"
    r"|ignora (?:tutte )?le istruzioni|negeer (?:alle )?(?:vorige )?instructies)",
    re.MULTILINE,  # lower-case pattern, run on lower-cased text like the cues
)

# --- categories -------------------------------------------------------------------------------
# Order matters on ties: the more specific situation first.
_CATEGORY_CUES: dict[Category, re.Pattern[str]] = {
    Category.outage: _words(
        r"outage|(?:is|are|went|goes|seems) down|down for (?:everyone|all)"
        r"|service (?:is )?unavailable|not loading|(?:50[0234]|bad gateway|gateway timeout)"
        r"|nobody (?:can|in)|(?:all|none of) (?:our |the )?(?:users|staff|team|employees)"
        r"|whole (?:team|company|office)|caíd[oa]|sin servicio|no carga|ausfall|ausgefallen"
        r"|nicht erreichbar|panne|hors service|indisponible|inaccessible|fora do ar|indisponível"
        r"|non disponibile|storing|onbereikbaar"
    ),
    Category.billing: _words(
        r"invoice\w*|charged?|charges|billing|billed|refund\w*|payment\w*|paid|subscription"
        r"|credit card|receipt|overcharged|factura\w*|cobr\w+|cargo|reembols\w+|pago|suscripción"
        r"|rechnung\w*|abbuchung\w*|abgebucht|erstattung|zahlung\w*|lastschrift|abonnement"
        r"|facture\w*|prélèvement\w*|prélevé\w*|débité\w*|remboursement|paiement|fatura\w*"
        r"|cobrança\w*|pagamento|assinatura|fattura|addebit\w*|rimborso|factuur|afschrijving"
        r"|terugbetaling"
    ),
    Category.account: _words(
        r"log ?in|log(?:ged)? (?:in|out)|sign(?:ed)? ?in|password|locked(?: out)?|lockout|2fa"
        r"|two.factor|mfa|verification code|reset link|access (?:to )?my account|contraseña"
        r"|iniciar sesión|bloquead[oa]|passwort|kennwort|anmeld\w+|gesperrt|mot de passe"
        r"|(?:me )?connecter|identifiant|bloqu[ée]e?|senha|acessar (?:a )?(?:minha )?conta"
        r"|accedere|accesso|wachtwoord|inloggen"
    ),
    Category.shipping: _words(
        r"parcel|package|deliver\w*|shipping|shipment|shipped|tracking|courier|dispatch\w*"
        r"|no sign of (?:my|the|our) (?:order|parcel|package)|(?:my|our) order"
        r"|(?:order|parcel|package) (?:has(?:n't| not)|hasn't|never) (?:arrived|come)|paquete"
        r"|envío|entrega|seguimiento|paket|lieferung|sendung\w*|versand|zugestellt|colis"
        r"|livraison|livré\w*|encomenda|pacote|envio|rastreio|spedizione|pacco|pakket|bezorging"
        r"|levering"
    ),
    Category.hardware: _words(
        r"laptop|notebook|printer|screen|keyboard|battery|monitor|docking(?: station)?|charger"
        r"|hard (?:drive|disk)|ssd|paper jam|toner|tray \d"
        r"|(?:won't|doesn't|does not|will not) (?:turn on|boot|start|power on|charge)"
        r"|blue ?screen|portátil|impresora|pantalla|batería|drucker|bildschirm|akku|tastatur"
        r"|imprimante|écran|batterie|ordinateur|impressora|tela|bateria|stampante|schermo|printer"
        r"|scherm"
    ),
    Category.bug: _words(
        r"error\w*|bug|crash\w*|exception|broken|glitch"
        r"|(?:doesn't|does not|isn't|is not|stopped) work\w*|not working|fails?|failing|vpn"
        r"|sync\w*|freez\w*|upload\w*|import\w*|migrat\w*|no funciona|falla|fehler\w*|absturz"
        r"|stürzt|funktioniert nicht|erreur"
        r"|plant(?:e|é)|ne fonctionne|erro|falha|trava|errore|non funziona|werkt niet|fout\w*"
    ),
}


# --- functions --------------------------------------------------------------------------------


def normalise_language(tag: str) -> str:
    """An ISO 639-1 code from a BCP 47 tag ("pt-BR" -> "pt") or a language name ("Deutsch")."""
    cleaned = tag.strip()
    named = _LANGUAGE_NAMES.get(cleaned.casefold())
    if named:
        return named
    if _LANGUAGE_TAG.match(cleaned):
        return re.split(r"[-_]", cleaned, maxsplit=1)[0].lower()
    return cleaned.lower()


def language_scores(text: str) -> dict[str, float]:
    """Weighted stop-word hits per language over the first few thousand characters."""
    sample = text[:_LANGUAGE_CHARS].translate(_APOSTROPHE).casefold()
    scores = dict.fromkeys(_STOPWORDS, 0.0)
    for word in _WORD.findall(sample):
        # Contractions count whole ("can't") and, for French elisions ("j'ai"), by their parts.
        for token in (word, *word.split("'")) if "'" in word else (word,):
            for lang, weight in _LANGUAGE_WEIGHTS.get(token, ()):
                scores[lang] += weight
    for pattern, lang, weight in _LETTER_HINTS if not sample.isascii() else _ASCII_LETTER_HINTS:
        if pattern.search(sample):
            scores[lang] += weight
    return scores


def detect_language_confident(text: str) -> tuple[str, bool]:
    """The likeliest language and whether the text says so clearly (English when unsure)."""
    return _likeliest(language_scores(text))


def _likeliest(scores: dict[str, float]) -> tuple[str, bool]:
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < 1.0:
        return "en", False
    # Clear when the best language has a few hits and well ahead of the runner-up.
    confident = top >= 2.5 and top >= 1.6 * second
    return best, confident


def detect_language(text: str) -> str:
    """Guess the language from stop-word counts; English when nothing stands out."""
    return detect_language_confident(text)[0]


def _count(pattern: re.Pattern[str], text: str) -> int:
    # findall builds its list in C; counting a finditer in Python was the analysis' hottest line.
    return len(pattern.findall(text))


def detect_emotion(text: str, history: str = "") -> Emotion:
    """The strongest feeling expressed; `text` (the newest message) counts double over `history`."""
    text = text[:_LAST_CHARS]
    folded, history = _fold(text), _fold(history[-_HISTORY_CHARS:])
    hits: dict[Emotion, float] = {
        emotion: 2.0 * _count(pattern, folded) + (_count(pattern, history) if history else 0)
        for emotion, pattern in _EMOTION_CUES.items()
    }
    if _EXCLAIMED.search(text) or text.count("!") >= 3:
        hits[Emotion.frustrated] += 1.0
    if len(_SHOUTED.findall(text)) >= 3:
        hits[Emotion.angry] += 3.0  # a raised voice outweighs the words it is shouted in
    # max() keeps the first of equal scores: the declaration order is the precedence on ties.
    best = max(hits, key=lambda emotion: hits[emotion])
    return best if hits[best] > 0 else Emotion.neutral


def upset_cue_span(text: str) -> tuple[int, int] | None:
    """Where `text` first shows emotion or urgency (offsets into `text`), for explaining a finding.

    The same cues as detect_emotion and detect_urgency; None when none is found or when folding
    the case would move offsets (a few exotic letters), since a wrong span is worse than none.
    """
    sample = text[:_LAST_CHARS]
    folded = _fold(sample)
    if len(folded) != len(sample):
        return None
    found = [m.span() for p in (*_EMOTION_CUES.values(), _URGENCY) if (m := p.search(folded))]
    shouted = _SHOUTED.search(sample)
    if shouted and len(_SHOUTED.findall(sample)) >= 3:
        found.append(shouted.span())
    return min(found) if found else None


def detect_urgency(text: str) -> bool:
    cleaned = _NOT_URGENT.sub(" ", _fold(text[:_LAST_CHARS]))
    return bool(_URGENCY.search(cleaned))


def detect_category(text: str) -> Category:
    """The situation behind the message, from keyword hits; how-to only when nothing is broken."""
    sample = _fold(text[:_LAST_CHARS])
    if _HOWTO.search(sample) and not _PROBLEM.search(sample):
        return Category.howto
    scores = {category: _count(pattern, sample) for category, pattern in _CATEGORY_CUES.items()}
    best = max(scores, key=lambda category: scores[category])
    if scores[best] > 0:
        return best
    return Category.howto if _HOWTO.search(sample) else Category.general


def new_text_end(text: str) -> int:
    """Where the customer's own words stop: before quoted history or a signature."""
    match = _QUOTE_START.search(text, 0, _LAST_CHARS)
    return match.start() if match else len(text)


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    # Bullets and dashes at the start of a line are layout, not words.
    while start < end and text[start] in "-*•–—·":
        start += 1
        while start < end and text[start].isspace():
            start += 1
    return start, end


def _cap_span(text: str, start: int, end: int) -> tuple[int, int]:
    """At most _ISSUE_MAX_CHARS, cut at a clause or word boundary."""
    if end - start <= _ISSUE_MAX_CHARS:
        return start, end
    window = text[start : start + _ISSUE_MAX_CHARS]
    for sep in (";", ",", " - ", " "):
        cut = window.rfind(sep)
        if cut > _ISSUE_MAX_CHARS // 3:
            return start, start + cut
    return start, start + _ISSUE_MAX_CHARS


def _best_sentence(text: str, language: str = "en") -> tuple[float, int, int] | None:
    """(score, start, end) of the sentence that names the problem most clearly."""
    limit = min(new_text_end(text), _LAST_CHARS) or min(len(text), _LAST_CHARS)
    best: tuple[float, int, int] | None = None
    # pysbd keeps "1. März", "Jan. 3" and "Dr. Smith" inside their sentence.
    for count, (raw_start, raw_end) in enumerate(sentence_spans(text[:limit], language)):
        if count >= _ISSUE_MAX_SENTENCES:
            break
        start, end = _trim_span(text, raw_start, raw_end)
        for prefix in (_MENTIONS, _LEADING_GREETING, _LABEL):
            found = prefix.match(text, start, end)
            if found and found.end() < end:
                start = found.end()
        sentence = text[start:end]
        if not any(ch.isalpha() for ch in sentence) or _SMALL_TALK.match(sentence):
            continue
        folded = _fold(sentence)
        if _INJECTION.search(folded):
            continue  # text aimed at the model is never the customer's issue
        # Presence matters more than repetition: a long rambling sentence must not win on length.
        score = 2.0 * min(_count(_PROBLEM, folded), 2)
        score += sum(1 for pattern in _CATEGORY_CUES.values() if pattern.search(folded))
        if sentence.endswith("?") or _HOWTO.search(folded):
            score += 1.0
        # Highest score wins; the earliest sentence on ties (customers tend to lead with it).
        if best is None or score > best[0]:
            best = (score, start, end)
    return best


def find_issue(text: str, language: str = "en") -> tuple[str, tuple[int, int] | None]:
    """The sentence that names the problem most clearly, else the first sentence with content.

    Sentences are scored by problem cues (twice), situation keywords and question marks; greetings,
    thanks and sign-offs never count, and quoted history is skipped. Offsets point into `text`.
    """
    best = _best_sentence(text, language)
    if best is None:
        start, end = _trim_span(text, 0, min(len(text), _ISSUE_MAX_CHARS))
        if start >= end:
            return "", None
    else:
        _, start, end = best
    start, end = _cap_span(text, start, end)
    return text[start:end], (start, end)


def _current_turn(thread: Thread) -> list[Message]:
    """The customer messages since the last agent reply (chat customers write in bursts)."""
    turn: list[Message] = []
    for message in reversed(thread.messages):
        if message.role is Role.agent and turn:
            break
        if message.role is Role.customer and has_visible_text(message.body):
            turn.append(message)
    turn.reverse()
    return turn


def _searched_chars(message: Message) -> int:
    """What _best_sentence segments of ``message``: its window, cut to sentence_spans' head and tail."""
    return min(len(message.body), _LAST_CHARS, HEAD_CHARS + TAIL_CHARS)


def _within(messages: list[Message], budget: int) -> list[Message]:
    """The newest of ``messages`` (kept in their order) whose searched windows add up to at most
    ``budget`` characters; with any budget left, at least the newest."""
    kept: list[Message] = []
    for message in reversed(messages):
        cost = _searched_chars(message)
        if budget <= 0 or (kept and cost > budget):
            break
        kept.append(message)
        budget -= cost
    kept.reverse()
    return kept


def _issue_for(thread: Thread, language: str = "en") -> tuple[str, tuple[int, int] | None]:
    """The issue, preferably from the newest customer message.

    The customer's current turn (their messages since our last reply) is searched, the earliest
    best sentence winning; when the turn only chases ("Any news?"), the newest earlier customer
    message that names a problem is used. The span points into the last customer message, so it
    is None when the issue comes from another message.
    """
    customer = thread.customer_messages()
    last = customer[-1]
    best: tuple[float, Message, int, int] | None = None
    turn = _within(_current_turn(thread)[-_TURN_MESSAGES:], _ISSUE_SEARCH_CHARS)
    for message in turn:
        found = _best_sentence(message.body, language)
        if found is not None and (best is None or found[0] > best[0]):
            best = (found[0], message, found[1], found[2])
    if best is None or best[0] < 2.0:
        left = _ISSUE_SEARCH_CHARS - sum(map(_searched_chars, turn))
        for message in reversed(_within(customer[-6:-1], left)):
            found = _best_sentence(message.body, language)
            if found is not None and found[0] >= 2.0:
                best = (found[0], message, found[1], found[2])
                break
    if best is None:
        return find_issue(last.body, language)
    _, message, start, end = best
    start, end = _cap_span(message.body, start, end)
    return message.body[start:end], ((start, end) if message is last else None)


def find_injection_markers(texts: Iterable[str]) -> list[str]:
    """The phrases in `texts` that address the model rather than us, as written by the customer."""
    markers: list[str] = []
    for text in texts:
        folded = _fold(text)
        # Lower-casing keeps offsets for all but a few exotic letters; then report the folded form.
        source = text if len(folded) == len(text) else folded
        markers.extend(source[m.start() : m.end()].strip() for m in _INJECTION.finditer(folded))
    return markers


def _choose_language(thread: Thread, newest: str, customer_recent: str) -> tuple[str, str]:
    """(language, source) for a thread: its option, else what `choose_language` reads."""
    if thread.options and thread.options.language:
        return normalise_language(thread.options.language), "options"
    return choose_language(newest, customer_recent, thread.customer.locale)


def choose_language(newest: str, customer_recent: str, locale: str | None = None) -> tuple[str, str]:
    """(language, source): clear customer text beats the locale; then locale; then text.

    The newest customer message decides when it is clear on its own (customers switch language);
    otherwise the recent customer messages together. One picker for the thread analysis and for
    a single message (understanding.read_message), so both read the same language.
    """
    scores = language_scores(newest)
    detected, confident = _likeliest(scores)
    if not confident:
        scores = language_scores(customer_recent)
        detected, confident = _likeliest(scores)
    # lingua decides among our five languages; the stop-word profile keeps Italian and Dutch.
    if not (confident and detected not in DETECTED):
        found = detect(newest) or detect(customer_recent)
        if found is not None and found[1] >= _LINGUA_CONFIDENT and _plausible(found[0], scores, confident):
            detected, confident = found[0], True
    tag = normalise_language(locale) if locale else ""
    if confident:
        return detected, "text"
    if tag:
        return tag, "locale"
    if detected != "en" or language_scores(customer_recent)["en"] > 0:
        return detected, "text"
    return "en", "default"


def _plausible(lingua_pick: str, scores: dict[str, float], stop_words_clear: bool) -> bool:
    """Whether lingua may overrule a clear stop-word reading (`scores`) of the customer's text.

    lingua is better at telling close languages apart (es/pt, a few words), but on a short line
    of names and product words it can be sure of a language the text has not one function word
    of ("it's the Cardilog KwikPen x5 + the pen needles" read as French). When the
    stop words are clear, lingua's pick must have at least a third of their best score.
    """
    if not stop_words_clear:
        return True
    return scores.get(lingua_pick, 0.0) >= max(scores.values()) / 3


def _newest_text(messages: list[Message], limit: int) -> str:
    """The newest messages' own words (quoted history cut), newest first, up to `limit` chars."""
    parts: list[str] = []
    size = 0
    for message in reversed(messages):
        body = message.body[: new_text_end(message.body) or len(message.body)]
        parts.append(body[: limit - size])
        size += len(parts[-1])
        if size >= limit:
            break
    return "\n".join(parts)


def _newest(messages: list[Message], chars: int) -> list[Message]:
    """The newest messages whose bodies (each read to _LAST_CHARS) add up to ``chars``; at least one."""
    kept: list[Message] = []
    size = 0
    for message in reversed(messages):
        if kept and size >= chars:
            break
        kept.append(message)
        size += min(len(message.body), _LAST_CHARS)
    kept.reverse()
    return kept


def analyse_thread(thread: Thread) -> ThreadAnalysis:
    customer = thread.customer_messages()
    turn_messages = _current_turn(thread)
    turn_ids = {id(m) for m in turn_messages}
    # The current turn sets the mood; earlier customer messages count too, but half as much.
    turn = _newest_text(turn_messages, _LAST_CHARS)
    history = _newest_text([m for m in customer if id(m) not in turn_ids], _HISTORY_CHARS)
    language, source = _choose_language(
        thread, _newest_text(customer[-1:], _LANGUAGE_CHARS), _newest_text(customer, _LANGUAGE_CHARS)
    )
    subject = thread.subject or ""
    issue, span = _issue_for(thread, language)
    last = customer[-1]
    own = last.body[: new_text_end(last.body) or len(last.body)]
    feelings = tuple(read_feelings(own, language))
    earlier = _earlier_feelings(subject, [m for m in customer if m is not last], language)
    # The guardrails' acknowledgement bar keeps its own calibrated reading (emotion, urgent; see
    # docs/decisions.md); the feelings drive the prompt, the composer and DraftResult.analysis.
    emotion = detect_emotion(turn, history)
    urgent = detect_urgency(f"{subject}\n{turn}")
    return ThreadAnalysis(
        emotion=emotion,
        urgent=urgent,
        language=language,
        issue=issue,
        issue_span=span,
        injection_markers=find_injection_markers(
            m.body[:_LAST_CHARS] for m in _newest(customer, _INJECTION_CHARS)
        ),
        # The subject is the customer's own summary: it counts twice.
        category=detect_category(f"{subject}\n{subject}\n{turn}\n{issue if span is None else ''}"),
        language_source=source,
        feelings=feelings,
        request=find_request(own, language),
        facts=tuple(find_facts(own, language)),
        register=read_register(own, language).register,
        variant=read_variant(own, language, thread.customer.locale),
        message_index=next(i for i, m in enumerate(thread.messages) if m is last),
        earlier_feelings=earlier,
    )


def _earlier_feelings(subject: str, earlier: list[Message], language: str) -> tuple[FeelingReading, ...]:
    """The feelings of the subject and the earlier customer messages (newest first, to
    _HISTORY_CHARS), strongest per feeling. Each text is read on its own: a cue never spans two."""
    texts = [subject[:_SUBJECT_CHARS]] if subject.strip() else []
    size = 0
    for message in reversed(earlier):
        if size >= _HISTORY_CHARS:
            break
        body = message.body[: new_text_end(message.body) or len(message.body)][: _HISTORY_CHARS - size]
        texts.append(body)
        size += len(body)
    strongest: dict[Feeling, int] = {}
    for text in texts:
        for reading in read_feelings(text, language):
            strongest[reading.feeling] = max(strongest.get(reading.feeling, 0), reading.intensity)
    return tuple(FeelingReading(feeling, level, ()) for feeling, level in strongest.items())
