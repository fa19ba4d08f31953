import { describe, expect, it } from "vitest";
import { privateDestination } from "../../../worker/config/destinations.ts";

describe("private destinations", () => {
  it.each([
    ["http://127.0.0.1:8080/", /loopback address 127\.0\.0\.1/],
    ["http://2130706433/", /loopback/], // decimal
    ["http://0x7f000001/", /loopback/], // hex
    ["http://0177.0.0.1/", /loopback/], // octal
    ["http://127.1/", /loopback/], // short form
    ["http://169.254.169.254/latest/meta-data", /link-local \(cloud metadata\)/],
    ["http://10.1.2.3/", /private/],
    ["http://172.31.255.255/", /private/],
    ["http://192.168.0.10/", /private/],
    ["http://100.64.0.1/", /carrier-grade NAT/],
    ["http://0.0.0.0/", /this network/],
    ["http://[::1]/", /loopback/],
    ["http://[fd00::1]/", /unique local/],
    ["http://[fe80::1]/", /link-local/],
    ["http://[::ffff:127.0.0.1]/", /IPv4-mapped loopback/],
    ["http://[::ffff:a9fe:a9fe]/", /IPv4-mapped link-local/],
    ["http://localhost:8787/", /local machine/],
    ["http://api.localhost/", /local machine/],
    ["http://metadata.google.internal/", /internal host name/],
    ["http://localhost.:8080/", /local machine/], // a trailing dot resolves the same way
    ["http://metadata.google.internal./", /internal host name/],
    ["http://foo.local./", /internal host name/],
    ["http://[::7f00:1]/", /IPv4-compatible loopback/],
    ["http://[64:ff9b::a9fe:a9fe]/", /NAT64 link-local/],
    ["http://[2002:7f00:1::]/", /6to4 loopback/],
    ["http://[fec0::1]/", /site-local/],
    ["http://192.0.2.1/", /TEST-NET/],
    ["http://[0:0:0:0:0:ffff:7f00:1]/", /IPv4-mapped loopback/],
    ["http://[::ffff:0:7f00:1]/", /IPv4-translated loopback/],
    ["http://[::ffff:0:a9fe:a9fe]/", /IPv4-translated link-local/],
    ["http://[64:ff9b:1::a9fe:a9fe]/", /local-use NAT64 link-local/],
    ["http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", /Teredo/],
    ["https://[2001:db8::1]/", /documentation/],
    ["http://instance-data/latest/meta-data", /single-label host name \(instance-data\)/],
    ["http://kubernetes.default.svc/api", /internal host name/],
    ["http://router.home.arpa/", /internal host name/],
  ])("%s is private", (url, reason) => {
    expect(privateDestination(url)).toMatch(reason);
  });

  it.each(["https://api.openai.com/v1", "https://8.8.8.8/", "http://172.32.0.1/", "https://[2001:4860:4860::8888]/", "https://[64:ff9b::808:808]/", "https://example.com:8443/x", "https://192.169.1.1/"])("%s is public", (url) => {
    expect(privateDestination(url)).toBeUndefined();
  });
});
