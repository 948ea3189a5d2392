// What the doors show of an environment.
import type { Environment } from "../../generated/prisma/client.js";

export interface EnvironmentView {
  id: string;
  name: string;
  slug: string;
  status: Environment["status"];
  overlayNetworkId: string | null;
  networkName: string;
  createdAt: Date;
  public: {
    domain: string | null;
    status: Environment["publicStatus"];
    service: string | null;
    port: number | null;
    error: string | null;
  };
}

export function toEnvironmentView(env: Environment): EnvironmentView {
  return {
    id: env.id,
    name: env.name,
    slug: env.slug,
    status: env.status,
    overlayNetworkId: env.networkId,
    networkName: env.networkName,
    createdAt: env.createdAt,
    public: {
      domain: env.publicDomain,
      status: env.publicStatus,
      service: env.publicService,
      port: env.publicPort,
      error: env.certError,
    },
  };
}
