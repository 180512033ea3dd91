"""boto3 clients for a service: region from the contract, endpoint from `AWS_ENDPOINT_URL` when set.

In ECS the endpoint is unset and boto3 talks to AWS (through the VPC endpoints where the network has
them); locally and in tests `AWS_ENDPOINT_URL` points every client at moto's server, so the code under
test is the code that ships.
"""
from __future__ import annotations

from collections.abc import Mapping

import boto3
from appkit import contract
from botocore.config import Config

ENDPOINT_ENV = "AWS_ENDPOINT_URL"
# Fail fast: a health probe or a request must not hang on a slow dependency.
FAST = Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 2, "mode": "standard"})


class Clients:
    """Lazily created clients; boto3 clients are thread-safe, so one per service is shared by threads."""

    def __init__(self, environ: Mapping[str, str], session: boto3.session.Session | None = None):
        self._region = environ.get(contract.AWS_REGION)
        self._endpoint = environ.get(ENDPOINT_ENV) or None
        # Keys from the given environment when present (moto locally); otherwise boto3's default chain, which
        # in ECS is the task role through the container credentials endpoint.
        # A given session shares its loaded API models (tests create many services in one process).
        self._session = session or boto3.session.Session(
            aws_access_key_id=environ.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=environ.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=environ.get("AWS_SESSION_TOKEN"))
        self._clients: dict[tuple[str, int], object] = {}

    def get(self, service: str, config: Config = FAST):
        key = (service, id(config))
        if key not in self._clients:
            self._clients[key] = self._session.client(service, region_name=self._region,
                                                      endpoint_url=self._endpoint, config=config)
        return self._clients[key]
