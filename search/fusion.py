"""Rank fusion of the lexical and dense result lists.

Reciprocal rank fusion (Cormack et al., 2009) needs no score calibration: an item's fused score is
Σ weight / (k + rank). The weights and k are settings measured on the evaluation set (bench/search_eval).
"""

from __future__ import annotations

from collections.abc import Sequence

# Three lists are fused: dense, BM25, and the BM25 hits that hold every word of the question (see
# search/engine.py). Measured on the evaluation set (python -m bench.search_eval --grid): with the dense list
# weighted 3 and k=20, hybrid nDCG@10 is 0.79–0.83 for a whole-match weight of 1 to 3; without the
# whole-match list, 0.76–0.79; with the dense list weighted 1 or 2, lower. BM25 alone is far weaker than
# the model on paraphrases and English questions, so its partial matches only nudge the order.
RRF_K = 20
DENSE_WEIGHT = 3.0
LEXICAL_WEIGHT = 1.0
WHOLE_MATCH_WEIGHT = 1.0


def reciprocal_rank_fusion(
    ranked_lists: Sequence[Sequence[int]], weights: Sequence[float] | None = None, k: float = RRF_K
) -> list[tuple[int, float]]:
    """(id, fused score) best first; each list holds ids best first."""
    weights = weights or [1.0] * len(ranked_lists)
    fused: dict[int, float] = {}
    for ranked, weight in zip(ranked_lists, weights, strict=True):
        for rank, item in enumerate(ranked, start=1):
            fused[int(item)] = fused.get(int(item), 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))
