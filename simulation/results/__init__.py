"""The results layer: the one owner of the result-folder format.

Where results may be written (targets and locks), how they are written (atomically, with a
checksummed manifest), the store of finished runs that lets a sweep resume, and reading back.
"""
