"""Capability engine: memory fit, serving performance, sizing and quality fit of deployments."""
