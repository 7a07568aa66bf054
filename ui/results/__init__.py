"""The results: live re-evaluation, the options table model and the charts."""
