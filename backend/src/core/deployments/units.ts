// Human units in deployment requests ("0.5" CPUs, "512M", "30s") turned into
// the integers the Docker Engine API wants. Each parser returns null on
// anything it does not recognise; the schema turns that into a 400.

const NANO = 1_000_000_000;

/** "0.5", "2", 0.25 or "500m" (millicores) → NanoCPUs. */
export function parseCpus(raw: string | number): number | null {
  if (typeof raw === "number")
    return Number.isFinite(raw) && raw > 0 ? Math.round(raw * NANO) : null;
  const milli = /^([0-9]{1,6})m$/.exec(raw);
  if (milli) return Number(milli[1]) * 1_000_000 || null;
  if (!/^(?:[0-9]{1,4})(?:\.[0-9]{1,9})?$|^\.[0-9]{1,9}$/.test(raw)) return null;
  const nano = Math.round(Number(raw) * NANO);
  return nano > 0 ? nano : null;
}

// Binary multiples, as `docker run --memory` reads them ("512M" = 512 MiB).
const MEMORY_UNITS: Record<string, number> = {
  "": 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/** "512M", "1g", "1.5GiB", "256MB" or a byte count → bytes. */
export function parseMemory(raw: string | number): number | null {
  if (typeof raw === "number") return Number.isSafeInteger(raw) && raw > 0 ? raw : null;
  const match = /^([0-9]{1,13}(?:\.[0-9]{1,6})?)\s?(?:([kmgt])(?:i?b)?|b)?$/i.exec(raw);
  if (!match) return null;
  const [, value = "", unit = ""] = match;
  const bytes = Math.floor(Number(value) * (MEMORY_UNITS[unit.toLowerCase()] ?? NaN));
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

const DURATION_UNITS: Record<string, number> = { ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** "30s", "500ms", "2m", "1h" or a number of seconds → nanoseconds. */
export function parseDuration(raw: string | number): number | null {
  if (typeof raw === "number") {
    return Number.isFinite(raw) && raw >= 0 && raw <= 86_400 ? Math.round(raw * 1e9) : null;
  }
  const match = /^([0-9]{1,7})(ms|s|m|h)$/.exec(raw);
  if (!match) return null;
  const [, value = "", unit = ""] = match;
  return Number(value) * (DURATION_UNITS[unit] ?? NaN);
}

/** Bytes as the shortest exact human form ("512M", "1G", "1536K"), for messages. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ["T", 1024 ** 4],
    ["G", 1024 ** 3],
    ["M", 1024 ** 2],
    ["K", 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}`;
}

/** NanoCPUs as a CPU count ("0.5"), for messages. */
export function formatCpus(nanoCpus: number): string {
  return String(nanoCpus / NANO);
}
