"""What the bench clients share: the nearest-rank percentile of their timings."""
import math


def percentile(sorted_values, fraction):
    """The nearest-rank `fraction` percentile of `sorted_values` (ascending); NaN when empty."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, math.ceil(fraction * len(sorted_values)) - 1))
    return sorted_values[index]
