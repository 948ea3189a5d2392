// /auth: who am I, and the key operations (list, mint, revoke).
import { Router } from "express";
import { listApiKeys } from "../../core/auth/list-api-keys.js";
import { mintApiKey } from "../../core/auth/mint-api-key.js";
import { revokeApiKey } from "../../core/auth/revoke-api-key.js";
import { keyIdSchema, mintKeySchema, revokeKeySchema } from "../../core/auth/schemas.js";
import { whoamiView } from "../../core/auth/scopes.js";
import type { Context } from "../../core/context.js";
import { actorOf } from "../auth.js";

export function authRoutes(ctx: Context): Router {
  const router = Router();

  router.get("/auth/whoami", (_req, res) => {
    res.json(whoamiView(actorOf(res)));
  });

  router.get("/auth/keys", async (_req, res) => {
    res.json({ keys: await listApiKeys(ctx, { actor: actorOf(res) }) });
  });

  router.post("/auth/keys", async (req, res) => {
    const input = mintKeySchema.parse(req.body);
    const created = await mintApiKey(ctx, { actor: actorOf(res), input, ip: req.ip });
    res.set("Cache-Control", "no-store");
    res.status(201).json({ key: created.key, ...created.view });
  });

  router.post("/auth/revoke", async (req, res) => {
    const { keyId } = revokeKeySchema.parse(req.body);
    res.json({ key: await revokeApiKey(ctx, { actor: actorOf(res), keyId, ip: req.ip }) });
  });

  router.delete("/auth/keys/:keyId", async (req, res) => {
    const keyId = keyIdSchema.parse(req.params.keyId);
    res.json({ key: await revokeApiKey(ctx, { actor: actorOf(res), keyId, ip: req.ip }) });
  });

  return router;
}
