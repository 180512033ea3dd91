"""The ConfigSource real programs use, read in-process: each test runs in a copy of the context, so the Pulumi
SDK's settings and config (context variables) it sets never reach another test. (The end-to-end case, a program
under the offline plan, is in test_plan_runner.py; it runs in a forked process.)"""
from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import Any

import pulumi

from shared.settings.pulumi_source import PulumiConfigSource, pulumi_config_source

CONFIG = {"network:greeting": "hello", "network:token": "s3cret", "registry:greeting": "hi",
          "registry:token": "t0ken"}
SECRET_KEYS = ["network:token", "registry:token"]


def in_stack(read: Callable[[], Any], project: str = "network", stack: str = "dev") -> Any:
    def run() -> Any:
        pulumi.runtime.reset_options(project=project, stack=stack)
        pulumi.runtime.set_all_config(CONFIG, SECRET_KEYS)
        return read()

    return contextvars.copy_context().run(run)


def test_the_source_is_the_running_stacks():
    source = in_stack(pulumi_config_source, project="registry", stack="prod")
    assert (source.project, source.stack) == ("registry", "prod")


def test_plain_keys_read_as_strings_of_the_sources_own_project():
    # the program runs as network; the source reads registry's keys, as its project says
    source = PulumiConfigSource(project="registry", stack="dev")
    assert in_stack(lambda: (source.get("greeting"), source.get("absent"))) == ("hi", None)
    assert in_stack(lambda: (source.is_secret("token"), source.is_secret("greeting"))) == (True, False)


def test_a_secret_key_reads_as_an_output_marked_secret():
    source = PulumiConfigSource(project="registry", stack="dev")

    async def read() -> tuple:
        token = source.get_secret("token")
        assert isinstance(token, pulumi.Output)
        return await token.future(), await token.is_secret(), source.get_secret("absent")

    def on_own_loop() -> tuple:
        # not asyncio.run, which leaves the thread without a current event loop for the tests after this one
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(read())
        finally:
            loop.close()

    assert in_stack(on_own_loop) == ("t0ken", True, None)
