// Checks made before a request reaches MCP. The SDK's own host/origin options are deprecated.

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

const hostnameOf = (host: string) => {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
};

/** 127.0.0.0/8 as the URL parser writes it (it turns 127.1 and 0x7f.1 into 127.0.0.1). */
const LOOPBACK_IPV4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

// Not a prefix test: 127.0.0.1.nip.io is a name anyone can point at this machine (DNS rebinding).
const isLoopback = (hostname: string | undefined) =>
  hostname !== undefined && (LOOPBACK_NAMES.has(hostname) || LOOPBACK_IPV4.test(hostname));

/**
 * Blocks DNS rebinding and cross-site browser requests. A server on a loopback address answers only
 * to loopback Host names; with a public URL (`--public-url`), only to its host and loopback names (a
 * proxy on the machine may pass either). A request from a web page (it has an Origin) must come from
 * the same host it is sent to, from the public URL's origin or one of --allowed-origins, or from a
 * loopback page to a loopback server (the MCP Inspector's UI). Returns why the request is refused, or undefined.
 */
export function refusal(request: Request, listenHost: string, publicUrl?: URL, allowedOrigins: string[] = []): string | undefined {
  const host = hostnameOf(request.headers.get("host") ?? "");
  if (publicUrl) {
    if (host !== publicUrl.hostname && !isLoopback(host)) return `Host not allowed: this server answers on ${publicUrl.hostname}`;
  } else if (isLoopback(listenHost) && !isLoopback(host)) return "Host not allowed: this server answers only on localhost";
  const origin = request.headers.get("origin");
  if (origin === null) return undefined;
  let originUrl: URL;
  try {
    originUrl = new URL(origin);
  } catch {
    return "Origin not allowed";
  }
  if (originUrl.host === request.headers.get("host") || originUrl.origin === publicUrl?.origin) return undefined;
  if (allowedOrigins.includes(originUrl.origin)) return undefined;
  if (isLoopback(originUrl.hostname) && isLoopback(host)) return undefined;
  return "Origin not allowed";
}
