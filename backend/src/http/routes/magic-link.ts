// /auth/verify: the page a magic link opens. GET shows what the link would
// do and consumes nothing (link previewers and mail scanners fetch it); the
// button POSTs the token, which creates the key and shows it once. JSON
// clients send Accept: application/json.
import express, { Router, type Request, type Response } from "express";
import { z } from "zod";
import { inspectMagicLink, redeemMagicLink } from "../../core/auth/magic-links.js";
import type { Context } from "../../core/context.js";
import { AppError } from "../../core/errors.js";
import { errorBody, STATUS_BY_CODE, toAppError } from "../errors.js";
import { COPY_JS, PAGE_CSS } from "../pages/assets.js";
import { PAGE_HEADERS } from "../pages/html.js";
import { confirmPage, keyPage, problemPage } from "../pages/magic-link.js";
import { verifyLimiter } from "../rate-limits.js";

const tokenSchema = z.object({ token: z.string().min(1).max(200) });

const wantsJson = (req: Request) => req.accepts(["html", "json"]) === "json";

function fail(req: Request, res: Response, error: unknown) {
  const appError = toAppError(error);
  res.status(STATUS_BY_CODE[appError.code]).set(PAGE_HEADERS);
  if (wantsJson(req)) {
    res.json(errorBody(appError));
    return;
  }
  const title = appError.code === "GONE" ? "Link no longer valid" : "Link not valid";
  res.type("html").send(problemPage(title, appError.message));
}

function tokenFrom(source: unknown): string {
  const parsed = tokenSchema.safeParse(source);
  if (!parsed.success) throw new AppError("NOT_FOUND", "this link is not valid");
  return parsed.data.token;
}

export function magicLinkRoutes(ctx: Context): Router {
  const router = Router();
  const limit = verifyLimiter(ctx);
  const form = express.urlencoded({ extended: false, limit: "4kb" });

  router.get("/auth/assets/page.css", (_req, res) => {
    res.type("css").set("Cache-Control", "public, max-age=3600").send(PAGE_CSS);
  });
  router.get("/auth/assets/copy.js", (_req, res) => {
    res.type("js").set("Cache-Control", "public, max-age=3600").send(COPY_JS);
  });

  router.get("/auth/verify", limit, async (req, res) => {
    try {
      const token = tokenFrom(req.query);
      const info = await inspectMagicLink(ctx, token);
      res.set(PAGE_HEADERS);
      if (wantsJson(req)) res.json(info);
      else res.type("html").send(confirmPage({ ...info, token }));
    } catch (error) {
      fail(req, res, error);
    }
  });

  router.post("/auth/verify", limit, form, async (req, res) => {
    try {
      const created = await redeemMagicLink(ctx, tokenFrom(req.body), { ip: req.ip });
      res.status(201).set(PAGE_HEADERS);
      if (wantsJson(req)) {
        res.json({ key: created.key, ...created.view });
        return;
      }
      const apiBase = ctx.config.PUBLIC_URL.replace(/\/$/, "");
      res.type("html").send(
        keyPage({
          key: created.key,
          keyName: created.view.name,
          expiresAt: created.view.expiresAt,
          apiBase,
        }),
      );
    } catch (error) {
      fail(req, res, error);
    }
  });

  return router;
}
