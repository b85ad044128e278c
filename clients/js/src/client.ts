import { Backoff } from "./backoff.js";
import { afterClose } from "./close-policy.js";
import { connectTarget, type ConnectTarget } from "./connect-url.js";
import { Emitter } from "./emitter.js";
import { invalidArgument, SwitchboardError } from "./errors.js";
import { Heartbeat } from "./heartbeat.js";
import { Outbox } from "./outbox.js";
import { StreamPositions } from "./positions.js";
import { posesAsServiceFrame } from "./reserved.js";
import { checkedGroup, checkedName, checkedToken, checkedType, checkedUrl, messageFrame, positive } from "./validation.js";
import type {
  Ack,
  ClientOptions,
  ConnectionState,
  Frame,
  OutgoingMessage,
  Positions,
  PresenceJoin,
  PresenceLeave,
  PresencePage,
  PresenceRequest,
  PresenceReset,
  PresenceResync,
  PresenceStats,
  PresenceUsers,
  Resumed,
  Welcome,
  WebSocketConstructor,
  WebSocketLike,
} from "./types.js";

export interface ClientEvents {
  [name: string]: unknown;
  /** A routed message: direct, group or broadcast, as the server sent it. */
  message: Frame;
  state: ConnectionState;
  /** The end of a stream's replay, or a gap the application should fill from its own backend (`recovered: false`). */
  resumed: Resumed;
  /** A recipient confirmed a direct message sent with `receipt: true`. */
  receipt: Frame;
  /** The server's `token_expiring` data (`expires_in` seconds); the client refreshes by itself with `getToken`. */
  tokenExpiring: { expires_in?: number };
  error: SwitchboardError;
  /** A connection entered a group with presence events on (`first`: the user's only one there). */
  presenceJoin: PresenceJoin;
  /** A connection left such a group (`last`: the user's last one there; `reason`: `left`, `closed`, `node_lost`). */
  presenceLeave: PresenceLeave;
  /** The coalesced counts that come instead of events while they would cost too much: fetch the list again (`resync`). */
  presenceStats: PresenceResync;
  /** The group's list was rebuilt after its keeper's node was lost, and events were missed: fetch it again. */
  presenceReset: PresenceReset;
  /**
   * A routed frame with a reserved type (`welcome`, `ack`, `stream_reset`, ...: it carries `from`), which the client
   * did not act on: another client's forgery, or a message kept in history from before the service refused them.
   */
  ignored: Frame;
}

const EVENTS: readonly string[] = [
  "message", "state", "resumed", "receipt", "tokenExpiring", "error", "ignored",
  "presenceJoin", "presenceLeave", "presenceStats", "presenceReset",
];

const OPEN = 1;
const SUBPROTOCOL = "switchboard.v1";

/**
 * A connection to Switchboard that stays connected: it reconnects (to the next of its URLs) with backoff, resumes
 * its streams, rejoins its groups, resends what the server did not acknowledge, and refreshes its token.
 */
export class SwitchboardClient {
  private readonly urls: string[];
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly reconnects: boolean;
  private readonly backoff: Backoff;
  private readonly goingAwayDelay: number;
  private readonly rateLimitDelay: number;
  private readonly maxAttempts: number;
  private readonly connectTimeout: number;
  private readonly heartbeat: Heartbeat;
  private readonly outbox: Outbox;
  private readonly events = new Emitter<ClientEvents>();
  private readonly streams = new StreamPositions();
  private readonly joined: Set<string>;

  private currentState: ConnectionState = "disconnected";
  private user: string | undefined;
  private socket: WebSocketLike | undefined;
  private target: ConnectTarget | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private urlIndex = 0;
  private attemptsWithoutWelcome = 0;
  private welcomedBefore = false;
  private tokensUsed = 0;
  private nextId = 0;
  private readonly idPrefix = randomHex(8);
  private firstConnect: { resolve: (welcome: Welcome) => void; reject: (error: SwitchboardError) => void } | undefined;
  private stoppedBy: SwitchboardError | undefined;

  constructor(
    url: string | string[],
    private readonly options: ClientOptions = {},
  ) {
    this.urls = (Array.isArray(url) ? url : [url]).map(checkedUrl);
    if (this.urls.length === 0) throw invalidArgument("no URL: give a ws:// or wss:// URL, or a list of them");
    const impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (typeof impl !== "function")
      throw invalidArgument("no WebSocket here: pass a constructor as options.WebSocket (the ws package on Node.js before 22)");
    this.WebSocketImpl = impl;
    if (options.userId !== undefined) checkedName(options.userId, "userId");
    this.user = options.userId;
    this.joined = new Set((options.groups ?? []).map((group) => checkedGroup(group)));

    const reconnect = options.reconnect === false ? {} : (options.reconnect ?? {});
    this.reconnects = options.reconnect !== false;
    this.backoff = new Backoff(positive(reconnect.initialDelay, 500, "reconnect.initialDelay"), positive(reconnect.maxDelay, 30_000, "reconnect.maxDelay"));
    this.goingAwayDelay = positive(reconnect.goingAwayDelay, 1000, "reconnect.goingAwayDelay");
    this.rateLimitDelay = positive(reconnect.rateLimitDelay, 5000, "reconnect.rateLimitDelay");
    this.maxAttempts = positive(reconnect.maxAttempts, Infinity, "reconnect.maxAttempts");
    this.connectTimeout = positive(options.connectTimeout, 15_000, "connectTimeout");
    // As long as the server's relay keeps trying a message (60 s, past the time a cluster takes to down a lost node).
    this.outbox = new Outbox(positive(options.sendTimeout, 60_000, "sendTimeout"));
    this.heartbeat = new Heartbeat(
      positive(options.pingInterval, 25_000, "pingInterval"),
      positive(options.pongTimeout, 10_000, "pongTimeout"),
      () => this.write(JSON.stringify({ type: "ping" })),
      () => this.abandon("no answer to a ping"),
    );
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The user: as given until the first welcome, then as the server named it. */
  get userId(): string | undefined {
    return this.user;
  }

  /** The stream positions held, which the next connect resumes from. */
  get positions(): Positions {
    return this.streams.snapshot();
  }

  /** The groups the client is a member of, rejoined on every reconnect. */
  get groups(): string[] {
    return [...this.joined];
  }

  /** Why the client stopped on its own (kicked, token expired, gave up), until the next `connect`. */
  get stopReason(): SwitchboardError | undefined {
    return this.stoppedBy;
  }

  on<Name extends keyof ClientEvents & string>(event: Name, handler: (value: ClientEvents[Name]) => void): () => void {
    if (!EVENTS.includes(event))
      throw invalidArgument(`unknown event ${JSON.stringify(event)}`);
    return this.events.on(event, handler);
  }

  /**
   * Connects, trying the URLs in turn by the reconnect rules, and resolves with the first welcome's data. Rejects when
   * the client stops first (`close`, a kick, an expired token without `getToken`, or `reconnect: false` and a failure).
   */
  connect(): Promise<Welcome> {
    if (this.currentState !== "disconnected")
      return Promise.reject(new SwitchboardError("invalid_state", `connect() while ${this.currentState}: close() first`));
    this.stoppedBy = undefined;
    this.welcomedBefore = false;
    this.attemptsWithoutWelcome = 0;
    this.backoff.reset();
    this.setState("connecting");
    const welcome = new Promise<Welcome>((resolve, reject) => (this.firstConnect = { resolve, reject }));
    void this.open();
    return welcome;
  }

  /** Closes the connection and stops reconnecting; unanswered sends fail with `closed`. */
  close(): void {
    if (this.currentState === "disconnected") return;
    const socket = this.socket;
    this.stop(new SwitchboardError("closed", "the client was closed"), false);
    if (socket) closeQuietly(socket, 1000, "client closed");
  }

  /** Sends a direct (`to`) or group (`group`) message; resolves on the server's `ack`, rejects on its `error`. */
  send(message: OutgoingMessage): Promise<Ack> {
    return this.guarded(() => this.request(messageFrame(message)));
  }

  join(group: string): Promise<Ack> {
    return this.guarded(() =>
      this.request({ type: "join", group: checkedGroup(group) }, (ack) => {
        this.joined.add(group);
        this.streams.joined(group, positionIn(ack.data));
      }),
    );
  }

  leave(group: string): Promise<Ack> {
    return this.guarded(() =>
      this.request({ type: "leave", group: checkedGroup(group) }, () => {
        this.joined.delete(group);
        this.streams.left(group);
      }),
    );
  }

  /**
   * Sends a broadcast to every connection (when the server lets this connection broadcast). The server gives a
   * client's broadcast the type `broadcast`, so `type` and `data` travel in it: receivers get `data: {type, data}`.
   * The frame's own type is `broadcast` whatever `type` is, so no type is reserved here.
   */
  broadcast(type: string, data?: unknown): Promise<Ack> {
    return this.guarded(() => this.request({ type: "broadcast", data: { type: checkedType(type), data } }));
  }

  /** Confirms the user stream up to `seq` (receipts; history on): senders that asked get a `receipt`. */
  confirmReceived(seq: number): Promise<Ack> {
    return this.guarded(() => {
      if (!Number.isSafeInteger(seq) || seq < 0) throw invalidArgument(`seq must be an integer of 0 or more, not ${String(seq)}`);
      return this.request({ type: "received", data: { seq } });
    });
  }

  /**
   * One page of who is in `group` (a group of a namespace with presence on, that this client is a member of): users in
   * user-id order, each with its connections. With `complete: false` more follow: ask again with `{ cursor }`.
   * Rejects with the server's code: `presence_off`, `forbidden` (not a member), ...
   */
  presence(group: string, request: PresenceRequest = {}): Promise<PresencePage> {
    return this.guarded(() => {
      const frame: Record<string, unknown> = { type: "presence", group: checkedGroup(group) };
      const cursor = cursorOf(request);
      if (cursor !== undefined) frame.data = { cursor };
      return this.ask(frame, "presence").then((answer) => answer.data as PresencePage);
    });
  }

  /** Every user in `group`: asks page after page until the last. Users that come or go meanwhile may be missed or kept. */
  async presenceAll(group: string): Promise<PresenceUsers> {
    const users: PresenceUsers = {};
    let cursor: string | undefined;
    for (;;) {
      const page = await this.presence(group, cursor === undefined ? {} : { cursor });
      Object.assign(users, page.users);
      if (page.complete) return users;
      if (typeof page.cursor !== "string" || page.cursor === cursor)
        throw new SwitchboardError("invalid_frame", `a presence page of ${group} said it was not complete without a new cursor`);
      cursor = page.cursor;
    }
  }

  /** How many users and connections are in `group`; rejects as `presence` does. */
  presenceStats(group: string): Promise<PresenceStats> {
    return this.guarded(() =>
      this.ask({ type: "presence_stats", group: checkedGroup(group) }, "presence_stats").then(
        (answer) => answer.data as PresenceStats,
      ),
    );
  }

  /**
   * Asks the application's rpc hook (through the server) to run `method` with `params`; resolves with the answer's
   * result (the `rpc_result` frame's `data`), rejects with the server's code: the application's own error, or
   * `not_available` (no rpc hook configured), `hook_unavailable` (the application could not be asked), `busy`. Like
   * every request it waits for a connection (up to `sendTimeout`), but it is written at most once: a connection that
   * drops before the answer rejects it with `unanswered`, since the application may have run it (the server never
   * calls a hook twice, and neither does the client).
   */
  rpc(method: string, params?: unknown): Promise<unknown> {
    return this.guarded(() => {
      const frame: Record<string, unknown> = { type: "rpc", data: { method: checkedName(method, "an rpc method"), params } };
      return this.ask(frame, "rpc_result", undefined, true).then((answer) => answer.data);
    });
  }

  /** Bad input throws while the frame is built; callers of these methods get it as a rejection, as every other failure. */
  private guarded<T>(call: () => Promise<T>): Promise<T> {
    try {
      return call();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private request(frame: Record<string, unknown>, acknowledged?: (ack: Ack) => void): Promise<Ack> {
    return this.ask(frame, "ack", acknowledged as ((answer: Frame) => void) | undefined) as Promise<unknown> as Promise<Ack>;
  }

  /**
   * Sends a frame with an id and resolves with the frame of `answerType` that answers it: an `ack`, or a request's own
   * answer (`presence`, `presence_stats`, `rpc_result`). Waits in the outbox across reconnects, and is written again
   * after one, as every send is, unless `once` (an rpc).
   */
  private ask(frame: Record<string, unknown>, answerType: string, acknowledged?: (answer: Frame) => void, once = false): Promise<Frame> {
    if (this.currentState === "disconnected")
      return Promise.reject(this.stoppedBy ?? new SwitchboardError("closed", "not connected: call connect() first"));
    const id = (frame.id as string | number | undefined) ?? `${this.idPrefix}-${++this.nextId}`;
    if (this.outbox.has(id)) return Promise.reject(new SwitchboardError("duplicate_id", `a send with id ${JSON.stringify(id)} is still waiting for its ack`));
    const writer = this.currentState === "connected" ? (text: string) => this.write(text) : undefined;
    return this.outbox.add({ ...frame, id }, writer, answerType, acknowledged, once);
  }

  private async open(): Promise<void> {
    this.reconnectTimer = undefined;
    let token: string | undefined;
    try {
      token = await this.tokenForAttempt();
    } catch (error) {
      this.reportError(new SwitchboardError("connect_failed", `getToken failed: ${describe(error)}`));
      this.retry({ kind: "backoff" });
      return;
    }
    if (this.currentState === "disconnected") return; // closed while getToken ran
    const target = connectTarget(this.urls[this.urlIndex]!, { userId: this.options.userId, token }, this.joined, this.streams);
    let socket: WebSocketLike;
    try {
      socket = new this.WebSocketImpl(target.url, SUBPROTOCOL);
    } catch (error) {
      this.reportError(new SwitchboardError("connect_failed", `cannot open ${this.urls[this.urlIndex]}: ${describe(error)}`));
      this.retry({ kind: "backoff" });
      return;
    }
    this.socket = socket;
    this.target = target;
    this.connectTimer = setTimeout(() => this.abandon(`no welcome within ${this.connectTimeout} ms`), this.connectTimeout);
    socket.onmessage = (event) => {
      if (socket === this.socket) this.received(event.data);
    };
    socket.onclose = (event) => {
      if (socket === this.socket) this.closed(event.code, event.reason ?? "");
    };
    socket.onerror = () => {
      // a close event follows with the code; an error event carries nothing more to act on
    };
  }

  private async tokenForAttempt(): Promise<string | undefined> {
    const first = this.tokensUsed++ === 0;
    if (first && this.options.token !== undefined) return this.options.token;
    if (this.options.getToken) return checkedToken(await this.options.getToken());
    return this.options.token;
  }

  private received(raw: unknown): void {
    let frame: Frame;
    try {
      frame = JSON.parse(typeof raw === "string" ? raw : new TextDecoder().decode(raw as ArrayBuffer)) as Frame;
    } catch {
      this.reportError(new SwitchboardError("invalid_frame", "the server sent a frame that is not JSON"));
      return;
    }
    if (this.currentState === "connected") this.heartbeat.received();
    // A routed frame posing as the service's: it shows the connection alive (above) and nothing more. Not a session,
    // an answer, a position or a receipt; not even its seq moves the stream's position (a forgery could set it at
    // will), so a resume may replay it, to be ignored again.
    if (posesAsServiceFrame(frame)) {
      this.events.emit("ignored", frame);
      return;
    }
    switch (frame.type) {
      case "welcome":
        this.welcomed(frame.data as Welcome);
        break;
      case "pong":
        break;
      case "ack":
        this.outbox.answered(frame.id, { frame });
        break;
      // Answers to presence requests, matched by id and type (not acks); a presence_stats without an id is the
      // coalesced one that comes instead of events.
      case "presence":
      case "presence_stats":
        if (frame.id === undefined && frame.type === "presence_stats")
          this.events.emit("presenceStats", { ...(frame.data as object), group: frame.group } as PresenceResync);
        else this.outbox.answered(frame.id, { frame });
        break;
      case "rpc_result":
        this.outbox.answered(frame.id, { frame });
        break;
      case "presence_join":
        this.events.emit("presenceJoin", { ...(frame.data as object), group: frame.group } as PresenceJoin);
        break;
      case "presence_leave":
        this.events.emit("presenceLeave", { ...(frame.data as object), group: frame.group } as PresenceLeave);
        break;
      case "presence_reset":
        this.events.emit("presenceReset", { group: frame.group } as PresenceReset);
        break;
      case "error":
        this.serverError(frame);
        break;
      case "resumed": {
        const data = frame.data as Resumed;
        this.streams.moved(data);
        this.events.emit("resumed", data);
        break;
      }
      case "stream_reset": {
        const data = frame.data as Omit<Resumed, "recovered">;
        this.streams.moved({ ...data, recovered: false });
        this.events.emit("resumed", { ...data, recovered: false, reason: "stream_reset" });
        break;
      }
      case "receipt":
        this.events.emit("receipt", frame);
        break;
      case "token_expiring":
        this.tokenExpiring((frame.data ?? {}) as { expires_in?: number });
        break;
      default:
        if (this.streams.advance(frame)) this.events.emit("message", frame);
    }
  }

  private welcomed(welcome: Welcome): void {
    clearTimeout(this.connectTimer);
    const target = this.target!;
    this.streams.welcomed(welcome, target.resumes);
    this.user = welcome.user_id;
    this.attemptsWithoutWelcome = 0;
    this.backoff.reset();
    const reconnected = this.welcomedBefore;
    this.welcomedBefore = true;
    // What waited goes out before the state changes, so that a send made by a state handler comes after it.
    this.outbox.flush((text) => this.write(text));
    this.setState("connected");
    this.heartbeat.received();
    if (reconnected) this.reportUnresumed(target);
    this.firstConnect?.resolve(welcome);
    this.firstConnect = undefined;
  }

  /** Streams this reconnect could not resume (no position held: history off, or none received yet) may have a gap. */
  private reportUnresumed(target: ConnectTarget): void {
    if (!target.resumes.user) this.events.emit("resumed", { stream: "user", recovered: false, reason: "no_position" });
    for (const group of this.joined)
      if (!target.resumes.groups.has(group)) this.events.emit("resumed", { group, recovered: false, reason: "no_position" });
  }

  private serverError(frame: Frame): void {
    const data = (frame.data ?? {}) as { code?: string; message?: string };
    const error = new SwitchboardError(data.code ?? "error", data.message ?? "the server refused a frame");
    if (!this.outbox.answered(frame.id, { error })) this.reportError(error);
  }

  private tokenExpiring(data: { expires_in?: number }): void {
    this.events.emit("tokenExpiring", data);
    const getToken = this.options.getToken;
    if (!getToken) return;
    Promise.resolve()
      .then(getToken)
      .then((token) => this.request({ type: "refresh", data: { token: checkedToken(token) } }))
      .catch((error: unknown) =>
        this.reportError(error instanceof SwitchboardError ? error : new SwitchboardError("refresh_failed", `getToken failed: ${describe(error)}`)),
      );
  }

  private write(text: string): void {
    if (this.socket?.readyState === OPEN) this.socket.send(text);
  }

  /** Gives up on a connection that does not answer, without waiting for its close handshake. */
  private abandon(why: string): void {
    const socket = this.socket;
    if (!socket) return;
    socket.onmessage = socket.onclose = null;
    const terminate = (socket as { terminate?: () => void }).terminate;
    if (typeof terminate === "function") terminate.call(socket);
    else closeQuietly(socket, 4000, why);
    this.closed(1006, why);
  }

  private closed(code: number, reason: string): void {
    clearTimeout(this.connectTimer);
    this.heartbeat.stop();
    const hadWelcome = this.currentState === "connected";
    this.socket = undefined;
    this.target = undefined;
    if (!hadWelcome) this.attemptsWithoutWelcome++;
    const next = afterClose(code, reason, this.options.getToken !== undefined);
    if (next.kind === "too_large")
      this.outbox.failWritten(new SwitchboardError("too_large", "the server closed with 1009: a message was larger than it takes", code));
    this.outbox.disconnected();
    if (next.kind === "stop") this.stop(next.error);
    else if (!this.reconnects) this.stop(new SwitchboardError("closed", `the connection closed (${code} ${reason}) and reconnect is off`, code));
    else if (this.attemptsWithoutWelcome >= this.maxAttempts)
      this.stop(new SwitchboardError("gave_up", `no welcome in ${this.attemptsWithoutWelcome} attempts; last close ${code} ${reason}`, code));
    else this.retry(next);
  }

  private retry(next: { kind: "soon" | "backoff" | "rate_limited" | "too_large" | "new_token" }): void {
    const delay =
      next.kind === "soon"
        ? Math.floor(Math.random() * this.goingAwayDelay)
        : next.kind === "rate_limited"
          ? this.rateLimitDelay + this.backoff.next()
          : this.backoff.next();
    this.urlIndex = (this.urlIndex + 1) % this.urls.length;
    this.setState(this.welcomedBefore ? "reconnecting" : "connecting");
    this.reconnectTimer = setTimeout(() => void this.open(), delay);
  }

  private stop(reason: SwitchboardError, report = true): void {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.connectTimer);
    this.heartbeat.stop();
    if (this.socket) this.socket.onmessage = this.socket.onclose = null;
    this.socket = undefined;
    this.target = undefined;
    this.stoppedBy = report ? reason : undefined;
    this.setState("disconnected");
    this.outbox.failAll(reason);
    this.firstConnect?.reject(reason);
    this.firstConnect = undefined;
    if (report) this.reportError(reason);
  }

  private reportError(error: SwitchboardError): void {
    if (this.events.count("error") > 0) this.events.emit("error", error);
    else console.warn(`switchboard-client: ${error.code}: ${error.message}`);
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.events.emit("state", state);
  }
}

function cursorOf(request: PresenceRequest): string | undefined {
  if (typeof request !== "object" || request === null) throw invalidArgument("presence takes an object: { cursor? }");
  return request.cursor === undefined ? undefined : checkedName(request.cursor, "cursor");
}

function positionIn(data: Ack["data"]): { epoch: string; seq: number } | undefined {
  return typeof data?.epoch === "string" && typeof data.seq === "number" ? { epoch: data.epoch, seq: data.seq } : undefined;
}

function closeQuietly(socket: WebSocketLike, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // already closing
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function randomHex(bytes: number): string {
  const values = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(values);
  return Array.from(values, (b) => b.toString(16).padStart(2, "0")).join("");
}
