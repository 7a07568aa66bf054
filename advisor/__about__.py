"""Name, version and application id of LLM Sourcing Advisor, defined once."""

__app_name__ = "LLM Sourcing Advisor"
__app_id__ = "io.github.llm_sourcing_advisor.Advisor"
__version__ = "0.1.0"
__author__ = "LLM Sourcing Advisor contributors"
