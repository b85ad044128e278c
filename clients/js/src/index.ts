export { SwitchboardClient, type ClientEvents } from "./client.js";
export { SwitchboardError } from "./errors.js";
export { isReservedType } from "./reserved.js";
export type {
  Ack,
  ClientOptions,
  ConnectionState,
  Frame,
  OutgoingMessage,
  Position,
  Positions,
  PresenceConnection,
  PresenceJoin,
  PresenceLeave,
  PresencePage,
  PresenceRequest,
  PresenceReset,
  PresenceResync,
  PresenceStats,
  PresenceUsers,
  ReconnectOptions,
  Resumed,
  Welcome,
  WebSocketConstructor,
  WebSocketLike,
} from "./types.js";
