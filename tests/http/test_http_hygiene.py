"""HTTP hygiene against a running server (uvicorn on 127.0.0.1): bounded headers,
redirects that ignore the request's Host, no-store on /graphql."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.http.server import running_server


@pytest.fixture(scope="module")
def graphql_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("hygiene"), max_body_bytes=2048) as url:
        yield url


def base(graphql_url: str) -> str:
    return graphql_url.removesuffix("/graphql")


class TestHeaders:
    def test_a_200_kb_header_is_refused_with_431(self, graphql_url: str) -> None:
        response = httpx.get(f"{base(graphql_url)}/healthz", headers={"X-Big": "a" * 200_000})
        assert response.status_code == 431
        assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_HEADERS_TOO_LARGE"

    def test_5000_headers_are_refused_with_431(self, graphql_url: str) -> None:
        headers = [(f"x-h{n}", "1") for n in range(5000)]
        response = httpx.post(graphql_url, json={"query": "{ __typename }"}, headers=headers)
        assert response.status_code == 431
        assert response.headers["cache-control"] == "no-store"

    def test_ordinary_headers_pass(self, graphql_url: str) -> None:
        headers = [(f"x-h{n}", "v" * 100) for n in range(50)]
        response = httpx.get(f"{base(graphql_url)}/healthz", headers=headers)
        assert response.status_code == 200


class TestRedirects:
    def test_a_forged_host_does_not_make_the_redirect(self, graphql_url: str) -> None:
        response = httpx.get(
            f"{base(graphql_url)}/admin/", headers={"Host": "evil.example"}, follow_redirects=False
        )
        assert response.is_redirect
        assert response.headers["location"] == "/admin"

    def test_a_redirect_path_never_names_another_host(self, graphql_url: str) -> None:
        # "//evil.example" in a Location is another host to a browser.
        response = httpx.get(f"{base(graphql_url)}//evil.example/", follow_redirects=False)
        location = response.headers.get("location", "/")
        assert not location.startswith("//")
        assert "://" not in location


SIGN_IN = 'mutation { adminSignIn(login: "x", password: "y") { token } }'


class TestNoStore:
    @pytest.mark.parametrize(
        ("method", "kwargs"),
        [
            ("POST", {"json": {"query": SIGN_IN}}),
            ("GET", {"params": {"query": "{ __typename }"}}),
            ("GET", {"headers": {"Accept": "text/html"}}),  # GraphiQL's page
            ("POST", {"content": b"x", "headers": {"Content-Type": "text/plain"}}),  # 415
            ("POST", {"json": {"query": "x" * 5000}}),  # 413
            ("POST", {"content": b"[{}]", "headers": {"Content-Type": "application/json"}}),
        ],
    )
    def test_every_graphql_answer_is_no_store(
        self, graphql_url: str, method: str, kwargs: dict[str, object]
    ) -> None:
        response = httpx.request(method, graphql_url, **kwargs)  # type: ignore[arg-type]
        assert response.headers["cache-control"] == "no-store", response.status_code
