"""The fact-check desk: an evidence base of checked claims, claim matching, rumor signals,
claim clusters and published corrections (ClaimReview).

Modules: ``evidence`` (records, import, revisions), ``text`` (normalisation and tokens),
``matcher`` (BM25 retrieval + calibrated decision), ``evalset`` / ``evaluate`` (the paraphrase
evaluation), ``rumor`` (the CED rumor-signal classifier), ``desk`` (review queue, clusters),
``corrections`` (drafts, review, ClaimReview JSON-LD), ``component`` (the ``analyze.claims``
pipeline component).
"""
