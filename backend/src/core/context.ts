// What every core operation may use, built once in main.ts and passed down.
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import type { Logger } from "../log.js";
import type { DockerEngine } from "../orchestrator/docker.js";

export interface Context {
  config: Config;
  db: Db;
  engine: DockerEngine;
  log: Logger;
}
