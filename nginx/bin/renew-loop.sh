#!/bin/sh
# Renews every certificate due for renewal twice a day (certbot only renews
# those within 30 days of expiry); the deploy hook reloads nginx after one is
# renewed. Each certificate's own renewal settings (webroot, ACME directory)
# were saved by certbot when it was issued.
set -u
interval="${BERTH_RENEW_INTERVAL_SECONDS:-43200}"
while :; do
  sleep "$interval"
  certbot renew --non-interactive --no-random-sleep-on-renew \
    --deploy-hook /usr/local/bin/berth-reload-nginx ||
    echo "berth-renew-loop: certbot renew failed; retrying in ${interval}s" >&2
done
