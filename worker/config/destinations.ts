/**
 * Whether a URL points at this machine or a private network, where a router should
 * not send calls (or its specialists' secrets) unless told to: loopback, private,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and
 * reserved IPv4 ranges (RFC 6890), the IPv6 equivalents (RFC 4291, 4193), IPv4-mapped
 * IPv6, and names that mean this machine or an internal network (`localhost`,
 * `*.localhost`, `*.internal`, `*.local`). Numerically encoded hosts
 * (`http://2130706433/`, `http://0x7f.1/`) are caught because the WHATWG URL parser
 * turns them into dotted quads first. Pure.
 *
 * @example
 * privateDestination("http://169.254.169.254/latest/meta-data") // "link-local (cloud metadata) address 169.254.169.254"
 * privateDestination("https://api.openai.com/v1")               // undefined
 */
export function privateDestination(raw: string): string | undefined {
  let host: string;
  try {
    host = new URL(raw).hostname.toLowerCase();
  } catch {
    return undefined; // not a URL: the schema says so
  }
  if (host.startsWith("[") && host.endsWith("]")) return ipv6Reason(host.slice(1, -1));
  const v4 = ipv4(host);
  if (v4) return ipv4Reason(v4, host);
  if (host === "localhost" || host.endsWith(".localhost")) return `the local machine (${host})`;
  if (host.endsWith(".internal") || host.endsWith(".local") || host === "metadata") return `an internal host name (${host})`;
  return undefined;
}

function ipv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : undefined;
}

/** Private and special-purpose IPv4 ranges as [first octets, prefix length, name]. */
const V4: [number[], number, string][] = [
  [[0], 8, "'this network' address"],
  [[10], 8, "private address"],
  [[100, 64], 10, "carrier-grade NAT address"],
  [[127], 8, "loopback address"],
  [[169, 254], 16, "link-local (cloud metadata) address"],
  [[172, 16], 12, "private address"],
  [[192, 0, 0], 24, "special-purpose address"],
  [[192, 168], 16, "private address"],
  [[198, 18], 15, "benchmarking address"],
  [[224], 4, "multicast address"],
  [[240], 4, "reserved address"],
];

function ipv4Reason(ip: number[], shown: string): string | undefined {
  const n = ((ip[0]! << 24) >>> 0) + (ip[1]! << 16) + (ip[2]! << 8) + ip[3]!;
  for (const [prefix, bits, name] of V4) {
    const p = [...prefix, 0, 0, 0, 0].slice(0, 4);
    const base = ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if (((n & mask) >>> 0) === ((base & mask) >>> 0)) return `${name} ${shown}`;
  }
  return undefined;
}

function ipv6Reason(h: string): string | undefined {
  if (h === "::1") return "loopback address [::1]";
  if (h === "::") return "unspecified address [::]";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h) ?? /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
  if (mapped) {
    const v4 = mapped.length === 2 ? ipv4(mapped[1]!) : [parseInt(mapped[1]!, 16) >> 8, parseInt(mapped[1]!, 16) & 255, parseInt(mapped[2]!, 16) >> 8, parseInt(mapped[2]!, 16) & 255];
    const r = v4 ? ipv4Reason(v4, v4.join(".")) : undefined;
    return r ? `IPv4-mapped ${r}` : undefined;
  }
  const first = parseInt(h.split(":")[0] || "0", 16);
  if ((first & 0xfe00) === 0xfc00) return `private (unique local) address [${h}]`;
  if ((first & 0xffc0) === 0xfe80) return `link-local address [${h}]`;
  if ((first & 0xff00) === 0xff00) return `multicast address [${h}]`;
  return undefined;
}
