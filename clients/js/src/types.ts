/** Frames and options of the Switchboard wire contract (docs/protocol.md), as the client sees them. */

/** A stream's place: its epoch (changes when its history was lost) and the last seq the client has. */
export interface Position {
  epoch: string;
  seq: number;
}

/** The stream positions a client holds: its user stream and each group's. */
export interface Positions {
  user?: Position;
  groups: Record<string, Position>;
}

/** Any frame from the server: one JSON object with a `type`. */
export interface Frame {
  type: string;
  data?: unknown;
  id?: unknown;
  from?: string;
  to?: string;
  group?: string;
  timestamp?: number;
  seq?: number;
  [field: string]: unknown;
}

/** The `data` of the server's `welcome` frame. */
export interface Welcome {
  user_id: string;
  connection_id: string;
  node: string;
  /** With history on: the positions of the user stream and of the groups joined at connect. */
  streams?: { user?: Position; groups?: Record<string, Position> };
  [field: string]: unknown;
}

/** The server's `ack` frame for a frame with an `id`. `data.seq` is a message's place in its stream with history on. */
export interface Ack {
  type: "ack";
  id: string | number;
  data?: { seq?: number; epoch?: string; [field: string]: unknown };
}

/** The `data` of a `resumed` frame, or of the client's own report that a stream may have a gap. */
export interface Resumed {
  /** `"user"` for the user stream; absent for a group. */
  stream?: "user";
  group?: string;
  /** False: messages may have been missed; reload from your own backend. */
  recovered: boolean;
  epoch?: string;
  seq?: number;
  /**
   * Why `recovered` is false when the server did not say it in a `resumed` frame:
   * `stream_reset` (the stream's history was lost while connected),
   * `no_position` (reconnected without a position to resume from, e.g. history off).
   */
  reason?: "stream_reset" | "no_position";
}

/** One connection of a user in a group, as a `presence` answer names it. */
export interface PresenceConnection {
  connection_id: string;
  /** The node the connection is on. */
  node: string;
  /** What the connect hook returned for the connection, or its token's `info` claim (a JSON object of at most 1 KB). */
  info?: Record<string, unknown>;
}

/** Users by user id, each with its connections in the group. */
export type PresenceUsers = Record<string, PresenceConnection[]>;

/** The `data` of a `presence` answer: one page of the group's users, in user-id order. */
export interface PresencePage {
  users: PresenceUsers;
  /** False when more users follow: ask again with `cursor`. */
  complete: boolean;
  /** The last user id of this page, present when `complete` is false. */
  cursor?: string;
}

/** What `presence` takes: the `cursor` of the page before, to get the next one. */
export interface PresenceRequest {
  cursor?: string;
}

/** The `data` of a `presence_stats` answer. */
export interface PresenceStats {
  users: number;
  connections: number;
}

/** A `presence_join` event: a connection entered `group`. `first` is true when it is the user's only one there. */
export interface PresenceJoin {
  group: string;
  user_id: string;
  connection_id: string;
  info?: Record<string, unknown>;
  first: boolean;
}

/**
 * A `presence_leave` event: a connection left `group`. `last` is true when the user has none left there; `reason` is
 * `left` (it left the group), `closed` (its connection ended) or `node_lost` (its node left the cluster).
 */
export interface PresenceLeave {
  group: string;
  user_id: string;
  connection_id: string;
  last: boolean;
  reason: "left" | "closed" | "node_lost";
}

/**
 * The coalesced `presence_stats` a group's members get, at most once a second, instead of events while the events
 * would cost too many deliveries: the counts now, and `resync`: a list shown from events should be fetched again.
 */
export interface PresenceResync {
  group: string;
  users: number;
  connections: number;
  coalesced: true;
  resync: true;
}

/** A `presence_reset` event: the group's list was rebuilt (its keeper's node was lost) and events were missed; fetch it again. */
export interface PresenceReset {
  group: string;
}

/** What `send` takes: exactly one of `to` and `group`. */
export interface OutgoingMessage {
  to?: string;
  group?: string;
  type: string;
  data?: unknown;
  /** Ask for a `receipt` once the recipient confirms it (direct messages, history on). */
  receipt?: boolean;
  /** Generated when absent; a resend with the same id is not delivered twice (history on). */
  id?: string | number;
}

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "disconnected";

/**
 * An event handler property that a WebSocket implementation may declare with a narrower event type
 * (the DOM's `MessageEvent`, `CloseEvent`): checked as a method parameter is, both ways.
 */
type Handler<Event> = { handle(event: Event): void }["handle"] | null;

/** The minimal WebSocket the client needs: the browser's, Node 22's global, or the `ws` package's. */
export interface WebSocketLike {
  readonly readyState: number;
  onmessage: Handler<{ data: unknown }>;
  onclose: Handler<{ code: number; reason: string }>;
  onerror: Handler<unknown>;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface ReconnectOptions {
  /** The first backoff bound, in ms (default 500). */
  initialDelay?: number;
  /** The largest backoff bound, in ms (default 30000). */
  maxDelay?: number;
  /** The bound after a node said it is going away (1001): a random delay below it, in ms (default 1000). */
  goingAwayDelay?: number;
  /** Added to the backoff after a close for `rate limit`, in ms (default 5000). */
  rateLimitDelay?: number;
  /** Attempts in a row without a welcome before the client gives up (default: no bound). */
  maxAttempts?: number;
}

export interface ClientOptions {
  /** The user, without tokens (`?user_id=`). With tokens the token's `sub` names the user. */
  userId?: string;
  /** A token for the first connect. */
  token?: string;
  /** Called for every connect after the first (and the first without `token`) and on `token_expiring`. */
  getToken?: () => string | Promise<string>;
  /** Groups to join at connect; they are rejoined on every reconnect. */
  groups?: string[];
  /** Reconnect rules; `false` stops at the first close. */
  reconnect?: ReconnectOptions | false;
  /** A WebSocket constructor to use instead of the global one (the `ws` package on Node < 22). */
  WebSocket?: WebSocketConstructor;
  /** Send an application `ping` after this many ms with nothing received (default 25000). */
  pingInterval?: number;
  /** Reconnect when nothing arrives this many ms after a `ping` (default 10000). */
  pongTimeout?: number;
  /** How long an attempt may take from opening the socket to the welcome, in ms (default 15000). */
  connectTimeout?: number;
  /** How long a send waits for a connection while there is none, in ms (default 60000). */
  sendTimeout?: number;
}
