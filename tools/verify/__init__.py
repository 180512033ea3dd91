"""Verifying a deployed environment against its own config and the catalog, with read-only AWS calls.

`expected` turns an environment's outputs file (`invoke outputs`) plus its stack config and the catalog into
what should be deployed; `checks` compares that with what AWS reports; `results` renders the verdict. Nothing
here writes to AWS: every call is a Describe/Get/List.
"""
