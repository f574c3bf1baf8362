"""Headway: a self-hosted OKR and alignment platform."""
