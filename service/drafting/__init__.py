"""Drafting: analysis-driven prompts (prompts.py), the offline composer (composer.py), the pipeline.

Submodules are imported explicitly (``from service.drafting.prompts import PromptBuilder``); this
package file stays empty of imports so that importing one part never drags in the others.
"""
