"""boto3 clients made once per test process and handed to every later caller.

Making a client costs 10 to 20 ms (its API model, endpoint rules, retry and event hooks; twice that under
coverage), and the verifier, deploy and sample-app tests made about 1,500 a run, a fifth of the suite's CPU.
Sharing them is safe with moto: its handler is on every client (botocore's built-in handlers) and answers from
whichever `mock_aws` is active when a request is sent, so a client made under one test's mock serves the next
test's. A botocore Stubber put on a shared client is active only inside its `with` block.
"""
from __future__ import annotations

from typing import Any

import boto3


class SharedClients(boto3.session.Session):
    """A session whose `client()` makes each (service, region, options) client once."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.made: dict[tuple[str, str | None, str], Any] = {}

    def client(self, service_name: str, region_name: str | None = None, **kwargs: Any) -> Any:  # type: ignore[override]
        # Options hold plain values or module-level Config objects, whose repr names the object: equal options,
        # same client.
        key = (service_name, region_name, repr(sorted(kwargs.items())))
        if key not in self.made:
            self.made[key] = super().client(service_name, region_name=region_name, **kwargs)  # type: ignore[call-overload]
        return self.made[key]


# The tests' calls to the mocked account (building it, changing it under the code being tested), and the session
# the verifier and the deploy's preflight checks are given in their tests.
MOCKED = SharedClients(region_name="us-east-1")
