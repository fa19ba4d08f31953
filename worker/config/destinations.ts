/**
 * Whether a URL points at this machine or a private network, where a router should
 * not send calls (or its specialists' secrets) unless told to: loopback, private,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and
 * reserved IPv4 ranges (RFC 6890), the IPv6 equivalents (RFC 4291, 4193), IPv4-mapped
 * IPv6, and names that mean this machine or an internal network (`localhost`,
 * `*.localhost`, `*.internal`, `*.local`, `*.svc`, `*.home.arpa`, single-label names). Numerically encoded hosts
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
    host = new URL(raw).hostname.toLowerCase().replace(/\.+$/, ""); // `localhost.` resolves like `localhost`
  } catch {
    return undefined; // not a URL: the schema says so
  }
  if (host.startsWith("[") && host.endsWith("]")) return ipv6Reason(host.slice(1, -1));
  const v4 = ipv4(host);
  if (v4) return ipv4Reason(v4, host);
  if (host === "localhost" || host.endsWith(".localhost")) return `the local machine (${host})`;
  if (host.endsWith(".internal") || host.endsWith(".local") || host.endsWith(".svc") || host.endsWith(".home.arpa") || host === "metadata") return `an internal host name (${host})`;
  // a name without a dot resolves only through a local search domain or hosts file (`instance-data`, a container's service name)
  if (!host.includes(".") && !host.includes(":")) return `a single-label host name (${host}), which only a local resolver answers`;
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
  [[192, 0, 2], 24, "documentation (TEST-NET) address"],
  [[198, 51, 100], 24, "documentation (TEST-NET) address"],
  [[203, 0, 113], 24, "documentation (TEST-NET) address"],
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

/** The eight 16-bit groups of an IPv6 address (dotted-quad tails included), or undefined. */
function ipv6Groups(h: string): number[] | undefined {
  let text = h;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const v4 = ipv4(tail[1]!);
    if (!v4) return undefined;
    text = `${text.slice(0, -tail[1]!.length)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const [head, rest] = text.split("::");
  const part = (p: string | undefined) => (p ? p.split(":").map((g) => parseInt(g, 16)) : []);
  const a = part(head);
  const b = part(rest);
  const groups = text.includes("::") ? [...a, ...Array(8 - a.length - b.length).fill(0), ...b] : a;
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

const v4Of = (hi: number, lo: number): number[] => [hi >> 8, hi & 255, lo >> 8, lo & 255];

function ipv6Reason(h: string): string | undefined {
  const g = ipv6Groups(h);
  if (!g) return undefined;
  const shown = `[${h}]`;
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(8)) return `unspecified address ${shown}`;
  if (zeros(7) && g[7] === 1) return `loopback address ${shown}`;
  // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), translated (::ffff:0:a.b.c.d, RFC 2765), compatible (::a.b.c.d),
  // NAT64 (64:ff9b::a.b.c.d, RFC 6052; local-use 64:ff9b:1::/48, RFC 8215, IPv4 in the last 32 bits), 6to4 (2002:a.b.c.d::)
  const embedded =
    zeros(5) && g[5] === 0xffff ? ["IPv4-mapped", v4Of(g[6]!, g[7]!)]
    : zeros(4) && g[4] === 0xffff && g[5] === 0 ? ["IPv4-translated", v4Of(g[6]!, g[7]!)]
    : zeros(6) ? ["IPv4-compatible", v4Of(g[6]!, g[7]!)]
    : g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0) ? ["NAT64", v4Of(g[6]!, g[7]!)]
    : g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1 ? ["local-use NAT64", v4Of(g[6]!, g[7]!)]
    : g[0] === 0x2002 ? ["6to4", v4Of(g[1]!, g[2]!)]
    : undefined;
  if (embedded) {
    const [how, v4] = embedded as [string, number[]];
    const r = ipv4Reason(v4, v4.join("."));
    return r ? `${how} ${r}` : undefined;
  }
  // Teredo (2001:0::/32, RFC 4380) tunnels to an IPv4 host hidden in the address; 2001:db8::/32 is for documentation (RFC 3849)
  if (g[0] === 0x2001 && g[1] === 0) return `Teredo tunnel address ${shown}`;
  if (g[0] === 0x2001 && g[1] === 0xdb8) return `documentation address ${shown}`;
  if ((g[0]! & 0xfe00) === 0xfc00) return `private (unique local) address ${shown}`;
  if ((g[0]! & 0xffc0) === 0xfe80) return `link-local address ${shown}`;
  if ((g[0]! & 0xffc0) === 0xfec0) return `site-local address ${shown}`;
  if ((g[0]! & 0xff00) === 0xff00) return `multicast address ${shown}`;
  return undefined;
}
