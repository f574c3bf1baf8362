"""The import tests' organisation (Acme with cycles around today and a team tree),
shared with tests/transfer."""

from tests.transfer.conftest import acme_okrs  # noqa: F401 (a fixture)
