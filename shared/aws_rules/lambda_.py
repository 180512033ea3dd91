"""Argument rules of the lambda resources this repository creates (see shared/aws_rules/model.py)."""
from __future__ import annotations

from shared.aws_rules.iam import ARN, VERIFY_SOURCE
from shared.aws_rules.model import Check, Length, OneOf, Pattern, Range, ResourceRules, Rule

_TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/lambda"
FUNCTION_SOURCE = f"{_TF}/function.go"
PERMISSION_SOURCE = f"{_TF}/permission.go"
INVOCATION_SOURCE = f"{_TF}/invocation.go"
CREATE_FUNCTION = "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html"
ADD_PERMISSION = "https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html"
RUNTIMES = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"
# Python runtimes Lambda supports for new functions (deprecated ones refuse creation; FSBP Lambda.2).
SUPPORTED_PYTHON = ("python3.10", "python3.11", "python3.12", "python3.13")
_ROLE = "arn:aws:iam::123456789012:role/role-jwt-rotation-prod"
_FUNCTION = "lambda-jwt-rotation-prod"

FUNCTION = ResourceRules(
    type="aws:lambda/function:Function",
    source=FUNCTION_SOURCE,
    forces_replacement=frozenset({"name", "packageType"}),
    rules=(
        Rule(id="lambda.function.name.length", argument="name", constraint=Length(1, 64),
             message="FunctionName: Length Constraints: Minimum length of 1. Maximum length of 64.",
             source=CREATE_FUNCTION, fix="shorten the function name", ok=("f", "f" * 64), bad=("", "f" * 65)),
        Rule(id="lambda.function.name.pattern", argument="name", constraint=Pattern(r"[a-zA-Z0-9-_]+",
                                                                                       "letters, digits, - and _"),
             message="FunctionName: Pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?"
                     "(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
             source=CREATE_FUNCTION, fix="use letters, digits, - and _", ok=(_FUNCTION,), bad=("jwt.rotation",)),
        Rule(id="lambda.function.role.arn", argument="role", constraint=ARN, message='"role" is an invalid ARN',
             source=VERIFY_SOURCE, fix="pass the execution role's ARN (role.arn)", ok=(_ROLE,), bad=("role-jwt",)),
        Rule(id="lambda.function.runtime.supported", argument="runtime", constraint=OneOf(SUPPORTED_PYTHON),
             message="InvalidParameterValueException: The runtime parameter of python3.8 is no longer supported for "
                     "creating or updating AWS Lambda functions", source=RUNTIMES,
             fix="use a supported Python runtime", ok=("python3.12",), bad=("python3.8", "python2.7")),
        Rule(id="lambda.function.timeout.range", argument="timeout", constraint=Range(1, 900),
             message="Timeout: Valid Range: Minimum value of 1. Maximum value of 900.", source=CREATE_FUNCTION,
             fix="give a timeout of 1..900 seconds", ok=(1.0, 900.0), bad=(0.0, 901.0)),
        Rule(id="lambda.function.memory-size.range", argument="memorySize", constraint=Range(128, 10240),
             message="MemorySize: Valid Range: Minimum value of 128. Maximum value of 10240.", source=CREATE_FUNCTION,
             fix="give 128..10240 MB", ok=(128.0, 10240.0), bad=(127.0, 10241.0)),
        Rule(id="lambda.function.architectures.enum", argument="architectures[]",
             constraint=OneOf(("x86_64", "arm64")), message='expected architectures.0 to be one of ["x86_64" "arm64"]',
             source=FUNCTION_SOURCE, fix="use x86_64 or arm64", ok=("arm64", "x86_64"), bad=("amd64",)),
        Rule(id="lambda.function.handler.length", argument="handler", constraint=Length(1, 128),
             message="Handler: Length Constraints: Maximum length of 128.", source=CREATE_FUNCTION,
             fix="shorten the handler path", ok=("h", "h" * 128), bad=("", "h" * 129)),
        Rule(id="lambda.function.log-format.enum", argument="loggingConfig.logFormat",
             constraint=OneOf(("JSON", "Text")),
             message='expected logging_config.0.log_format to be one of ["JSON" "Text"]', source=FUNCTION_SOURCE,
             fix="use JSON or Text", ok=("JSON", "Text"), bad=("json",)),
    ),
)

PERMISSION = ResourceRules(
    type="aws:lambda/permission:Permission",
    source=PERMISSION_SOURCE,
    forces_replacement=frozenset({"action", "function", "principal", "sourceAccount", "sourceArn", "statementId",
                                  "qualifier", "eventSourceToken", "principalOrgId", "functionUrlAuthType"}),
    rules=(
        Rule(id="lambda.permission.action.pattern", argument="action",
             constraint=Pattern(r"(lambda:[*]|lambda:[a-zA-Z]+|[*])", "lambda:<Action> or *"),
             message="Action: Pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])", source=ADD_PERMISSION,
             fix="grant lambda:InvokeFunction", ok=("lambda:InvokeFunction",), bad=("InvokeFunction",)),
        Rule(id="lambda.permission.source-account.pattern", argument="sourceAccount",
             constraint=Pattern(r"\d{12}", "a 12-digit account id"), message="SourceAccount: Pattern: \\d{12}",
             source=ADD_PERMISSION, fix="pass the account id", ok=("123456789012",), bad=("12345", "account")),
        Rule(id="lambda.permission.principal.length", argument="principal", constraint=Length(1, 256),
             message="Principal: Pattern: [^\\s]+", source=ADD_PERMISSION, fix="name the invoking service principal",
             ok=("secretsmanager.amazonaws.com", "p", "p" * 256), bad=("", "p" * 257)),
    ),
)

INVOCATION = ResourceRules(
    type="aws:lambda/invocation:Invocation",
    source=INVOCATION_SOURCE,
    forces_replacement=frozenset({"functionName", "qualifier"}),
    rules=(
        Rule(id="lambda.invocation.input.json", argument="input",
             constraint=Check(lambda v: None if isinstance(v, str) and v.lstrip().startswith("{") else
                              "must be a JSON object string", "a JSON object string"),
             message='"input" contains an invalid JSON', source=INVOCATION_SOURCE,
             fix="pass json.dumps of an object", ok=('{"Step": "bootstrap"}',), bad=("bootstrap", "[]")),
        Rule(id="lambda.invocation.lifecycle-scope.enum", argument="lifecycleScope",
             constraint=OneOf(("CREATE_ONLY", "CRUD")), message='expected lifecycle_scope to be one of '
             '["CREATE_ONLY" "CRUD"]', source=INVOCATION_SOURCE, fix="use CREATE_ONLY (the default) or CRUD",
             ok=("CREATE_ONLY", "CRUD"), bad=("create",)),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (FUNCTION, PERMISSION, INVOCATION)
