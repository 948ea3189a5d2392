// A one-file tar archive (POSIX ustar), the body Docker's "put archive"
// endpoint takes to write a file into a container. One regular file owned by
// root is all Berth ever sends, which does not justify a tar dependency.

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number, value: string): void {
  header.write(value, offset, length, "ascii");
}

/** Zero-padded octal of `length - 1` digits, NUL-terminated. */
function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, "0")}\0`;
}

export interface TarFile {
  /** A plain file name (no folders): letters, digits, ".", "-", "_". */
  name: string;
  content: string | Buffer;
  mode?: number;
  /** Seconds since the epoch. */
  mtime?: number;
}

export function tarOneFile(file: TarFile): Buffer {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(file.name) || /^\.\.?$/.test(file.name)) {
    throw new Error(`tar: bad file name ${JSON.stringify(file.name)}`);
  }
  const body = Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content, "utf8");
  const header = Buffer.alloc(BLOCK);
  field(header, 0, 100, file.name);
  field(header, 100, 8, octal(file.mode ?? 0o644, 8));
  field(header, 108, 8, octal(0, 8));
  field(header, 116, 8, octal(0, 8));
  field(header, 124, 12, octal(body.length, 12));
  field(header, 136, 12, octal(file.mtime ?? Math.floor(Date.now() / 1000), 12));
  field(header, 148, 8, " ".repeat(8));
  field(header, 156, 1, "0");
  field(header, 257, 8, "ustar\u000000");
  field(header, 265, 32, "root");
  field(header, 297, 32, "root");
  let sum = 0;
  for (const byte of header) sum += byte;
  field(header, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  const padding = Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK);
  return Buffer.concat([header, body, padding, Buffer.alloc(2 * BLOCK)]);
}
