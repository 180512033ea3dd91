"""The JWT signing-key rotation function: a Secrets Manager rotation Lambda (Python, boto3 only).

`keyset` is the key-set format and its rotation (pure); `handler` is the Lambda entry point that runs the
four rotation steps against Secrets Manager, plus the one-off bootstrap that writes the first set.
"""
