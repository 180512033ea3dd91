"""Entry point the Pulumi CLI runs for `--policy-pack policy/`. `PolicyPack` starts a gRPC server and never
returns, so nothing else lives here and tests never import it (they test `policy.pack` and `policy.rules`)."""
from pulumi_policy import PolicyPack

from policy.pack import pack_arguments

PolicyPack(**pack_arguments())
