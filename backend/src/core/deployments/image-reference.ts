// Image references, parsed by the grammar of distribution/reference (the
// one the Docker daemon uses), without regular expressions that can
// backtrack: the string is split at '@', ':' and '/' first, then each piece
// is checked on its own. Anything the grammar does not allow is refused with
// a message saying why, before Berth hands the reference to Docker.
//
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [domain "/"] path-component ["/" path-component]*
//   domain     := host [":" port]; host := domain-name | "[" IPv6 "]"
//   path-component := [a-z0-9]+ (separator [a-z0-9]+)*; separator := [._] | "__" | "-"+
//   tag        := [\w][\w.-]{0,127}
//   digest     := sha256:[a-f0-9]{64}   (the only algorithm Berth accepts)

export interface ImageReference {
  /** Registry host[:port], lowercased; "docker.io" when the name has none. */
  registry: string;
  /** Path within the registry ("library/nginx" for Docker Hub's "nginx"). */
  repository: string;
  tag?: string;
  digest?: string;
  /** What Docker is asked to pull: registry/repository[:tag][@digest]. */
  reference: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Longest name (domain and path) distribution/reference accepts. */
export const NAME_MAX_LENGTH = 255;
export const REFERENCE_MAX_LENGTH = 512;
export const DEFAULT_REGISTRY = "docker.io";

export const TAG_PATTERN = /^\w[\w.-]{0,127}$/;
export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
// Every character any part of a reference can hold.
const REFERENCE_CHARS = /^[A-Za-z0-9._\-/:@[\]]+$/;

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

function checkCharacters(raw: string): string | null {
  if (raw.length === 0) return "is empty; give an image such as nginx or ghcr.io/owner/app";
  if (raw.length > REFERENCE_MAX_LENGTH) return `is longer than ${REFERENCE_MAX_LENGTH} characters`;
  if (/[^\x21-\x7e]/.test(raw)) {
    return "contains a space, newline, control or non-ASCII character; an image reference has none";
  }
  if (!REFERENCE_CHARS.test(raw)) {
    const bad = [...raw].find((c) => !REFERENCE_CHARS.test(c));
    return `contains "${bad}", which an image reference cannot contain (letters, digits and . _ - / : @ only)`;
  }
  if (raw.startsWith("-"))
    return "starts with a dash; an image reference starts with a letter or digit";
  return null;
}

/** True when the first part of a name is a registry, by Docker's own rule. */
function isDomain(first: string): boolean {
  return first.includes(".") || first.includes(":") || first === "localhost" || /[A-Z]/.test(first);
}

export function checkDomain(domain: string): string | null {
  const portAt = domain.startsWith("[") ? domain.indexOf("]") + 1 : domain.indexOf(":");
  const host = portAt > 0 ? domain.slice(0, portAt) : domain;
  const port = portAt > 0 ? domain.slice(portAt) : "";
  if (port !== "" && !/^:[0-9]{1,5}$/.test(port))
    return `registry port in ${domain} is not a number`;
  if (port !== "" && (Number(port.slice(1)) < 1 || Number(port.slice(1)) > 65535)) {
    return `registry port in ${domain} is out of range`;
  }
  if (IPV6_HOST.test(host)) return null;
  if (host.split(".").every((c) => DOMAIN_COMPONENT.test(c))) return null;
  return `registry ${domain} is not a valid host name`;
}

function checkPath(path: string): string | null {
  for (const component of path.split("/")) {
    if (/[A-Z]/.test(component)) return `repository "${path}" must be lowercase`;
    if (!PATH_COMPONENT.test(component)) {
      return `repository "${path}" has an invalid part "${component}"; parts are lowercase letters and digits separated by . _ __ or -`;
    }
  }
  if (/^[a-f0-9]{64}$/.test(path)) return "is a 64-character hex image id; give a repository name";
  return null;
}

/** Splits "name[:tag][@digest]" without looking inside the name. */
function splitSuffixes(raw: string): Parsed<{ name: string; tag?: string; digest?: string }> {
  const [rest = "", digest, extra] = raw.split("@");
  if (extra !== undefined) return fail("contains more than one @");
  if (digest !== undefined && !DIGEST_PATTERN.test(digest)) {
    return fail("has an invalid digest; a digest is sha256: followed by 64 lowercase hex digits");
  }
  const colon = rest.lastIndexOf(":");
  const hasTag = colon > rest.lastIndexOf("/");
  const name = hasTag ? rest.slice(0, colon) : rest;
  const tag = hasTag ? rest.slice(colon + 1) : undefined;
  if (tag !== undefined && !TAG_PATTERN.test(tag)) {
    return fail(
      `has an invalid tag "${tag}"; a tag is up to 128 letters, digits, _ . or -, not starting with . or -`,
    );
  }
  return { ok: true, value: { name, tag, digest } };
}

/** Parses an image reference; tag and digest may be absent. */
export function parseImageReference(raw: string): Parsed<ImageReference> {
  const charProblem = checkCharacters(raw);
  if (charProblem) return fail(charProblem);
  const split = splitSuffixes(raw);
  if (!split.ok) return split;
  const { name, tag, digest } = split.value;
  if (name.length === 0) return fail("has no repository name");
  if (name.length > NAME_MAX_LENGTH) {
    return fail(`has a name longer than ${NAME_MAX_LENGTH} characters`);
  }
  const slash = name.indexOf("/");
  const first = slash < 0 ? name : name.slice(0, slash);
  const hasDomain = slash > 0 && isDomain(first);
  let registry = hasDomain ? first.toLowerCase() : DEFAULT_REGISTRY;
  let repository = hasDomain ? name.slice(slash + 1) : name;
  if (hasDomain) {
    const domainProblem = checkDomain(first);
    if (domainProblem) return fail(domainProblem);
  }
  const pathProblem = checkPath(repository);
  if (pathProblem) return fail(pathProblem);
  if (registry === "index.docker.io") registry = DEFAULT_REGISTRY;
  if (registry === DEFAULT_REGISTRY && !repository.includes("/"))
    repository = `library/${repository}`;
  return { ok: true, value: withReference({ registry, repository, tag, digest }) };
}

/** Fills `reference` from the parts (tag and digest may both be present). */
export function withReference(parts: Omit<ImageReference, "reference">): ImageReference {
  const reference =
    `${parts.registry}/${parts.repository}` +
    (parts.tag ? `:${parts.tag}` : "") +
    (parts.digest ? `@${parts.digest}` : "");
  const result: ImageReference = {
    registry: parts.registry,
    repository: parts.repository,
    reference,
  };
  if (parts.tag) result.tag = parts.tag;
  if (parts.digest) result.digest = parts.digest;
  return result;
}

/** The default service name for an image: its last path part as a DNS label. */
export function serviceNameFromImage(image: ImageReference): string {
  const last = image.repository.split("/").pop() ?? "app";
  const label = last
    .replace(/[._]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 24) // Docker names: berth-<env slug>-<service> stays within 63
    .replace(/-+$/, "");
  return label || "app";
}
