"""Only what pyproject.toml cannot say: the top-level prompts/ folder ships as package `service.prompts`.

The product keeps its templates at the repository's top level; mapping that folder into the package
lets a wheel carry them, so `pip install .` serves drafts from any directory.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["service", "service.*"]), "service.prompts"],
    package_dir={"service.prompts": "prompts"},
)
