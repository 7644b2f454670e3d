"""The table rows' money formatter (pages/common.money) writes exactly what formatting.money (Babel) writes."""
import random

from conton import formatting
from conton.pages.common import money


def test_same_as_babel() -> None:
    rng = random.Random(7)
    values = [None, 0, 1, 99, 100, 123456, -5, -123456, 10**12] + [rng.randrange(-10**11, 10**11) for _ in range(2000)]
    for cents in values:
        assert money(cents) == formatting.money(cents)
