"""ECR: repositories keep tags immutable and scan what is pushed."""
from __future__ import annotations

from policy.inputs import block, is_true
from policy.rules.base import ECR_REPOSITORY, Policy, for_types, resource_policy


@for_types(ECR_REPOSITORY)
def _ecr_immutable(props, report, _config):
    if props.get("imageTagMutability") != "IMMUTABLE":
        report(f"imageTagMutability is {props.get('imageTagMutability')!r}; set "
               f"image_tag_mutability='IMMUTABLE' so a released tag always names the same image")


@for_types(ECR_REPOSITORY)
def _ecr_scan(props, report, _config):
    if not is_true(block(props, "imageScanningConfiguration").get("scanOnPush")):
        report("images are not scanned on push; set image_scanning_configuration={'scan_on_push': True}")


def policies() -> list[Policy]:
    return [
        resource_policy("ecr-immutable-tags", "FSBP ECR.2: ECR repositories have tag immutability, so a release tag "
                        "always names the image that was tested.", _ecr_immutable),
        resource_policy("ecr-scan-on-push", "FSBP ECR.1: ECR repositories scan images on push.", _ecr_scan),
    ]
