"""The project's configuration: settings (``config.settings``, and ``config.settings_test`` for the
test suite), the root URLs and the WSGI entry point. The apps themselves are beside it."""
