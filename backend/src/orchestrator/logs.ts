// A service's recent logs through the daemon (both streams), bounded in
// bytes: Docker frames each chunk with an 8-byte header naming its stream.
import { dockerError, type DockerEngine } from "./docker.js";

export interface LogLine {
  stream: "stdout" | "stderr";
  text: string;
}

/** Splits Docker's multiplexed log frames into lines. */
export function demuxLogs(buffer: Buffer): LogLine[] {
  const lines: LogLine[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset] === 2 ? "stderr" : "stdout";
    const size = buffer.readUInt32BE(offset + 4);
    const chunk = buffer.subarray(offset + 8, offset + 8 + size).toString("utf8");
    for (const text of chunk.split("\n")) if (text !== "") lines.push({ stream, text });
    offset += 8 + size;
  }
  return lines;
}

export interface LogQuery {
  tail: number;
  since?: number;
  until?: number;
  timestamps?: boolean;
}

export async function serviceLogs(engine: DockerEngine, serviceId: string, query: LogQuery) {
  await engine.version();
  try {
    const raw = (await engine.docker.getService(serviceId).logs({
      stdout: true,
      stderr: true,
      follow: false,
      tail: query.tail,
      ...(query.since ? { since: query.since } : {}),
      ...(query.until ? { until: query.until } : {}),
      timestamps: query.timestamps ?? false,
    })) as unknown as Buffer;
    return demuxLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
  } catch (error) {
    throw dockerError(error);
  }
}
