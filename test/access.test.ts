// Access control through the binary: Bearer tokens on /mcp, each token its own tenant, the refusal
// to listen in public without them, the token file read again on SIGHUP, and --public-url's host.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { BINARY, call, cleanUp, httpClient, ok, startHttp, tempDb, tempDir } from "./helpers.ts";
import { postInitialize } from "./raw-http.ts";

afterAll(cleanUp);

const ANN_TOKEN = "ann-token-0123456789abcdef";
const BEN_TOKEN = "ben-token-0123456789abcdef";
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const listTools = (url: URL, headers: Record<string, string> = {}) => postInitialize(url, headers);

describe("with --token", () => {
  test("a request without a token, or with a wrong one, gets 401 with a challenge and a sentence", async () => {
    const server = await startHttp(tempDb(), ["--token", ANN_TOKEN, "--token", BEN_TOKEN]);
    const missing = await listTools(server.url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toStartWith("Bearer");
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain("Authorization: Bearer");
    const wrong = await listTools(server.url, bearer("not-a-token-we-know-of"));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect((await listTools(server.url, { authorization: ANN_TOKEN })).status).toBe(401);
    expect((await listTools(server.url, bearer(BEN_TOKEN))).status).toBe(200);
  });

  test("clients of both eras talk with their tokens; a client_id or a session does not cross tokens", async () => {
    const server = await startHttp(tempDb(), ["--token", `${ANN_TOKEN},${BEN_TOKEN}`]);
    const ann = await httpClient(server, "ann", "v1 client", bearer(ANN_TOKEN));
    const ben = await httpClient(server, "ben", "v2 client, automatic negotiation", bearer(BEN_TOKEN));
    const annJoined = await ok(ann, "join_room", { room_id: "tenants", display_name: "Ann" });
    const benJoined = await ok(ben, "join_room", { room_id: "tenants", display_name: "Ben" });
    await ok(ann, "send_message", { room_id: "tenants", message: "hello Ben" });
    expect(await ok(ben, "wait_for_message", { room_id: "tenants", client_id: benJoined.client_id, timeout: 5 })).toMatchObject({
      message: "hello Ben",
      sender: "Ann",
    });
    // Ann's client_id means nothing under Ben's token, and the reverse.
    expect(await call(ben, "whoami", { client_id: annJoined.client_id })).toMatchObject({
      isError: true,
      data: { code: "unknown_client" },
    });
    expect(await call(ann, "whoami", { client_id: benJoined.client_id })).toMatchObject({
      isError: true,
      data: { code: "unknown_client" },
    });
    // Nor does a session: Ann's session id with Ben's token is not found.
    const init = await listTools(server.url, bearer(ANN_TOKEN));
    const sessionId = init.headers.get("mcp-session-id")!;
    const crossed = await fetch(server.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-session-id": sessionId,
        "mcp-protocol-version": "2025-11-25",
        ...bearer(BEN_TOKEN),
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(crossed.status).toBe(404);
  });

  test("the token file is read again on SIGHUP", async () => {
    const file = join(tempDir(), "tokens");
    writeFileSync(file, `# who may chat\n${ANN_TOKEN}\n`);
    const server = await startHttp(tempDb(), ["--token-file", file]);
    expect((await listTools(server.url, bearer(ANN_TOKEN))).status).toBe(200);
    expect((await listTools(server.url, bearer(BEN_TOKEN))).status).toBe(401);
    writeFileSync(file, `${BEN_TOKEN}\n`);
    server.process.kill("SIGHUP");
    let benStatus = 0;
    for (let i = 0; i < 50 && benStatus !== 200; i++) {
      await Bun.sleep(20);
      benStatus = (await listTools(server.url, bearer(BEN_TOKEN))).status;
    }
    expect(benStatus).toBe(200);
    expect((await listTools(server.url, bearer(ANN_TOKEN))).status).toBe(401);
  });
});

describe("with JWTs from an identity provider (--jwks-url)", () => {
  const ISSUER = "https://id.example.com";
  const AUDIENCE = "https://chat.example.com/mcp";

  test("a JWT the provider signed for this audience works; expired, foreign, mis-addressed or forged ones get 401", async () => {
    const provider = await generateKeyPair("ES256");
    const forger = await generateKeyPair("ES256");
    const jwk = { ...(await exportJWK(provider.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    const jwks = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.json({ keys: [jwk] }) });
    try {
      const server = await startHttp(tempDb(), ["--jwks-url", `${jwks.url}jwks`, "--issuer", ISSUER, "--audience", AUDIENCE]);
      const jwt = (claims: { iss?: string; aud?: string; sub?: string; exp?: string }, key = provider.privateKey) =>
        new SignJWT({})
          .setProtectedHeader({ alg: "ES256", kid: "k1" })
          .setIssuer(claims.iss ?? ISSUER)
          .setAudience(claims.aud ?? AUDIENCE)
          .setSubject(claims.sub ?? "agent-7")
          .setIssuedAt()
          .setExpirationTime(claims.exp ?? "5m")
          .sign(key);
      expect((await listTools(server.url, bearer(await jwt({})))).status).toBe(200);
      for (const bad of [
        await jwt({ exp: "-1m" }),
        await jwt({ iss: "https://other-idp.example.com" }),
        await jwt({ aud: "https://elsewhere.example.com/mcp" }),
        await jwt({}, forger.privateKey),
      ]) {
        const refused = await listTools(server.url, bearer(bad));
        expect(refused.status).toBe(401);
        expect(refused.headers.get("www-authenticate")).toContain(
          'resource_metadata="https://chat.example.com/.well-known/oauth-protected-resource/mcp"',
        );
      }
      // Where clients learn which authorization server issues tokens for this resource (RFC 9728).
      const metadata = await fetch(new URL("/.well-known/oauth-protected-resource/mcp", server.url));
      expect(await metadata.json()).toMatchObject({ resource: AUDIENCE, authorization_servers: [ISSUER] });
      // Two subjects are two tenants.
      const seven = await httpClient(server, "seven", "v1 client", bearer(await jwt({ sub: "agent-7" })));
      const eight = await httpClient(server, "eight", "v1 client", bearer(await jwt({ sub: "agent-8" })));
      const joined = await ok(seven, "join_room", { room_id: "jwt", display_name: "Seven" });
      expect(await call(eight, "whoami", { client_id: joined.client_id })).toMatchObject({
        isError: true,
        data: { code: "unknown_client" },
      });
    } finally {
      jwks.stop(true);
    }
  });
});

test("no access token, client_id or message body appears in the logs of a whole run", async () => {
  const server = await startHttp(tempDb(), ["--token", ANN_TOKEN]);
  const ann = await httpClient(server, "ann", "v1 client", bearer(ANN_TOKEN));
  const joined = await ok(ann, "join_room", { room_id: "logged", display_name: "Ann" });
  const body = "a private sentence that must stay out of the logs";
  await ok(ann, "send_message", { room_id: "logged", message: body });
  await call(ann, "whoami", { client_id: "c_not-a-real-client-id-at-all" });
  await listTools(server.url, bearer("a-wrong-token-0123456789"));
  await listTools(server.url, bearer("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"));
  expect(await server.stop()).toBe(0);
  const logs = server.stderr();
  expect(logs).toContain("stopping"); // the logs were read
  for (const secret of [ANN_TOKEN, joined.client_id, body, "c_not-a-real-client-id-at-all", "a-wrong-token-0123456789"]) {
    expect(logs).not.toContain(secret);
  }
});

describe("listening in public", () => {
  test("a public address without a token refuses to start and says why; --insecure-no-auth starts", async () => {
    const refused = Bun.spawn([BINARY, "--host", "0.0.0.0", "--port", "0", "--db", tempDb()], { stdout: "pipe", stderr: "pipe" });
    const stderr = await new Response(refused.stderr).text();
    expect(await refused.exited).toBe(2);
    expect(stderr).toContain("without access control");
    expect(stderr).toContain("--insecure-no-auth");
    const server = await startHttp(tempDb(), ["--host", "0.0.0.0", "--insecure-no-auth"]);
    expect(server.url.port).not.toBe("");
  });

  test("--public-url lets its host and origin in, and nothing else", async () => {
    const server = await startHttp(tempDb(), ["--token", ANN_TOKEN, "--public-url", "https://chat.example.com/mcp"]);
    const as = (headers: Record<string, string>) => listTools(server.url, { ...bearer(ANN_TOKEN), ...headers });
    expect((await as({ host: "chat.example.com" })).status).toBe(200);
    expect((await as({ host: "chat.example.com", origin: "https://chat.example.com" })).status).toBe(200);
    expect((await as({ host: "evil.example" })).status).toBe(403);
    expect((await as({ host: "chat.example.com", origin: "https://evil.example" })).status).toBe(403);
  });

  test("--allowed-origins lets web pages of those origins call, and no others", async () => {
    const server = await startHttp(tempDb(), ["--allowed-origins", "https://app.example.com,https://ops.example.com:8443"]);
    expect((await listTools(server.url, { origin: "https://app.example.com" })).status).toBe(200);
    expect((await listTools(server.url, { origin: "https://ops.example.com:8443" })).status).toBe(200);
    expect((await listTools(server.url, { origin: "https://ops.example.com" })).status).toBe(403);
    expect((await listTools(server.url, { origin: "https://evil.example" })).status).toBe(403);
  });
});

test("a token file line may limit its token to some rooms and display names", async () => {
  const file = join(tempDir(), "tokens");
  writeFileSync(file, `${ANN_TOKEN} rooms=lobby,dev names=Ann\n${BEN_TOKEN}\n`);
  const server = await startHttp(tempDb(), ["--token-file", file]);
  const ann = await httpClient(server, "ann", "v2 client, automatic negotiation", bearer(ANN_TOKEN));
  expect(await ok(ann, "join_room", { room_id: "lobby", display_name: "Ann" })).toMatchObject({ room_id: "lobby" });
  expect(await call(ann, "join_room", { room_id: "elsewhere", display_name: "Ann" })).toMatchObject({
    isError: true,
    data: { code: "not_permitted", error: 'This access token does not permit the room "elsewhere".' },
  });
  expect(await call(ann, "join_room", { room_id: "dev", display_name: "Mallory" })).toMatchObject({ data: { code: "not_permitted" } });
  expect(await call(ann, "enter_queue", { display_name: "Ann", timeout: 0 })).toMatchObject({ data: { code: "not_permitted" } });
  // A token with no limits on its line may go anywhere.
  const ben = await httpClient(server, "ben", "v1 client", bearer(BEN_TOKEN));
  expect(await ok(ben, "join_room", { room_id: "elsewhere", display_name: "Anyone" })).toMatchObject({ room_id: "elsewhere" });
});

test("a token file with a line it cannot read stops the server at start, and says which", async () => {
  const file = join(tempDir(), "tokens");
  writeFileSync(file, `${ANN_TOKEN} roms=lobby\n`);
  const run = Bun.spawn([BINARY, "--port", "0", "--db", tempDb(), "--token-file", file], { stdout: "pipe", stderr: "pipe" });
  expect(await run.exited).toBe(1);
  expect(await new Response(run.stderr).text()).toContain('not "roms=lobby"');
});
