"""Recommendation: rank the options, explain the choice, test how sure it is."""

from advisor.recommend.evaluate import evaluate
from advisor.recommend.result import Evaluation

__all__ = ["Evaluation", "evaluate"]
