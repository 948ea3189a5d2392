// Secret values never leave Berth: log text is scrubbed of the values of a
// deployment's secret env vars (and of any whose name says it is secret).
import type { EnvVar } from "./normalize.js";

const SECRET_NAME = /pass|secret|token|key|credential|private/i;
const MIN_LENGTH = 4; // shorter values would redact ordinary words

export function secretValues(env: EnvVar[]): string[] {
  return env
    .filter((e) => e.secret || SECRET_NAME.test(e.name))
    .map((e) => e.value)
    .filter((v) => v.length >= MIN_LENGTH)
    .sort((a, b) => b.length - a.length);
}

export function redactSecrets(text: string, env: EnvVar[]): string {
  let out = text;
  for (const value of secretValues(env)) out = out.split(value).join("[redacted]");
  return out;
}
