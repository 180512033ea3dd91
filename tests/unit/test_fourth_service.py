"""Issue 17.7: the catalog really is the only place to add a service. A copy of the tree gets a fourth catalog
entry (`risk-service`, called by api-gateway, reading the trades table and a secret) and its dev stack file,
and nothing else; then, in a fresh interpreter on that copy: the offline plan of dev, the policy pack, the
provider checks and the deployability analysis all pass with the new service wired in, and local-up refuses it
with the fix (it has no sample app). A fresh interpreter, because the programs' components take the catalog as
the default of their arguments, bound when shared.catalog is first imported: only a real catalog edit reaches
them, as it would for a team adding a service."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

RISK_ENTRY = '''    Service(
        name="risk-service", port=8093, cpu=512, memory=1024, owner_team="trading-risk",
        callers=("api-gateway",),
        secrets=(Secret.DATABASE_URL,),
        stores=(StoreAccess(Store.TRADES_TABLE, ("dynamodb:GetItem", "dynamodb:Query")),),
    ),
'''
STACK_FILE = """config:
  services:environmentSuffix: dev
  services:imageTag: 1.0.0
"""
# Runs on the copy: everything a team's pull request meets before review.
CHECKS = """
import json
from shared.catalog import SERVICES
from tools.plan.runner import plan_document, plan_environment
from policy.gate import gate_document
from tools.provider_checks import check_document
from tools.analysis import analyse
from tools import local

plans = plan_environment("dev", SERVICES)
document = json.loads(json.dumps(plan_document("dev", plans)))
gate = gate_document(document)
provider = check_document(document)
analysis = analyse(document, SERVICES)
try:
    local.select_services(services=SERVICES)
    refusal = None
except local.LocalError as error:
    refusal = str(error)
risk = next(s for s in document["stacks"] if s["stack"] == "risk-service-dev")
api = next(s for s in document["stacks"] if s["stack"] == "api-gateway-dev")
[api_task] = [r for r in api["resources"] if r["type"] == "aws:ecs/taskDefinition:TaskDefinition"]
registry = next(s for s in document["stacks"] if s["project"] == "registry")
print(json.dumps({
    "catalog": [s.name for s in SERVICES],
    "stacks": [f"{s['project']}/{s['stack']}" for s in document["stacks"]],
    "risk_types": sorted({r["type"] for r in risk["resources"] if r["custom"]}),
    "api_environment": {e["name"]: e["value"]
                        for e in json.loads(api_task["inputs"]["containerDefinitions"])[0]["environment"]},
    "repositories": sorted(r["inputs"]["name"] for r in registry["resources"]
                           if r["type"] == "aws:ecr/repository:Repository"),
    "gate_mandatory": [f"{f.stack} {f.resource}: {f.message}" for f in gate.mandatory],
    "provider": [f"{f.stack} {f.resource}: {f.message}" for f in provider.findings],
    "analysis": [f"{f.stack} {f.resource}: {f.message}" for f in analysis.failures],
    "analysed_risk": sorted({f.rule for f in analysis.findings if f.stack == "risk-service"}),
    "refusal": refusal,
}))
"""


def tree_with_a_fourth_service(target: Path) -> Path:
    for name in ("shared", "tools", "policy", "projects", "apps"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    catalog = target / "shared" / "catalog.py"
    text = catalog.read_text()
    anchor = "\n)\n\n\nclass CatalogError"
    assert text.count(anchor) == 1, "the SERVICES tuple no longer ends where this test adds an entry"
    catalog.write_text(text.replace(anchor, "\n" + RISK_ENTRY.rstrip("\n") + anchor))
    (target / "projects" / "services" / "Pulumi.risk-service-dev.yaml").write_text(STACK_FILE)
    return target


def test_a_fourth_catalog_service_plans_passes_every_gate_and_local_up_refuses_it(tmp_path):
    tree = tree_with_a_fourth_service(tmp_path / "repo")
    done = subprocess.run([sys.executable, "-c", CHECKS], cwd=tree, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    assert result["catalog"] == ["frontend", "api-gateway", "processing-service", "risk-service"]
    assert "services/risk-service-dev" in result["stacks"]
    assert {"aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition", "aws:iam/role:Role",
            "aws:servicediscovery/service:Service"} <= set(result["risk_types"])
    assert "ecr-risk-service-dev" in result["repositories"]
    # its caller learns where it is, from the catalog alone
    assert result["api_environment"]["RISK_SERVICE_URL"] == "http://risk-service.trading-dev.internal:8093"
    assert result["gate_mandatory"] == []
    assert result["provider"] == []
    assert result["analysis"] == []
    assert result["analysed_risk"]  # the analysis looked at it, it did not skip it
    # api-gateway calls it, and frontend calls api-gateway: what can still run locally is processing-service
    assert result["refusal"] == ("no sample app for risk-service: add apps/risk-service or run local-up --services "
                                 "processing-service")
