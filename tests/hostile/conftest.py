from .corpus import listener, secret_file  # noqa: F401 - fixtures for every module here
