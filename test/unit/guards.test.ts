// The Host and Origin checks on their own: what a server on a loopback address answers to.
import { describe, expect, test } from "bun:test";
import { refusal } from "../../src/http/guards.ts";

const request = (host: string, origin?: string) =>
  new Request("http://127.0.0.1:8000/mcp", { headers: { host, ...(origin === undefined ? {} : { origin }) } });
const onLoopback = (host: string, origin?: string) => refusal(request(host, origin), "127.0.0.1");

describe("a server on a loopback address", () => {
  test("answers to loopback Host names, however they are written", () => {
    for (const host of ["127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000", "127.1:8000", "127.45.6.7"]) {
      expect(onLoopback(host)).toBeUndefined();
    }
  });

  test("refuses names that only look local: DNS rebinding", () => {
    for (const host of ["evil.example", "127.0.0.1.nip.io", "127.0.0.1.evil.example:8000", "localhost.evil.example"]) {
      expect(onLoopback(host)).toMatch(/Host not allowed/);
    }
  });

  test("takes a browser's request only from a page on the same host or on loopback", () => {
    expect(onLoopback("127.0.0.1:8000", "http://127.0.0.1:8000")).toBeUndefined();
    expect(onLoopback("127.0.0.1:8000", "http://localhost:6274")).toBeUndefined();
    expect(onLoopback("127.0.0.1:8000", "https://evil.example")).toBe("Origin not allowed");
    expect(onLoopback("127.0.0.1:8000", "http://127.0.0.1.nip.io")).toBe("Origin not allowed");
  });
});
