"""The library every Pulumi project of this repository imports.

Pure modules (naming, config, contracts, catalog, CIDR maths) have no Pulumi import so they are tested with
plain tables; `shared.components` holds the ComponentResources; `tools.plan` runs the real programs offline.
"""
