#!/bin/sh
# certbot's deploy hook: a certificate was renewed, so nginx reloads to serve
# it. A reload only happens when the configuration still passes the check.
set -eu
nginx -t -q && nginx -s reload
