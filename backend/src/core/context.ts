// What every core operation may use, built once in main.ts (and by the
// tests' helpers) and passed down. No globals, no container.
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import type { Logger } from "../log.js";
import type { DockerEngine } from "../orchestrator/docker.js";
import { KeyVerifier } from "./auth/key-verifier.js";

export interface Context {
  config: Config;
  db: Db;
  engine: DockerEngine;
  log: Logger;
  keys: KeyVerifier;
}

export function createContext(parts: Omit<Context, "keys">): Context {
  return { ...parts, keys: new KeyVerifier(parts.db) };
}
