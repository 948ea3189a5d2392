// Deploying the test app through Berth's REST door and waiting for the truth.
import { call, type TestBerth } from "./berth.js";
import { waitFor } from "./wait.js";

export const APP = "127.0.0.1:5000/berth-test/app";

/** The test app's health check, in Berth's exec form (the image has no shell or curl). */
export const HEALTHCHECK = {
  httpPath: "/health",
  probe: ["/usr/bin/node", "/app/probe.js"],
  port: 8080,
  interval: "1s",
  startPeriod: "0s",
};

export interface Accepted {
  jobId: string;
  deploymentId: string;
  status: string;
}

export interface DeploymentBody {
  id: string;
  jobId: string;
  status: string;
  errorMessage: string | null;
  serviceId: string | null;
  replicas: number;
  tag: string;
  digest: string | null;
  kind: string;
  warnings: string[];
  containers?: { taskId: string; state: string; health: string | null; exitCode: number | null }[];
  envVars: { name: string; secret: boolean; value: string }[];
}

export async function createEnv(t: TestBerth, key: string, name: string): Promise<string> {
  const answer = await call<{ environment: { id: string } }>(`${t.url}/environments`, {
    method: "POST",
    key,
    body: { name },
  });
  if (answer.status !== 201) throw new Error(`environment: ${JSON.stringify(answer.body)}`);
  return answer.body.environment.id;
}

export function deploy(t: TestBerth, key: string, body: Record<string, unknown>) {
  return call<
    Accepted & { error?: { code: string; message: string; details?: Record<string, unknown> } }
  >(`${t.url}/deployments`, {
    method: "POST",
    key,
    body: { image: APP, tag: "v1", ports: [{ containerPort: 8080 }], ...body },
  });
}

export async function getDeployment(
  t: TestBerth,
  key: string,
  id: string,
): Promise<DeploymentBody> {
  const answer = await call<{ deployment: DeploymentBody }>(`${t.url}/deployments/${id}`, { key });
  return answer.body.deployment;
}

/** Waits until the deployment is RUNNING or FAILED (or another final state). */
export async function settled(t: TestBerth, key: string, id: string, timeoutMs = 120_000) {
  return waitFor(
    async () => {
      const d = await getDeployment(t, key, id);
      return ["RUNNING", "FAILED", "REMOVED", "SUPERSEDED"].includes(d.status) ? d : null;
    },
    { timeoutMs, intervalMs: 300 },
  );
}
