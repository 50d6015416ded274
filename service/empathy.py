"""The phrasebook of acknowledgements: one sentence that shows the customer they were heard.

Used by the offline composer (to open a reply) and by the guardrail repair (to prepend when a draft
forgot to acknowledge the customer), so both speak with one voice. The wording follows the seed
guidelines "acknowledge the feeling in your own words" and "restate the problem": it names the
feeling that fits the detected emotion and then the customer's issue.
"""

from __future__ import annotations

from service.analysis import Emotion, ThreadAnalysis

# {issue} is the customer's issue, lower-cased at the start, without its final punctuation.
_ACK: dict[str, dict[Emotion, str]] = {
    "en": {
        Emotion.angry: "I completely understand why you are upset, and I'm sorry this has happened.",
        Emotion.frustrated: "I understand how frustrating this must be, and I'm sorry for the trouble.",
        Emotion.anxious: "I understand how worrying this is, and I want to help you sort it out quickly.",
        Emotion.disappointed: "I'm sorry we let you down here; I understand your disappointment.",
        Emotion.confused: "I understand this has been confusing, and I'm happy to walk you through it.",
        Emotion.neutral: "Thank you for letting us know, and I understand why you are asking about this.",
    },
    "es": {
        Emotion.angry: "Entiendo perfectamente su molestia y lamento mucho lo sucedido.",
        Emotion.frustrated: "Entiendo lo frustrante que debe ser esto y lamento las molestias.",
        Emotion.anxious: "Entiendo lo preocupante que es esto y quiero ayudarle a resolverlo pronto.",
        Emotion.disappointed: "Lamento haberle decepcionado; entiendo su desilusión.",
        Emotion.confused: "Entiendo que esto ha sido confuso y con gusto le guío paso a paso.",
        Emotion.neutral: "Gracias por avisarnos; entiendo por qué nos consulta sobre esto.",
    },
    "de": {
        Emotion.angry: "Ich verstehe vollkommen, dass Sie verärgert sind, und es tut mir leid, dass das passiert ist.",
        Emotion.frustrated: "Ich verstehe, wie frustrierend das sein muss, und entschuldige mich für die Umstände.",
        Emotion.anxious: "Ich verstehe, wie beunruhigend das ist, und möchte Ihnen schnell helfen.",
        Emotion.disappointed: "Es tut mir leid, dass wir Sie enttäuscht haben; ich verstehe Ihre Enttäuschung.",
        Emotion.confused: "Ich verstehe, dass das verwirrend war, und erkläre es Ihnen gern Schritt für Schritt.",
        Emotion.neutral: "Vielen Dank für Ihre Nachricht; ich verstehe, warum Sie danach fragen.",
    },
    "fr": {
        Emotion.angry: "Je comprends tout à fait votre mécontentement et je suis désolé que cela soit arrivé.",
        Emotion.frustrated: "Je comprends à quel point c'est frustrant et je suis désolé pour ce désagrément.",
        Emotion.anxious: "Je comprends à quel point c'est inquiétant et je veux vous aider rapidement.",
        Emotion.disappointed: "Je suis désolé de vous avoir déçu ; je comprends votre déception.",
        Emotion.confused: "Je comprends que cela ait été déroutant et je vous guide volontiers pas à pas.",
        Emotion.neutral: "Merci de nous avoir prévenus ; je comprends pourquoi vous posez la question.",
    },
    "pt": {
        Emotion.angry: "Entendo perfeitamente a sua irritação e lamento muito o que aconteceu.",
        Emotion.frustrated: "Entendo como isso deve ser frustrante e peço desculpa pelo transtorno.",
        Emotion.anxious: "Entendo como isso é preocupante e quero ajudar a resolver rapidamente.",
        Emotion.disappointed: "Lamento termos desapontado você; entendo a sua decepção.",
        Emotion.confused: "Entendo que isso tenha sido confuso e terei prazer em explicar passo a passo.",
        Emotion.neutral: "Obrigado por nos avisar; entendo por que está perguntando sobre isso.",
    },
}

SUPPORTED_LANGUAGES = frozenset(_ACK)


def acknowledgement_for(analysis: ThreadAnalysis) -> str:
    """One acknowledgement sentence in the customer's language, fitted to their emotion."""
    phrases = _ACK.get(analysis.language, _ACK["en"])
    return phrases[analysis.emotion]
