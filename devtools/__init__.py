"""Shell and local-development tooling: the `ar-models` command, local serving and the local AWS
stack. Installed with the package for developers and operators; never part of a Lambda artifact.
"""
