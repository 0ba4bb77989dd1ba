# Installing tte: the default config for /etc (make install, the Debian
# package), the man pages and the package checked by the tests.
TOOLS += conf-default
TESTS += dist_man dist_print dist_package
