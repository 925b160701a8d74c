"""Measuring recurring-problem detection: pairwise and B-cubed scores against labelled tickets, and the
plain TF-IDF baseline it is compared with (tests/reviews/test_recurring.py, bench/bench_reviews.py)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reviews import text as textmod
from reviews.recurring import Cluster, Doc


@dataclass
class Quality:
    precision: float  # of the pairs put together, the share that belong together
    recall: float  # of the pairs that belong together, the share put together
    f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float

    def line(self) -> str:
        return (
            f"pairwise P {self.precision:.2f} R {self.recall:.2f} F1 {self.f1:.2f} | "
            f"B-cubed P {self.bcubed_precision:.2f} R {self.bcubed_recall:.2f} F1 {self.bcubed_f1:.2f}"
        )


def quality(truth: Sequence[str], predicted: Sequence[int]) -> Quality:
    """Scores of a clustering (a cluster id per item) against the true labels (same order)."""
    n = len(truth)
    same_true = same_pred = both = 0
    for i in range(n):
        for j in range(i + 1, n):
            t, p = truth[i] == truth[j], predicted[i] == predicted[j]
            same_true += t
            same_pred += p
            both += t and p
    precision = both / same_pred if same_pred else 1.0
    recall = both / same_true if same_true else 1.0
    by_true, by_pred = Counter(truth), Counter(predicted)
    pairs = Counter(zip(truth, predicted, strict=True))
    b_p = sum(pairs[(t, p)] / by_pred[p] for t, p in zip(truth, predicted, strict=True)) / n
    b_r = sum(pairs[(t, p)] / by_true[t] for t, p in zip(truth, predicted, strict=True)) / n
    return Quality(precision, recall, _f1(precision, recall), b_p, b_r, _f1(b_p, b_r))


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def assignment(numbers: Sequence[int], clusters: Iterable[Cluster]) -> list[int]:
    """A cluster id per ticket number; a ticket in no cluster is a cluster of its own."""
    owner = {}
    for cid, cluster in enumerate(clusters):
        for number in cluster.numbers:
            owner[number] = cid
    return [owner.get(number, -1 - i) for i, number in enumerate(numbers)]


def tfidf_baseline(docs: Sequence[Doc], threshold: float, *, clean: bool = False) -> list[int]:
    """Plain TF-IDF clustering: cosine of TF-IDF vectors (English stems, Chinese bigrams) and
    average-linkage agglomeration until no two clusters are `threshold` similar. Quadratic: for
    measuring on small sets only. `clean` first cuts greetings, signatures and quotes as detection does.
    """
    texts = [textmod.description(d.subject, d.body) if clean else f"{d.subject}\n{d.body}" for d in docs]
    bags = [Counter(_tokens(t)) for t in texts]
    df = Counter(w for bag in bags for w in bag)
    n = len(docs)
    vectors = []
    for bag in bags:
        vec = {w: (1 + math.log(c)) * math.log((1 + n) / (1 + df[w])) for w, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({w: v / norm for w, v in vec.items()})
    sim = [[sum(v * b.get(w, 0.0) for w, v in a.items()) for b in vectors] for a in vectors]
    clusters = [[i] for i in range(n)]
    while True:
        best, pair = threshold, None
        for x in range(len(clusters)):
            for y in range(x + 1, len(clusters)):
                link = sum(sim[i][j] for i in clusters[x] for j in clusters[y])
                link /= len(clusters[x]) * len(clusters[y])
                if link >= best:
                    best, pair = link, (x, y)
        if pair is None:
            break
        x, y = pair
        clusters[x] += clusters.pop(y)
    owner = {i: cid for cid, members in enumerate(clusters) for i in members}
    return [owner[i] for i in range(n)]


_TOKENS = re.compile(rf"[{textmod.CJK}]+|[a-z0-9][a-z0-9_-]*")


def _tokens(text: str) -> list[str]:
    """Every word as written (codes and versions included): English stems, Chinese bigrams."""
    tokens = []
    for part in _TOKENS.findall(textmod.normalise(text)):
        if part[0] >= "\u3400":
            tokens.extend(part[i : i + 2] for i in range(len(part) - 1)) if len(part) > 1 else None
        elif len(part) > 2 and (word := textmod.stem(part)) not in textmod.EN_STOP:
            tokens.append(word)
    return tokens
