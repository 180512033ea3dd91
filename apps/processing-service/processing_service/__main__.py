"""`python -m` entry point, the image's CMD."""
from appkit.runner import main
from processing_service.app import build

raise SystemExit(main("processing-service", build))
