// What the doors show of an environment's public state.
import type { Environment } from "../../generated/prisma/client.js";

export interface PublicView {
  environmentId: string;
  domain: string | null;
  /** NONE, PENDING_CERT, ACTIVE, CERT_FAILED or REMOVING. */
  status: Environment["publicStatus"];
  service: string | null;
  port: number | null;
  /** Why the last issuance failed (certbot's or nginx's words). */
  error: string | null;
  url: string | null;
  certIssuedAt: Date | null;
}

export function toPublicView(env: Environment): PublicView {
  return {
    environmentId: env.id,
    domain: env.publicDomain,
    status: env.publicStatus,
    service: env.publicService,
    port: env.publicPort,
    error: env.certError,
    url: env.publicStatus === "ACTIVE" && env.publicDomain ? `https://${env.publicDomain}` : null,
    certIssuedAt: env.certIssuedAt,
  };
}
