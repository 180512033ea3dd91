"""The sample apps are imported as their images run them: `apps/common` and `apps/<service>` on the path."""
from __future__ import annotations

import sys
from dataclasses import replace
from uuid import uuid4

import pytest
from moto import mock_aws

from shared.catalog import SERVICES, Store
from tests.shared_clients import MOCKED
from tools.local import APPS_DIR

for directory in ("common", "jwt-rotation", *(s.name for s in SERVICES)):
    path = str(APPS_DIR / directory)
    if path not in sys.path:
        sys.path.insert(0, path)


@pytest.fixture(scope="module")
def moto_stores():
    """The platform's stores under `moto.mock_aws`, created once per module (creating them is the slow part)."""
    from tests.apps import support  # imports appkit, so only once the path above is set
    with mock_aws():
        yield support.create()


@pytest.fixture
def stores(moto_stores):
    """The module's stores with a fresh orders queue, so each test counts only its own messages (moto, like
    SQS, allows one PurgeQueue a minute)."""
    url = MOCKED.client("sqs").create_queue(QueueName=f"sqs-{uuid4().hex[:12]}")["QueueUrl"]
    names = {**moto_stores.stores.names, Store.ORDERS_QUEUE: url}
    return replace(moto_stores, stores=replace(moto_stores.stores, names=names))
