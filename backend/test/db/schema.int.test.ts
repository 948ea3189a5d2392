// The migrated database matches schema.prisma as the generated client sees
// it: every model and every scalar field can be written and read back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../src/generated/prisma/client.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

type Delegate = { findMany(args: unknown): Promise<unknown[]> };

describe("schema against the migrated database", () => {
  it("selects every scalar field of every model", async () => {
    const models = Object.values(Prisma.ModelName);
    expect(models.length).toBeGreaterThanOrEqual(9);
    for (const model of models) {
      const fields = (Prisma as unknown as Record<string, Record<string, string>>)[
        `${model}ScalarFieldEnum`
      ];
      expect(fields, model).toBeDefined();
      const select = Object.fromEntries(Object.keys(fields!).map((f) => [f, true]));
      const delegate = (t.db as unknown as Record<string, Delegate>)[
        model[0]!.toLowerCase() + model.slice(1)
      ];
      await expect(delegate!.findMany({ select, take: 1 }), model).resolves.toEqual([]);
    }
  });

  it("round-trips a full object graph", async () => {
    const user = await t.db.user.create({
      data: { name: "Ada", telegramId: 42n, role: "ADMIN" },
    });
    await t.db.apiKey.create({
      data: {
        keyId: "k1",
        secretHash: "$2b$hash",
        name: "laptop",
        scopes: ["environments:read"],
        environmentIds: [],
        expiresAt: new Date(Date.now() + 1000),
        userId: user.id,
      },
    });
    await t.db.magicLink.create({
      data: {
        tokenHash: "h",
        purpose: "API_KEY",
        keyName: "laptop",
        expiresAt: new Date(),
        userId: user.id,
      },
    });
    const env = await t.db.environment.create({
      data: { name: "web", slug: "web-abc123", networkName: "berth_web-abc123", ownerId: user.id },
    });
    await t.db.volume.create({
      data: { name: "data", dockerName: "berth_web-abc123_data", environmentId: env.id },
    });
    const first = await t.db.deployment.create({
      data: {
        jobId: "job_1",
        serviceName: "app",
        image: "127.0.0.1:5000/berth-test/app",
        tag: "v1",
        replicas: 2,
        ports: [{ target: 8080 }],
        envVars: [{ name: "A", sealed: "x" }],
        warnings: ["no-new-privileges not applied"],
        environmentId: env.id,
      },
    });
    const second = await t.db.deployment.create({
      data: {
        jobId: "job_2",
        kind: "UPDATE",
        serviceName: "app",
        image: "127.0.0.1:5000/berth-test/app",
        tag: "v2",
        replicas: 2,
        environmentId: env.id,
        previousDeploymentId: first.id,
      },
    });
    await t.db.container.create({
      data: { taskId: "task1", state: "running", exitCode: 0, deploymentId: second.id },
    });
    await t.db.deploymentEvent.create({
      data: { type: "status", status: "RUNNING", message: "running", deploymentId: second.id },
    });
    await t.db.auditEvent.create({
      data: { action: "key.created", userId: user.id, detail: { name: "laptop" } },
    });

    const graph = await t.db.user.findUniqueOrThrow({
      where: { telegramId: 42n },
      include: {
        apiKeys: true,
        magicLinks: true,
        environments: {
          include: {
            volumes: true,
            deployments: { include: { containers: true, events: true, previousDeployment: true } },
          },
        },
      },
    });
    expect(graph.role).toBe("ADMIN");
    expect(graph.apiKeys[0]!.scopes).toEqual(["environments:read"]);
    const deployments = graph.environments[0]!.deployments.sort((a, b) =>
      a.jobId.localeCompare(b.jobId),
    );
    expect(deployments.map((d) => d.status)).toEqual(["PENDING", "PENDING"]);
    expect(deployments[1]!.previousDeployment?.id).toBe(first.id);
    expect(deployments[1]!.containers[0]!.taskId).toBe("task1");
    expect(deployments[1]!.events[0]!.status).toBe("RUNNING");
    expect(deployments[0]!.ports).toEqual([{ target: 8080 }]);
    expect(graph.environments[0]!.volumes[0]!.name).toBe("data");
  });

  it("enforces a name unique per owner", async () => {
    const owner = await t.db.user.create({ data: { name: "Bo" } });
    const data = { name: "same", ownerId: owner.id };
    await t.db.environment.create({ data: { ...data, slug: "s1", networkName: "n1" } });
    await expect(
      t.db.environment.create({ data: { ...data, slug: "s2", networkName: "n2" } }),
    ).rejects.toMatchObject({ code: "P2002" });
  });
});
