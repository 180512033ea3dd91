"""`python -m` entry point, the image's CMD."""
from appkit.runner import main

from frontend.app import build

raise SystemExit(main("frontend", build))
