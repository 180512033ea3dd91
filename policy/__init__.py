"""The CrossGuard policy pack of the trading platform, and its offline application to `plan.json`.

`rules` holds the policies (pure functions over the engine's camelCase inputs), `gate` applies them to
every resource of an offline plan, `pack` describes the pack that `__main__` serves to the Pulumi CLI.
"""
