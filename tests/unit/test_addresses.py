"""What an e-mail address may be (domain.addresses)."""

from __future__ import annotations

import pytest

from domain.addresses import NotAnAddress, ascii_mail_address
from domain.services.validation import is_mail_address


@pytest.mark.parametrize(
    ("given", "sent_as"),
    [
        ("anna@example.org", "anna@example.org"),
        ("o'brien+reset@Example.ORG", "o'brien+reset@Example.ORG"),
        ("juergen@bücher.example", "juergen@xn--bcher-kva.example"),
        ("juergen@BÜCHER.example", "juergen@xn--bcher-kva.example"),
        ("a@xn--bcher-kva.example", "a@xn--bcher-kva.example"),
    ],
)
def test_an_address_every_server_carries_goes_in_its_ascii_form(given: str, sent_as: str) -> None:
    assert ascii_mail_address(given) == sent_as
    assert is_mail_address(given)


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("jürgen@bücher.example", "must be ASCII"),
        ("Ærø.🎉@example.org", "must be ASCII"),
        ("anna..b@example.org", "dot-separated"),
        (".anna@example.org", "dot-separated"),
        ('"anna b"@example.org', "no quotes"),
        ("anna@example", "domain name"),
        ("anna@[127.0.0.1]", "domain name"),
        ("anna@1.2.3.4", "domain name"),
        ("anna@-x.example", "domain name"),
        ("anna@🎉.example", "domain name"),
        ("anna", "one @"),
        ("@example.org", "one @"),
        ("a@b@example.org", "one @"),
    ],
)
def test_an_address_not_every_server_carries_is_refused_saying_why(given: str, says: str) -> None:
    with pytest.raises(NotAnAddress, match=says):
        ascii_mail_address(given)
    assert not is_mail_address(given)
