// Where things live inside the proxy image (nginx/Dockerfile makes them).
// The three volumes outlive the container.

/** Volume: live site files, their last-known-good copies, and uploads. */
export const BERTH_DIR = "/etc/nginx/berth";
export const SITES_DIR = `${BERTH_DIR}/sites`;
export const GOOD_DIR = `${BERTH_DIR}/good`;
export const STAGING_DIR = `${BERTH_DIR}/staging`;
/** Volume: certbot's accounts, certificates and renewal settings. */
export const LETSENCRYPT_DIR = "/etc/letsencrypt";
/** Volume: the webroot HTTP-01 challenges are served from. */
export const WEBROOT = "/var/www/acme";

export const SECURITY_HEADERS = "/etc/nginx/snippets/berth-security-headers.conf";
/** certbot's deploy hook: checks and reloads nginx after a renewal. */
export const DEPLOY_HOOK = "/usr/local/bin/berth-reload-nginx";
/** Prints the PIDs of the nginx workers that accept new connections. */
export const WORKERS = "/usr/local/bin/berth-nginx-workers";

/** The certificate files of a lineage named after its domain. */
export function certificateFiles(domain: string) {
  return {
    fullchain: `${LETSENCRYPT_DIR}/live/${domain}/fullchain.pem`,
    privkey: `${LETSENCRYPT_DIR}/live/${domain}/privkey.pem`,
  };
}
