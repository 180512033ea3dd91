"""Example values committed in the stack files, each to be replaced before that environment is deployed for real.

One table: which stack and key, the example value as committed, what it breaks if deployed, the command that
replaces it, and whether it blocks a deploy of its environment. Every prod example blocks (prod must never run
on an example); dev's only warn, since dev must deploy as committed. Whether an example is still in place is
read from the stack file itself, so a replaced value stops being reported with no change here.

The plan prints the examples still in place per environment; `blocking_placeholders` is what a deploy or a
plan check refuses on (unless told to allow them).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.stack_config import read_stack_file
from shared.stacks import StackId, deploy_order, qualified_stack_name

# The example ciphertext of both prod secrets: base64 "EXAMPLE" and "REPLACE-WITH-pulumi-config-set--secret".
EXAMPLE_CIPHERTEXT = "v1:RVhBTVBMRQ==:UkVQTEFDRS1XSVRILXB1bHVtaS1jb25maWctc2V0LS1zZWNyZXQ="


@dataclass(frozen=True)
class Placeholder:
    stack: StackId
    key: str
    example: str  # the committed value; for a list, one of its items; for a `secure:` value, its ciphertext
    breaks: str   # what happens if it is deployed as is
    replace: str  # the command that replaces it, run in projects/<project>; {stack} is the stack's full name
    blocking: bool

    @property
    def command(self) -> str:
        return f"cd projects/{self.stack.project} && {self.replace.format(stack=qualified_stack_name(self.stack))}"

    def __str__(self) -> str:
        level = "BLOCKS DEPLOY" if self.blocking else "warning"
        return f"[{level}] {self.stack} {self.key} = {self.example!r} (example): {self.breaks}. Replace: {self.command}"


_PLATFORM_PROD = StackId("platform", "prod")
_VENUE_PROD = StackId("services", "processing-service-prod")
_VENUE_DEV = StackId("services", "processing-service-dev")

PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder(_PLATFORM_PROD, "platform:certificateArn",
                "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
                "no such certificate: creating the HTTPS listener fails, and with requireHttps prod has no other "
                "listener", "pulumi config set platform:certificateArn "
                "arn:aws:acm:us-east-1:<account>:certificate/<id> --stack {stack}", blocking=True),
    Placeholder(_PLATFORM_PROD, "platform:databaseUrl", EXAMPLE_CIPHERTEXT,
                "an example ciphertext no secrets provider can decrypt: `pulumi preview`/`up` stop at reading config",
                "pulumi config set --secret platform:databaseUrl '<connection string>' --stack {stack}", blocking=True),
    Placeholder(_PLATFORM_PROD, "platform:thirdPartyApiKeys", EXAMPLE_CIPHERTEXT,
                "an example ciphertext no secrets provider can decrypt: `pulumi preview`/`up` stop at reading config",
                "pulumi config set --secret platform:thirdPartyApiKeys '<JSON of venue keys>' --stack {stack}",
                blocking=True),
    Placeholder(_PLATFORM_PROD, "platform:alarmEmails", "trading-oncall@example.com",
                "alarms go to a reserved example domain: the subscription is never confirmed and nobody is paged",
                "pulumi config set --path 'platform:alarmEmails[0]' <on-call address> --stack {stack}", blocking=True),
    Placeholder(_VENUE_PROD, "services:venueUrl", "https://venue.example.com",
                "every order fails at the venue call (a reserved example domain)",
                "pulumi config set services:venueUrl https://<venue endpoint> --stack {stack}",
                blocking=True),
    Placeholder(_VENUE_DEV, "services:venueUrl", "https://venue-sandbox.example.com",
                "orders fail at the venue call in dev (a reserved example domain); the rest of dev works",
                "pulumi config set services:venueUrl https://<venue sandbox endpoint> --stack {stack}",
                blocking=False),
)


def _in_place(committed: Any, example: str) -> bool:
    if isinstance(committed, dict):
        return committed.get("secure") == example
    if isinstance(committed, list):
        return example in committed
    return committed == example


def placeholders_in_place(environment: str, table: tuple[Placeholder, ...] = PLACEHOLDERS) -> list[Placeholder]:
    """The environment's examples still in its stack files, in deploy order (a replaced one is not listed)."""
    stacks = deploy_order(environment)
    files = {stack: read_stack_file(stack) for stack in stacks if any(p.stack == stack for p in table)}
    return [p for stack in stacks for p in table
            if p.stack == stack and _in_place(files[stack].get(p.key), p.example)]


def blocking_placeholders(environment: str, table: tuple[Placeholder, ...] = PLACEHOLDERS) -> list[Placeholder]:
    """The examples still in place that must be replaced before this environment is deployed."""
    return [p for p in placeholders_in_place(environment, table) if p.blocking]


def render_placeholders(environment: str, table: tuple[Placeholder, ...] = PLACEHOLDERS) -> str:
    found = placeholders_in_place(environment, table)
    blocking = sum(p.blocking for p in found)
    head = (f"placeholders ({environment}): {len(found)} example value(s) still in the stack files, {blocking} "
            f"block(s) a deploy")
    return "\n".join([head, *(f"  {p}" for p in found)])
