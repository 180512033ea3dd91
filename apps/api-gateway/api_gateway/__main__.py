"""`python -m` entry point, the image's CMD."""
from api_gateway.app import build
from appkit.runner import main

raise SystemExit(main("api-gateway", build))
