"""The coach: help people write key results that measure outcomes, not outputs.

- ``headway.coach.classifier``: ``classify(texts)`` -> outcome or output, with a score
  (pure: no Django; weights in ``headway/coach/model/``).
- ``headway.coach.features``: what the classifier looks at (pure).
- ``headway coach classify``: the classifier on the command line.

This module imports nothing, so adding the app to INSTALLED_APPS costs nothing at
start-up; the model is read on the first ``classify`` call.
"""
