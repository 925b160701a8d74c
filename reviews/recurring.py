"""Recurring-problem detection: which tickets of a period report the same fault, across languages.

Why not TF-IDF over the words: two reports of one fault in Chinese and English share no word at all, and
two reports of different faults in one language share plenty ("gateway", "console", "since the update",
"please help"). On the labelled tickets in tests/reviews/labelled.py (12 faults in both languages, with
distractors; 127 tickets) plain TF-IDF clustering reaches a pairwise F1 of 0.10-0.36 at its best
threshold, this method 0.95-0.97 with a precision of 1.00 (`python -m bench.bench_reviews` prints the
current figures). A multilingual embedding model would need weights shipped inside a package and
loaded offline; none suitable is available (the one at hand is English-only), so the method rests on
the team's own vocabulary instead, which also keeps every grouping explainable by its terms:

1. Description only: greetings, sign-offs, signatures, quoted mail, disclaimers, links and version
   numbers are cut away (reviews/text.py), so "since the update to 3.2.1" or a quoted earlier ticket
   about something else does not pull tickets together.
2. Signature: the glossary concepts the description mentions ("证书过期" and "certificate has expired" both
   give {CERTIFICATE, EXPIRED}) plus the error codes it quotes (E1023, LIC-403, ERR_CERT_DATE_INVALID).
3. Weights: a concept counts by its kind (symptoms and objects fully, vague failure words like "failed"
   and common words like "console" little) times its rarity in the window (a smoothed inverse document
   frequency). An error code shared counts most; a code on one side only costs little (customers paste
   codes or don't).
4. Clustering: only tickets that say something goes wrong (a symptom, a vague failure word or a code)
   are clustered on their signature. Tickets with the same signature form a group; groups are taken
   largest first, each joining the cluster whose centre (the share of members having each feature) is
   most similar by weighted Jaccard (Ruzicka, a ticket's extra context counting a third), if that
   reaches THRESHOLD; a second pass reassigns every group to its best centre, and a last pass merges
   whole clusters the same way. Two sides whose core objects differ never merge: a certificate that
   expired and a licence that expired are two faults, whatever else they share.
5. Tickets that report no fault (questions, requests: "how do I export a PDF?") are grouped on their
   words alone (TF-IDF cosine, high threshold), so they never join "export fails".

Thresholds were set on DEV; HELD_OUT, written afterwards, scored F1 0.82 until the 24 glossary terms it
showed missing ("blocked", "冻结", "overview"...) were added: the team's way of working, on the page.

Cost: linear in tickets for the signatures, and proportional to distinct signatures x candidate clusters
for the clustering, since only clusters sharing a telling feature are compared (an inverted index):
100,000 tickets take about 18 s, database load included (bench/bench_reviews.py; target < 30 s).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from reviews import text as textmod
from reviews.glossary import KIND_WEIGHTS, Matcher

THRESHOLD = 0.4
WORD_THRESHOLD = 0.6
CODE_WEIGHT = 3.0
HTTP_WEIGHT = 1.0
CODE_PREFIX = "#"
ANCHOR_KINDS = ("symptom", "vague")
KEY_EXCESS = 0.35  # how much a ticket's extra features (context) count against a cluster centre
# Rarity is counted as if PRIOR_DOCS more tickets without the feature were in the window: in a small
# window where one fault dominates, its own words would otherwise count for almost nothing.
PRIOR_DOCS = 10
CORE = 0.8  # objects within this fraction of the most telling one are a cluster's core objects
ABSENT = 0.2  # a feature of less than a fifth of the members is absent


@dataclass(frozen=True)
class Doc:
    """A ticket as detection sees it."""

    number: int
    subject: str
    body: str
    product: str = ""
    organisation: str = ""
    created_at: datetime | None = None


@dataclass
class Cluster:
    numbers: list[int]
    features: dict[str, float]  # feature -> share of the members having it
    weights: dict[str, float]  # feature -> what sharing it was worth
    costs: dict[str, float] = field(default_factory=dict)  # feature -> what lacking it cost
    label: str = ""
    key: str = ""  # the centre's main features, sorted: stable across runs while the fault is the same

    @property
    def size(self) -> int:
        return len(self.numbers)

    def signature(self) -> dict:
        """What a Problem or a Dismissal keeps to recognise this cluster's fault later."""
        return {"features": self.features, "weights": self.weights, "costs": self.costs}


@dataclass
class Weights:
    """What sharing a feature is worth (`gain`), and what having it on one side only costs (`cost`).

    They differ for error codes: two tickets quoting E1023 are very likely one fault, but one quoting it
    and one not says little (customers paste codes or don't), so a code's cost is that of a vague word.
    """

    gain: dict[str, float]
    cost: dict[str, float]


@dataclass
class _Group:
    members: list[int] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    size: int = 0
    cost: float = 0.0  # sum of cost x share over the centre's features

    def add(self, counts: dict[str, int], size: int, members: Iterable[int], weights: Weights) -> None:
        self.members.extend(members)
        self.counts.update(counts)
        self.size += size
        self.cost = sum(weights.cost[f] * n / self.size for f, n in self.counts.items())

    def shares(self) -> dict[str, float]:
        return {f: n / self.size for f, n in self.counts.items()}

    def score(self, other: dict[str, float], weights: Weights) -> float:
        """Similarity of a smaller profile (feature -> share) to this centre; see `similarity`."""
        return similarity(self.shares_of, self.cost, other, weights)

    def shares_of(self, feature: str) -> float:
        return self.counts.get(feature, 0) / self.size


def similarity(centre, centre_cost: float, other: dict[str, float], weights: Weights) -> float:
    """Weighted Jaccard (Ruzicka) of a profile against a centre, where the profile's features beyond the
    centre count only KEY_EXCESS: a ticket's extra context ("after the power cut", "in Chrome") should
    not keep it out of its fault's cluster as much as a missing core feature does.

    `centre` maps a feature to its share; `centre_cost` is sum(cost x share) over the centre.
    """
    gain = cost_shared = cost_other = 0.0
    for f, share in other.items():
        both = min(share, centre(f))
        gain += weights.gain[f] * both
        cost_shared += weights.cost[f] * both
        cost_other += weights.cost[f] * share
    union = gain + KEY_EXCESS * (cost_other - cost_shared) + (centre_cost - cost_shared)
    return gain / union if union > 0 else 0.0


def _conflict(a: dict[str, float], b: dict[str, float], weights: Weights, matcher: Matcher) -> bool:
    """Whether the two talk about different things: neither side's core objects (the most telling
    ones) occur on the other side. A certificate that expired and a licence that expired are two faults,
    however much else they share."""

    def core(x: dict[str, float]) -> list[str]:
        scored = {f: s * weights.gain[f] for f, s in x.items() if matcher.kind(f) == "object"}
        top = max(scored.values(), default=0.0)
        return [f for f, score in scored.items() if score >= CORE * top]

    core_a, core_b = core(a), core(b)
    if not core_a or not core_b:
        return False
    return all(b.get(f, 0.0) < ABSENT for f in core_a) and all(a.get(f, 0.0) < ABSENT for f in core_b)


def signature(doc: Doc, matcher: Matcher) -> frozenset[str]:
    """The concepts and error codes of a ticket's description (error codes prefixed with "#")."""
    normalised = textmod.normalise(textmod.description(doc.subject, doc.body))
    concepts = matcher.find(textmod.canonical(normalised, normalised=True))
    codes = textmod.codes(normalised)
    if codes and doc.product:
        codes -= textmod.codes(textmod.normalise(doc.product))
    return frozenset(concepts) | {CODE_PREFIX + code for code in codes}


def base_weight(feature: str, matcher: Matcher) -> float:
    if feature.startswith(CODE_PREFIX):
        return HTTP_WEIGHT if feature.startswith(CODE_PREFIX + "HTTP") else CODE_WEIGHT
    return KIND_WEIGHTS.get(matcher.kind(feature), KIND_WEIGHTS["common"])


def is_anchor(feature: str, matcher: Matcher) -> bool:
    """Features that say something goes wrong: a symptom, a vague failure word or an error code. Only
    tickets with one are clustered on their signature."""
    return feature.startswith(CODE_PREFIX) or matcher.kind(feature) in ANCHOR_KINDS


def is_telling(feature: str, matcher: Matcher) -> bool:
    """Features worth looking up candidate clusters by: all but the common words."""
    return feature.startswith(CODE_PREFIX) or matcher.kind(feature) != "common"


def detect(
    docs: Sequence[Doc],
    matcher: Matcher,
    *,
    threshold: float = THRESHOLD,
    min_size: int = 2,
    signatures: Sequence[frozenset[str]] | None = None,
) -> list[Cluster]:
    """Clusters of at least `min_size` tickets reporting the same fault, largest first."""
    sigs = list(signatures) if signatures is not None else [signature(doc, matcher) for doc in docs]
    weights = weigh(sigs, matcher)
    keyed: dict[frozenset[str], list[int]] = defaultdict(list)
    unanchored: list[int] = []
    for i, sig in enumerate(sigs):
        if any(is_anchor(f, matcher) for f in sig):
            keyed[sig].append(i)
        else:
            unanchored.append(i)
    groups = _merge(_cluster_keys(keyed, weights, matcher, threshold), weights, matcher, threshold)
    clusters = [_finish(g, docs, weights, matcher) for g in groups if g.size >= min_size]
    clusters += [c for c in _cluster_words(docs, unanchored, WORD_THRESHOLD) if c.size >= min_size]
    clusters.sort(key=lambda c: (-c.size, c.numbers[0]))
    return clusters


def weigh(sigs: Sequence[frozenset[str]], matcher: Matcher) -> Weights:
    """Each feature's base weight times its inverse document frequency in these signatures."""
    df = Counter(f for sig in sigs for f in sig)
    n = len(sigs) + PRIOR_DOCS
    gain, cost = {}, {}
    for f, count in df.items():
        rarity = 1 + math.log(n / (count + 1))
        gain[f] = base_weight(f, matcher) * rarity
        cost[f] = (KIND_WEIGHTS["vague"] if f.startswith(CODE_PREFIX) else base_weight(f, matcher)) * rarity
    return Weights(gain, cost)


def _best(
    profile: dict[str, float], candidates: Iterable[int], groups: list[_Group], weights, matcher, threshold
):
    found, top = None, threshold
    for gid in sorted(candidates):
        group = groups[gid]
        if _conflict(group.shares(), profile, weights, matcher):
            continue
        score = group.score(profile, weights)
        if score >= top:
            found, top = gid, score
    return found


def _cluster_keys(keyed, weights: Weights, matcher: Matcher, threshold: float) -> list[_Group]:
    """Leader clustering of the distinct signatures against cluster centres, then a reassignment pass."""
    # Largest groups first, then the most specific: they make the most telling centres.
    order = sorted(keyed, key=lambda k: (-len(keyed[k]), -sum(weights.gain[f] for f in k), sorted(k)))
    anchors = {key: [f for f in key if is_telling(f, matcher)] for key in order}
    groups: list[_Group] = []
    index: dict[str, set[int]] = defaultdict(set)
    for key in order:
        candidates = {g for f in anchors[key] for g in index.get(f, ())}
        gid = _best(dict.fromkeys(key, 1.0), candidates, groups, weights, matcher, threshold)
        if gid is None:
            gid = len(groups)
            groups.append(_Group())
        groups[gid].add(dict.fromkeys(key, len(keyed[key])), len(keyed[key]), (), weights)
        index.update({f: index[f] | {gid} for f in anchors[key]})
    # Second pass against the centres of the first: a signature seen early may fit a later cluster better.
    final = [_Group() for _ in groups]
    for key in order:
        candidates = {g for f in anchors[key] for g in index.get(f, ())}
        gid = _best(dict.fromkeys(key, 1.0), candidates, groups, weights, matcher, threshold)
        if gid is None:  # its own group's centre drifted away from it: keep it on its own
            gid = len(final)
            final.append(_Group())
        final[gid].add(dict.fromkeys(key, len(keyed[key])), len(keyed[key]), keyed[key], weights)
    return [g for g in final if g.size]


def _merge(groups: list[_Group], weights: Weights, matcher: Matcher, threshold: float) -> list[_Group]:
    """Merge whole clusters, smallest into the most similar larger one, until none fits: a small cluster
    split off by an unusual first ticket ("x509: certificate has expired") joins its kin."""
    changed = True
    while changed:
        changed = False
        groups.sort(key=lambda g: -g.size)
        index: dict[str, set[int]] = defaultdict(set)
        for gid, group in enumerate(groups):
            for f in group.counts:
                if is_telling(f, matcher):
                    index[f].add(gid)
        gone: set[int] = set()
        for gid in range(len(groups) - 1, 0, -1):
            small = groups[gid]
            candidates = {o for f in small.counts for o in index.get(f, ()) if o < gid and o not in gone}
            best = _best(small.shares(), candidates, groups, weights, matcher, threshold)
            if best is not None:
                groups[best].add(small.counts, small.size, small.members, weights)
                gone.add(gid)
                changed = True
        groups = [g for gid, g in enumerate(groups) if gid not in gone]
    return groups


def _finish(group: _Group, docs: Sequence[Doc], weights: Weights, matcher: Matcher) -> Cluster:
    shares = group.shares()
    numbers = sorted(docs[i].number for i in group.members)
    kept = {f: weights.gain[f] for f in shares}
    cluster = Cluster(
        numbers=numbers, features=shares, weights=kept, costs={f: weights.cost[f] for f in shares}
    )
    main = sorted((f for f, s in shares.items() if s >= 0.5), key=lambda f: (-shares[f] * kept[f], f))
    cluster.key = "+".join(sorted(main[:4])) or "+".join(sorted(shares))[:300]
    cluster.label = describe(main[:4] or sorted(shares, key=lambda f: -shares[f])[:3], matcher)
    return cluster


def describe(features: Sequence[str], matcher: Matcher) -> str:
    """A readable label in both languages: "expired · certificate / 过期 · 证书 · #E1023"."""
    kinds = {"symptom": 0, "vague": 1, "object": 2, "common": 3}
    concepts = [f for f in features if not f.startswith(CODE_PREFIX)]
    # Words every ticket uses ("console") tell nothing, unless there is nothing else to say.
    telling = [f for f in concepts if matcher.kind(f) != "common"]
    concepts = sorted(telling or concepts, key=lambda f: kinds.get(matcher.kind(f), 3))
    codes = [f[1:] for f in features if f.startswith(CODE_PREFIX)]
    english = " · ".join(matcher.label(f)[0] for f in concepts)
    chinese = " · ".join(matcher.label(f)[1] for f in concepts)
    label = f"{english} / {chinese}" if concepts else ""
    return " · ".join(part for part in (label, *codes) if part)


def _cluster_words(docs: Sequence[Doc], indexes: list[int], threshold: float) -> list[Cluster]:
    """Tickets without symptom or code, grouped by TF-IDF cosine of their words (same language only)."""
    bags = {}
    for i in indexes:
        normalised = textmod.normalise(textmod.description(docs[i].subject, docs[i].body))
        bags[i] = textmod.words(textmod.canonical(normalised, normalised=True))
    return [
        Cluster(numbers=sorted(docs[i].number for i in members), features={}, weights={}, label=label)
        for members, label in word_clusters(bags, threshold)
    ]


def word_clusters(bags: dict[int, set[str]], threshold: float) -> list[tuple[list[int], str]]:
    """Leader clustering of word sets by TF-IDF cosine: (member indexes, the top words) per cluster.

    Also the baseline the benchmark compares against, run over every ticket.
    """
    df = Counter(w for bag in bags.values() for w in bag)
    n = max(len(bags), 1)
    idf = {w: math.log(n / c) + 1 for w, c in df.items()}
    vectors = {}
    for i, bag in bags.items():
        norm = math.sqrt(sum(idf[w] ** 2 for w in bag)) or 1.0
        vectors[i] = {w: idf[w] / norm for w in bag}
    leaders: list[tuple[int, list[int]]] = []
    index: dict[str, list[int]] = defaultdict(list)
    # Common words would make every leader a candidate; rare ones find the same ones faster.
    common = max(50, n // 20)
    for i in sorted(vectors):
        vec = vectors[i]
        candidates = {lid for w in vec if df[w] <= common for lid in index[w]}
        best, top = None, threshold
        for lid in candidates:
            lead = vectors[leaders[lid][0]]
            score = sum(v * lead.get(w, 0.0) for w, v in vec.items())
            if score >= top:
                best, top = lid, score
        if best is None:
            best = len(leaders)
            leaders.append((i, []))
            for w in vec:
                index[w].append(best)
        leaders[best][1].append(i)
    result = []
    for _lead, members in leaders:
        counts = Counter(w for m in members for w in bags[m])
        top_words = sorted(counts, key=lambda w: (-counts[w] * idf[w], w))[:3]
        result.append((members, " · ".join(top_words)))
    return result


def resembles(fresh: dict, stored: dict, matcher: Matcher, threshold: float = THRESHOLD) -> float:
    """How well one signature (`Cluster.signature()`) fits a stored one: the similarity and rules of
    clustering, 0 below the threshold. For dismissed clusters, known problems, trends and effectiveness."""
    shares: dict[str, float] = stored.get("features") or {}
    other: dict[str, float] = fresh.get("features") or {}
    if not shares or not any(is_anchor(f, matcher) for f in other):
        return 0.0
    known = {**stored.get("weights", {}), **fresh.get("weights", {})}
    known_cost = {**stored.get("costs", {}), **fresh.get("costs", {})}
    # Features without a stored weight get their base weight scaled like the stored ones (their rarity).
    ratios = [w / base_weight(f, matcher) for f, w in known.items() if base_weight(f, matcher)]
    scale = sum(ratios) / len(ratios) if ratios else 1.0
    gain, cost = {}, {}
    for f in {*shares, *other}:
        gain[f] = known.get(f, base_weight(f, matcher) * scale)
        cost[f] = known_cost.get(
            f, gain[f] if not f.startswith(CODE_PREFIX) else KIND_WEIGHTS["vague"] * scale
        )
    weights = Weights(gain, cost)
    if _conflict(shares, other, weights, matcher):
        return 0.0
    centre_cost = sum(cost[f] * s for f, s in shares.items())
    score = similarity(lambda f: shares.get(f, 0.0), centre_cost, other, weights)
    return score if score >= threshold else 0.0


def match(sig: frozenset[str], stored: dict, matcher: Matcher, threshold: float = THRESHOLD) -> float:
    """How well one ticket's signature fits a stored cluster signature; 0 below the threshold."""
    return resembles({"features": dict.fromkeys(sig, 1.0)}, stored, matcher, threshold)
