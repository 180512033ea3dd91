"""Small standard-library toolkit the three sample services share: settings, JSON logs, JWT, HTTP.

It ships inside each image (every Dockerfile copies it) and never imports the infrastructure repository:
the catalog's facts it needs are copied into `appkit.contract`, which a test holds equal to the catalog.
"""
