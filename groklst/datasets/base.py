"""Shared dataset plumbing."""
from typing import List, Sequence, Union

from groklst.registry import TRANSFORMS


def build_pipeline(pipeline: Sequence[Union[dict, callable]]) -> List:
    """Build transform configs in groklst's registry (whatever the caller's default scope), so
    datasets work outside a Runner too. Already-built callables pass through."""
    return [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in (pipeline or [])]
