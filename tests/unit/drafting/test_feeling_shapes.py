"""Feelings read from shapes (counts, ordinals, time left, gated time words) and irony."""

from __future__ import annotations

import pytest

from service.language.feelings import Feeling, read_feelings


def feelings(text: str, language: str) -> set[Feeling]:
    return {r.feeling for r in read_feelings(text, language)}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I have called you 5 times about the same invoice.", "en"),
        ("Ich habe schon dreimal angerufen.", "de"),
        ("Quatrième coupure de courant dans le quartier.", "fr"),
        ("Day 9 of waiting for the engineer.", "en"),
        ("Llevo tres semanas sin conexión en casa.", "es"),
    ],
)
def test_repetition_and_elapsed_time_read_as_frustration(text: str, language: str) -> None:
    assert Feeling.frustration in feelings(text, language)


@pytest.mark.parametrize(
    ("text", "language", "frustrated"),
    [
        ("We moved to the third floor last year.", "en", False),
        ("Our baby is 6 months old and sleeps well.", "en", False),
        ("The warranty ends in 3 weeks, I believe.", "en", False),
    ],
)
def test_places_ages_and_future_spans_are_not_repetition(text: str, language: str, frustrated: bool) -> None:
    assert (Feeling.frustration in feelings(text, language)) is frustrated


@pytest.mark.parametrize(
    ("text", "language", "urgent"),
    [
        ("My flight leaves in 3 hours and the app says my booking is gone.", "en", True),
        ("J'ai besoin de la carte aujourd'hui, je pars en voyage.", "fr", True),
        ("Ich muss um 17 Uhr am Flughafen sein.", "de", True),
        ("Quero o técnico aqui HOJE.", "pt", True),
        ("The parcel arrived today, all good.", "en", False),
        ("¿Puedo cambiar mi cita de mañana a la tarde?", "es", False),
    ],
)
def test_time_words_are_deadlines_only_with_a_stake(text: str, language: str, urgent: bool) -> None:
    assert (Feeling.urgency in feelings(text, language)) is urgent


@pytest.mark.parametrize(
    ("text", "language", "sarcastic"),
    [
        ("The courier left my parcel in the rain and the box is broken. Lovely.", "en", True),
        ("Merci pour cette visite guidée de la gare : 2h de retard sur le TGV.", "fr", True),
        ("Super, das neue Update hat alle meine Dashboards gelöscht.", "de", True),
        ("Thank you so much, the engineer fixed the broken boiler in an hour. Lovely.", "en", False),
        ("Great, thanks!", "en", False),
    ],
)
def test_praise_aimed_at_a_failure_is_sarcasm(text: str, language: str, sarcastic: bool) -> None:
    assert (Feeling.sarcasm in feelings(text, language)) is sarcastic


def test_quoted_words_are_not_the_customers_feelings() -> None:
    text = (
        "Hello,\n\nForwarding our finance manager's note. I'm not upset, I'd like to understand it.\n\n"
        "> This is RIDICULOUS and a disgrace, we are furious about this charge.\n"
    )
    assert not feelings(text, "en") & {Feeling.anger}


@pytest.mark.parametrize(
    ("text", "angry"),
    [
        ("THANK YOU!!! The ring arrived, she said yes", False),
        ("Ticket COMP-20231 is still open after eight weeks, nobody replies.", False),
        ("Still nothing after 3 weeks. I WANT MY MONEY BACK NOW!!!", True),
    ],
)
def test_a_raised_voice_is_anger_only_in_a_complaint(text: str, angry: bool) -> None:
    assert (Feeling.anger in feelings(text, "en")) is angry


@pytest.mark.parametrize(
    ("text", "language", "urgent"),
    [
        # A calendar day with a stake in its sentence is a deadline.
        ("Her birthday party is on 14 June and the costume hasn't shipped.", "en", True),
        ("Das Konzert ist am Donnerstag und ich brauche die Karten.", "de", True),
        ("Mi vuelo sale el 3 de julio y el pasaporte no ha llegado.", "es", True),
        # A day in the past, or with no stake, is only a date.
        ("The parcel has sat at your depot since 2 May and I need it.", "en", False),
        ("Ich habe die Lampe am Dienstag bekommen, sie ist schön.", "de", False),
    ],
)
def test_calendar_days_with_a_stake_are_deadlines(text: str, language: str, urgent: bool) -> None:
    assert (Feeling.urgency in feelings(text, language)) is urgent


def test_how_fast_help_came_is_not_urgency_in_a_thank_you() -> None:
    text = "Your technician fixed the heating in twenty minutes. Thank you so much!"
    assert Feeling.urgency not in feelings(text, "en")


@pytest.mark.parametrize(
    ("text", "language", "worried"),
    [
        # A vulnerable person or a necessity at stake next to a failure shows worry.
        ("The lift has been broken for a week and my grandad is on oxygen upstairs.", "en", True),
        ("La caldera no funciona y tengo un bebé de dos meses en casa.", "es", True),
        # The same stake in a calm question, in thanks or in a bereavement does not.
        ("Can I add my daughter as a second driver on the policy?", "en", False),
        ("Thank you for helping my mother set up her new phone yesterday.", "en", False),
        ("Mi madre falleció en marzo y quisiera cerrar su cuenta.", "es", False),
    ],
)
def test_a_stake_shows_worry_only_next_to_trouble(text: str, language: str, worried: bool) -> None:
    assert (Feeling.worry in feelings(text, language)) is worried


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Three emails and two phone calls later, the meter is still wrong.", "en"),
        ("Nach vier Anrufen weiß immer noch niemand, wo mein Paket ist.", "de"),
        ("Could you, this time, answer the question I actually asked?", "en"),
        ("Cette fois, merci de lire mon message jusqu'au bout.", "fr"),
    ],
)
def test_counted_contacts_and_this_time_read_as_frustration(text: str, language: str) -> None:
    assert Feeling.frustration in feelings(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Thanks @CityFerries for a 50 minute delay and no announcement at all.", "en"),
        ("Danke @StadtBus für 35 Minuten Verspätung im Regen.", "de"),
    ],
)
def test_thanks_to_a_handle_for_a_failure_is_sarcasm(text: str, language: str) -> None:
    assert Feeling.sarcasm in feelings(text, language)


@pytest.mark.parametrize(
    ("text", "language", "excited"),
    [
        ("We're moving into our first home on Friday! Can you connect the broadband?", "en", True),
        ("The cake for my son's birthday arrived crushed, really disappointing.", "en", False),
        ("Ihr habt unser Weihnachtsgeschenk kaputt geliefert, das ist eine Frechheit.", "de", False),
    ],
)
def test_an_occasion_is_happy_news_only_without_complaint(text: str, language: str, excited: bool) -> None:
    assert (Feeling.excitement in feelings(text, language)) is excited


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The gate has refused my pass for 25 minutes and the car park is closing.", "en"),
        ("Llevo esperando en el andén hace 50 min, el tren no aparece.", "es"),
        ("Le terminal est bloqué depuis 2h, personne ne peut payer.", "fr"),
    ],
)
def test_minutes_or_hours_gone_on_a_live_problem_read_as_urgency(text: str, language: str) -> None:
    assert Feeling.urgency in feelings(text, language)


@pytest.mark.parametrize(
    ("text", "language", "sarcastic"),
    [
        # An upside-down smile turns thanks into irony, whatever the thanks are for.
        ("Thanks a lot, the kettle arrived with a broken lid 🙃", "en", True),
        ("Danke auch, die Lieferung kam wieder nicht 🙃", "de", True),
        # A public post at the company with applause, inside a complaint, is irony too.
        ("Obrigado @LojaSol por mais um atraso de duas semanas, estou farta 👏", "pt", True),
        # Applause for a fix is sincere.
        ("Thank you @CityPower, the lights came back and you fixed it in no time 👏", "en", False),
        ("Merci beaucoup pour votre aide, tout est réglé 👍", "fr", False),
    ],
)
def test_ironic_marks_turn_thanks_into_sarcasm(text: str, language: str, sarcastic: bool) -> None:
    found = feelings(text, language)
    assert (Feeling.sarcasm in found) is sarcastic
    if sarcastic:
        assert Feeling.gratitude not in found


@pytest.mark.parametrize(
    ("text", "language", "urgent"),
    [
        # A deadline preposition right before the day makes it a deadline.
        ("Can you get the spare part to me by Thursday?", "en", True),
        ("Preciso da fatura até quinta, se possível.", "pt", True),
        # The same preposition elsewhere in the sentence is about something else.
        ("I paid by card on Thursday and got a receipt.", "en", False),
        # "ya que" (since) and "desde já" (in advance) are not times.
        ("Quisiera un duplicado del recibo, ya que el original se mojó.", "es", False),
        ("Podem confirmar a morada de entrega? Desde já obrigado.", "pt", False),
    ],
)
def test_a_day_needs_its_deadline_word_next_to_it(text: str, language: str, urgent: bool) -> None:
    assert (Feeling.urgency in feelings(text, language)) is urgent


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I'm a bit uneasy about this transfer, it still shows as pending.", "en"),
        ("Estoy intranquila: el pago del alquiler no aparece en la cuenta.", "es"),
        ("Ich befürchte, dass die Überweisung nicht ankommt.", "de"),
        ("Je suis un peu appréhensive, le virement n'apparaît toujours pas.", "fr"),
        ("Estou apreensiva, o pagamento da renda não aparece.", "pt"),
    ],
)
def test_quiet_fear_words_read_as_worry(text: str, language: str) -> None:
    # The fear vocabulary is a kind in every language (decision 116), not only "worried" / "scared".
    assert Feeling.worry in feelings(text, language)
