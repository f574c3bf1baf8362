"""The rollout tests' fixture: Acme's tree (see tests/rollout_tree.py)."""

from __future__ import annotations

import pytest

from tests.conftest import World
from tests.rollout_tree import Tree, build_tree


@pytest.fixture
def tree(world: World) -> Tree:
    return build_tree(world)
