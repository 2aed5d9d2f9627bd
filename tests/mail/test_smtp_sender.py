"""SmtpMailSender against a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import socket
from email.utils import parseaddr, parsedate_to_datetime

import pytest

from domain.model import MailKind
from domain.ports import DeliveryOutcome, MailMessage
from mail.smtp import SmtpMailSender
from tests.smtp_fixtures import SMTP_PASSWORD, SMTP_USER
from tests.smtp_server import DROP, SmtpServer

SENT, RETRY, FAILED = DeliveryOutcome.SENT, DeliveryOutcome.RETRY, DeliveryOutcome.FAILED
NEW_PASSWORD = "Xy7#kLm9&Qr2<Tw5"


def password_mail(
    number: int = 1,
    *,
    recipient: str = "ada@example.com",
    display_name: str = "Ada Lovelace",
    secret: str | None = NEW_PASSWORD,
) -> MailMessage:
    return MailMessage(
        message_id=f"<reset-{number}@example.com>",
        kind=MailKind.PASSWORD,
        recipient=recipient,
        context={"login": f"ada{number}", "display_name": display_name, "expires_hours": 72},
        secret=secret,
    )


def sender_for(server: SmtpServer) -> SmtpMailSender:
    context = server.client_context() if server.certificate is not None else None
    return SmtpMailSender(ssl_context=context, timeout=10)


async def test_one_message_arrives_with_its_headers_and_both_parts(
    smtp_server: SmtpServer,
) -> None:
    [delivery] = await sender_for(smtp_server).send(smtp_server.settings(), [password_mail()])

    assert (delivery.outcome, delivery.reply_code) == (SENT, 250)
    [received] = smtp_server.received
    assert received.mail_from == "connect@example.com"
    assert received.rcpt_tos == ["ada@example.com"]
    assert not received.over_tls
    message = received.message
    assert message["Message-ID"] == "<reset-1@example.com>"
    assert parseaddr(str(message["From"])) == ("Connect Server", "connect@example.com")
    assert parseaddr(str(message["To"])) == ("", "ada@example.com")
    assert message["Subject"] == "Your Connect password was reset"
    assert parsedate_to_datetime(str(message["Date"])).tzinfo is not None
    assert message.get_content_type() == "multipart/mixed"
    assert "ada1" in received.text
    assert "ada1" in received.html


async def test_the_sender_name_is_optional(smtp_server: SmtpServer) -> None:
    settings = smtp_server.settings(sender_name=None)

    [delivery] = await sender_for(smtp_server).send(settings, [password_mail()])

    assert delivery.outcome is SENT
    assert parseaddr(str(smtp_server.received[0].message["From"])) == ("", "connect@example.com")


async def test_several_messages_share_one_connection(smtp_server: SmtpServer) -> None:
    messages = [password_mail(n, recipient=f"user{n}@example.com") for n in range(1, 4)]

    deliveries = await sender_for(smtp_server).send(smtp_server.settings(), messages)

    assert [d.outcome for d in deliveries] == [SENT, SENT, SENT]
    assert smtp_server.connections == 1
    assert [r.message["Message-ID"] for r in smtp_server.received] == [
        "<reset-1@example.com>",
        "<reset-2@example.com>",
        "<reset-3@example.com>",
    ]
    assert [r.rcpt_tos for r in smtp_server.received] == [
        ["user1@example.com"],
        ["user2@example.com"],
        ["user3@example.com"],
    ]


async def test_nothing_to_send_opens_no_connection(smtp_server: SmtpServer) -> None:
    assert await sender_for(smtp_server).send(smtp_server.settings(), []) == []
    assert smtp_server.connections == 0


@pytest.mark.parametrize("command", ["MAIL", "RCPT", "DATA"])
async def test_a_4xx_reply_asks_for_a_retry_that_later_succeeds(
    smtp_server: SmtpServer, command: str
) -> None:
    sender = sender_for(smtp_server)
    smtp_server.reply_next("451 4.3.0 try later", command=command)

    [delivery] = await sender.send(smtp_server.settings(), [password_mail()])

    assert (delivery.outcome, delivery.reply_code) == (RETRY, 451)
    assert "4.3.0 try later" in delivery.detail
    assert smtp_server.received == []

    [again] = await sender.send(smtp_server.settings(), [password_mail()])
    assert (again.outcome, again.reply_code) == (SENT, 250)
    assert len(smtp_server.received) == 1


@pytest.mark.parametrize("command", ["MAIL", "RCPT", "DATA"])
async def test_a_5xx_reply_fails_that_message_only(smtp_server: SmtpServer, command: str) -> None:
    smtp_server.reply_next("550 5.1.1 no such user", command=command)
    messages = [password_mail(1), password_mail(2, recipient="grace@example.com")]

    refused, accepted = await sender_for(smtp_server).send(smtp_server.settings(), messages)

    assert (refused.outcome, refused.reply_code) == (FAILED, 550)
    assert "5.1.1 no such user" in refused.detail
    assert NEW_PASSWORD not in refused.detail
    assert (accepted.outcome, accepted.reply_code) == (SENT, 250)
    assert [r.rcpt_tos for r in smtp_server.received] == [["grace@example.com"]]
    assert smtp_server.connections == 1


async def test_a_421_ends_the_connection_so_the_rest_is_retried(smtp_server: SmtpServer) -> None:
    smtp_server.reply_next("421 4.3.2 shutting down", command="RCPT")
    messages = [password_mail(1), password_mail(2)]

    deliveries = await sender_for(smtp_server).send(smtp_server.settings(), messages)

    assert [(d.outcome, d.reply_code) for d in deliveries] == [(RETRY, 421), (RETRY, 421)]
    assert smtp_server.received == []
    assert smtp_server.connections == 1


async def test_a_connection_dropped_before_the_reply_is_tried_again_on_a_new_one(
    smtp_server: SmtpServer,
) -> None:
    """emails reconnects once after a drop and sends again: the server may get the
    message twice, and the stable Message-ID lets it be recognised."""
    smtp_server.reply_next(DROP, command="DATA")
    messages = [password_mail(1), password_mail(2)]

    deliveries = await sender_for(smtp_server).send(smtp_server.settings(), messages)

    assert [d.outcome for d in deliveries] == [SENT, SENT]
    assert smtp_server.connections == 2
    assert [r.message["Message-ID"] for r in smtp_server.received] == [
        "<reset-1@example.com>",
        "<reset-2@example.com>",
    ]


async def test_a_connection_dropped_twice_means_retry_for_the_rest(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.reply_next(DROP, command="DATA", count=2)
    messages = [password_mail(1), password_mail(2)]

    deliveries = await sender_for(smtp_server).send(smtp_server.settings(), messages)

    assert [(d.outcome, d.reply_code) for d in deliveries] == [(RETRY, None), (RETRY, None)]
    assert "SMTPServerDisconnected" in deliveries[0].detail
    assert smtp_server.connections == 2
    assert smtp_server.received == []


async def test_a_gateway_that_is_down_means_retry_for_all_until_it_is_back(
    smtp_server: SmtpServer,
) -> None:
    sender = sender_for(smtp_server)
    settings = smtp_server.settings()
    smtp_server.stop()

    deliveries = await sender.send(settings, [password_mail(1), password_mail(2)])

    assert [(d.outcome, d.reply_code) for d in deliveries] == [(RETRY, None), (RETRY, None)]
    assert f"127.0.0.1:{settings.port}" in deliveries[0].detail
    assert "SMTPConnectError" in deliveries[0].detail

    smtp_server.start()
    assert smtp_server.port == settings.port
    deliveries = await sender.send(settings, [password_mail(1), password_mail(2)])
    assert [d.outcome for d in deliveries] == [SENT, SENT]
    assert smtp_server.connections == 1


async def test_a_server_that_never_greets_times_out_into_a_retry() -> None:
    # The kernel accepts the connection into the backlog; nobody ever answers.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        server = SmtpServer()  # not started: only for its settings
        server.port = port
        sender = SmtpMailSender(timeout=0.5)

        [delivery] = await sender.send(server.settings(), [password_mail()])

    assert (delivery.outcome, delivery.reply_code) == (RETRY, None)
    assert "Timeout" in delivery.detail


async def test_starttls_with_auth_delivers_as_the_signed_in_user(
    starttls_server: SmtpServer,
) -> None:
    settings = starttls_server.settings(username=SMTP_USER, password=SMTP_PASSWORD)

    [delivery] = await sender_for(starttls_server).send(settings, [password_mail()])

    assert (delivery.outcome, delivery.reply_code) == (SENT, 250)
    [received] = starttls_server.received
    assert received.over_tls
    assert received.auth_user == SMTP_USER


async def test_a_wrong_auth_password_retries_every_message(starttls_server: SmtpServer) -> None:
    settings = starttls_server.settings(username=SMTP_USER, password="wrong-password")

    deliveries = await sender_for(starttls_server).send(
        settings, [password_mail(1), password_mail(2)]
    )

    # The gateway's settings are wrong, not the messages: they wait for a fix.
    assert [(d.outcome, d.reply_code) for d in deliveries] == [(RETRY, 535), (RETRY, 535)]
    detail = deliveries[0].detail
    assert "AUTH" in detail
    assert SMTP_USER in detail
    assert "wrong-password" not in detail
    assert NEW_PASSWORD not in detail
    assert starttls_server.received == []
    assert starttls_server.connections == 1


async def test_a_certificate_the_client_does_not_trust_means_retry_and_nothing_sent(
    starttls_server: SmtpServer,
) -> None:
    settings = starttls_server.settings(username=SMTP_USER, password=SMTP_PASSWORD)
    system_trust_only = SmtpMailSender(timeout=10)

    deliveries = await system_trust_only.send(settings, [password_mail(1), password_mail(2)])

    assert [(d.outcome, d.reply_code) for d in deliveries] == [(RETRY, None), (RETRY, None)]
    assert "CERTIFICATE_VERIFY_FAILED" in deliveries[0].detail
    assert SMTP_PASSWORD not in deliveries[0].detail
    assert starttls_server.received == []


async def test_implicit_tls_delivers(tls_server: SmtpServer) -> None:
    [delivery] = await sender_for(tls_server).send(tls_server.settings(), [password_mail()])

    assert delivery.outcome is SENT
    assert tls_server.received[0].over_tls


async def test_implicit_tls_to_an_untrusted_certificate_means_retry(
    tls_server: SmtpServer,
) -> None:
    [delivery] = await SmtpMailSender(timeout=10).send(tls_server.settings(), [password_mail()])

    assert (delivery.outcome, delivery.reply_code) == (RETRY, None)
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.detail
    assert tls_server.received == []


async def test_a_message_that_cannot_be_built_fails_alone(smtp_server: SmtpServer) -> None:
    messages = [
        password_mail(1, recipient="ada@example.com\r\nBcc: eve@example.com"),
        password_mail(2, secret=None),
        password_mail(3),
    ]

    deliveries = await sender_for(smtp_server).send(smtp_server.settings(), messages)

    assert [(d.outcome, d.reply_code) for d in deliveries] == [
        (FAILED, None),
        (FAILED, None),
        (SENT, 250),
    ]
    assert "recipient address is not valid" in deliveries[0].detail
    assert "needs its secret" in deliveries[1].detail
    assert [r.message["Message-ID"] for r in smtp_server.received] == ["<reset-3@example.com>"]


async def test_the_html_part_escapes_a_display_name(smtp_server: SmtpServer) -> None:
    mail = password_mail(display_name="<script>alert('x')</script> & Co")

    await sender_for(smtp_server).send(smtp_server.settings(), [mail])

    [received] = smtp_server.received
    assert "<script>" not in received.html
    assert "&lt;script&gt;" in received.html
    assert "&amp; Co" in received.html
    # The plain-text part is text: nothing to escape there.
    assert "<script>alert('x')</script> & Co" in received.text


async def test_the_password_mail_names_the_login_the_password_and_its_rules(
    smtp_server: SmtpServer,
) -> None:
    await sender_for(smtp_server).send(smtp_server.settings(), [password_mail()])

    [received] = smtp_server.received
    assert received.message["Subject"] == "Your Connect password was reset"
    for part in (received.text, received.html):
        assert "ada1" in part
        assert "Ada Lovelace" in part
        assert "72 hours" in part
        assert "next sign-in" in part
    assert NEW_PASSWORD in received.text
    assert "Xy7#kLm9&amp;Qr2&lt;Tw5" in received.html


async def test_the_voicemail_pin_mail_names_the_login_and_the_pin(
    smtp_server: SmtpServer,
) -> None:
    mail = MailMessage(
        message_id="<pin-1@example.com>",
        kind=MailKind.VOICEMAIL_PIN,
        recipient="ada@example.com",
        context={"login": "ada", "display_name": "Ada Lovelace"},
        secret="482913",
    )

    [delivery] = await sender_for(smtp_server).send(smtp_server.settings(), [mail])

    assert delivery.outcome is SENT
    [received] = smtp_server.received
    assert received.message["Subject"] == "Your Connect voicemail PIN"
    for part in (received.text, received.html):
        assert "ada" in part
        assert "482913" in part


async def test_the_test_mail_says_the_gateway_works(smtp_server: SmtpServer) -> None:
    mail = MailMessage(
        message_id="<test-1@example.com>",
        kind=MailKind.TEST,
        recipient="admin@example.com",
        context={},
    )

    [delivery] = await sender_for(smtp_server).send(smtp_server.settings(), [mail])

    assert delivery.outcome is SENT
    [received] = smtp_server.received
    assert received.message["Subject"] == "Connect E-Mail Gateway test"
    assert "E-Mail Gateway works" in received.text
    assert "E-Mail Gateway works" in received.html


async def test_one_connection_sends_message_by_message(smtp_server: SmtpServer) -> None:
    async with sender_for(smtp_server).connect(smtp_server.settings()) as connection:
        assert smtp_server.connections == 0  # opened with the first message
        first = await connection.send(password_mail(1))
        assert [r.message["Message-ID"] for r in smtp_server.received] == ["<reset-1@example.com>"]
        second = await connection.send(password_mail(2))
    assert (first.outcome, second.outcome) == (SENT, SENT)
    assert smtp_server.connections == 1


async def test_a_send_cancelled_while_the_server_holds_its_reply_ends_the_connection(
    smtp_server: SmtpServer,
) -> None:
    """A dispatcher cuts a send off when its claim runs out: that message's fate is
    unknown, so the connection is not used again and later messages are retried."""
    smtp_server.hold()
    async with sender_for(smtp_server).connect(smtp_server.settings()) as connection:
        sending = asyncio.create_task(connection.send(password_mail(1)))
        await asyncio.to_thread(smtp_server.wait_held, 1)
        sending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sending
        later = await connection.send(password_mail(2))
    smtp_server.release()

    assert later.outcome is RETRY
    assert [r.message["Message-ID"] for r in smtp_server.received] == ["<reset-1@example.com>"]


async def test_a_non_ascii_recipient_fails_alone_and_the_others_are_sent(
    smtp_server: SmtpServer,
) -> None:
    # The sink offers no SMTPUTF8 and refuses non-ASCII, as many gateways do.
    messages = [
        password_mail(1, recipient="anna@example.com"),
        password_mail(2, recipient="jürgen@bücher.example"),
        password_mail(3, recipient="Ærø.🎉@example.org"),
        password_mail(4, recipient="bernd@example.com"),
    ]

    deliveries = await sender_for(smtp_server).send(smtp_server.settings(), messages)

    assert [(d.outcome, d.reply_code) for d in deliveries] == [
        (SENT, 250),
        (FAILED, None),
        (FAILED, None),
        (SENT, 250),
    ]
    assert "must be ASCII" in deliveries[1].detail
    assert [r.rcpt_tos for r in smtp_server.received] == [
        ["anna@example.com"],
        ["bernd@example.com"],
    ]
    assert smtp_server.connections == 1


async def test_an_international_domain_is_sent_in_its_ascii_form(
    smtp_server: SmtpServer,
) -> None:
    [delivery] = await sender_for(smtp_server).send(
        smtp_server.settings(), [password_mail(recipient="juergen@bücher.example")]
    )

    assert delivery.outcome is SENT
    [received] = smtp_server.received
    assert received.rcpt_tos == ["juergen@xn--bcher-kva.example"]
    assert parseaddr(str(received.message["To"])) == ("", "juergen@xn--bcher-kva.example")
