import type { ChatStore, Participant } from "../db/store.ts";
import { chatError } from "../errors.ts";

/** Who is calling: the participant and the secret token that proves it. */
export interface Caller {
  participant: Participant;
  clientId: string;
}

// Web Crypto, not node:crypto: importing a node: module puts Bun's JavaScript for it (and for the
// modules it uses) into the compiled binary (PERFORMANCE.md, "Cold start and binary size").
const randomBytes = (count: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(count)));

/**
 * What the participants table keeps of a client_id. Under access control the token's subject (its
 * `owner`) is hashed in too, so a client_id made under one access token means nothing under another.
 */
const hashToken = (token: string, owner?: string) =>
  new Bun.CryptoHasher("sha256").update(owner === undefined ? token : `${owner}\0${token}`).digest("hex");

/** 192 random bits: the secret a client keeps to come back as the same participant. */
const newClientId = () => `c_${randomBytes(24).toString("base64url")}`;
/** 64 random bits: the public id others see as sender_id. */
const newPublicId = () => `p_${randomBytes(8).toString("hex")}`;

/** Finds the participant a token belongs to (under the access token `owner`, if access is controlled). */
export function authenticate(store: ChatStore, clientId: string, owner?: string): Caller {
  const participant = store.participantByTokenHash(hashToken(clientId, owner));
  if (!participant) {
    throw chatError("unknown_client");
  }
  return { participant, clientId };
}

/**
 * The identity for a call that names the caller (enter_queue, join_room): the token's
 * participant, renamed if the name changed, or a new participant when there is no token.
 */
export function establish(store: ChatStore, clientId: string | undefined, displayName: string, now: number, owner?: string): Caller {
  if (clientId === undefined) {
    const token = newClientId();
    const participant: Participant = {
      id: newPublicId(),
      tokenHash: hashToken(token, owner),
      displayName,
      createdAt: now,
      lastSeenAt: now,
      handle: null,
      isHuman: false,
      waitingUntil: null,
      waitingIn: null,
    };
    store.insertParticipant(participant);
    return { participant, clientId: token };
  }
  const caller = authenticate(store, clientId, owner);
  if (caller.participant.displayName !== displayName) {
    store.renameParticipant(caller.participant.id, displayName);
    caller.participant = { ...caller.participant, displayName };
  }
  return caller;
}

/**
 * The key of a named identity in local_identities: the name alone for `--as NAME` (and for the
 * X-MCP-Chat-Client header without access control), else the access token's subject, a NUL, and
 * the name. A name never holds a control character, so a scoped key never equals a plain one, and
 * two subjects with the same name get two keys.
 */
const namedKey = (name: string, owner?: string) => (owner === undefined ? name : `${owner}\0${name}`);

/** The named identity, if it was made already (under the access token `owner`, if access is controlled). */
export function knownLocalIdentity(store: ChatStore, name: string, owner?: string): Caller | undefined {
  const known = store.localIdentity(namedKey(name, owner));
  return known && authenticate(store, known.clientId, owner);
}

/**
 * The participant behind `--as NAME` or the header `X-MCP-Chat-Client: NAME`, made on first use: a
 * restarted agent is the same participant. Under access control it is the token subject's own.
 */
export function localIdentity(store: ChatStore, name: string, now: number, owner?: string): Caller {
  const known = knownLocalIdentity(store, name, owner);
  if (known) return known;
  const caller = establish(store, undefined, name, now, owner);
  store.insertLocalIdentity({ name: namedKey(name, owner), participantId: caller.participant.id, clientId: caller.clientId });
  return caller;
}
