"""The refusal of a result folder: :class:`TargetError`, one line on the command line.

Raised by the target checks (:mod:`simulation.results.targets`), the manifest reader
(:mod:`simulation.results.manifest`) and the folder lock (:mod:`simulation.results.lock`);
the command line prints it as ``error: <folder>: <message>`` with exit status 2.
"""

from __future__ import annotations

import os

from simulation.scenario.errors import ScenarioError


class TargetError(ScenarioError):
    """A result folder may not be written or read: printed as ``<folder>: <message>``.

    Parameters
    ----------
    folder
        The folder, as the user named it.
    message
        What is wrong and what to do.
    """

    def __init__(self, folder: str | os.PathLike[str], message: str) -> None:
        super().__init__(message, source=os.fspath(folder))

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"
