"""The tests' shared boto3 clients (tests/shared_clients.py) keep what sharing must not change."""
from __future__ import annotations

from botocore.config import Config
from botocore.stub import Stubber
from moto import mock_aws

from tests.shared_clients import SharedClients

CONFIG = Config(connect_timeout=1)


def test_equal_requests_get_one_client_and_different_ones_their_own():
    session = SharedClients(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    sqs = session.client("sqs")
    assert session.client("sqs") is sqs
    assert session.client("sqs", config=CONFIG) is session.client("sqs", config=CONFIG)
    others = [session.client("sns"), session.client("sqs", region_name="eu-west-1"),
              session.client("sqs", endpoint_url="http://127.0.0.1:5000"), session.client("sqs", config=CONFIG)]
    assert len({id(c) for c in [sqs, *others]}) == 5
    assert others[1].meta.region_name == "eu-west-1" and others[2].meta.endpoint_url == "http://127.0.0.1:5000"


def test_a_client_made_under_one_mock_answers_from_the_mock_active_when_it_is_used():
    session = SharedClients(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    with mock_aws():
        sqs = session.client("sqs")
        sqs.create_queue(QueueName="made-under-the-first-mock")
        assert len(sqs.list_queues()["QueueUrls"]) == 1
    with mock_aws():  # a new mock starts empty, and the same client sees it
        assert session.client("sqs") is sqs
        assert "QueueUrls" not in sqs.list_queues()
        sqs.create_queue(QueueName="made-under-the-second-mock")
        assert [url.rsplit("/", 1)[1] for url in sqs.list_queues()["QueueUrls"]] == ["made-under-the-second-mock"]


def test_a_stubber_on_a_shared_client_answers_only_inside_its_block():
    session = SharedClients(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    with mock_aws():
        sqs = session.client("sqs")
        stubber = Stubber(sqs)
        stubber.add_response("list_queues", {"QueueUrls": ["https://stubbed/queue"]})
        with stubber:
            assert session.client("sqs").list_queues()["QueueUrls"] == ["https://stubbed/queue"]
        assert "QueueUrls" not in session.client("sqs").list_queues()  # moto again
