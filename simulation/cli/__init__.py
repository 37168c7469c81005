"""The command line: ``servicesim run | validate | sweep | compare | report | propose`` and its
terminal text. Bad input ends in one line on stderr and exit status 2."""
