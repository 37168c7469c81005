"""The generator of the Swedish scenarios in ``configs/sweden/`` (entry point: ``tools/build_sweden.py``).

One module per step, inputs first:

* ``parameters`` -- every constant, each sourced [S] or an assumption id (``docs/scenarios.md``);
* ``areas`` -- ``data/sweden/areas.csv``: municipalities and police-listed areas;
* ``offices`` -- ``data/sweden/offices.csv`` and ``regions.csv``: today's offices and the regions;
* ``sizing`` -- the expected-load model that sizes counters and places new sites;
* ``sections`` -- scenario sections as plain data plus their ``# comments``;
* ``scenarios`` -- region and national scenarios; ``pilots`` -- the pilot sweeps;
* ``emit`` -- commented YAML through ruamel.yaml; ``overview`` -- ``OVERVIEW.md``;
* ``build`` -- everything into one folder.
"""
