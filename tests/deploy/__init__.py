"""Tests of the deploy tooling (tools/deploy): phases, gates, preflight, progress, the engine protocol."""
