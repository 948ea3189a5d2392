#!/bin/sh
# The proxy container's entrypoint (under tini): the certificate renewal loop
# in the background, nginx in the foreground as the container's main process.
set -eu
mkdir -p /etc/nginx/berth/sites /etc/nginx/berth/good /etc/nginx/berth/staging \
  /var/www/acme /etc/letsencrypt
/usr/local/bin/berth-renew-loop &
exec nginx -g 'daemon off;'
