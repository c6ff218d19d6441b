import type { CustomCommand, EngagementEvent, EngagementProperties } from '../protocol/wire.js';
import { uuidv4 } from './ids.js';
import type { CommandResult } from '../protocol/wire.js';

export type Role = 'visitor' | 'operator';

export interface TokenGrant {
  role: Role;
  engagementId: string;
}

/** One accepted custom command, its place in the stream and what the visitor said became of it. */
export interface StoredCommand {
  /** 1, 2, 3, ... in the order the server accepted the commands of the engagement. */
  seq: number;
  /** The PUT response object, as every identical resend gets it again. */
  command: CustomCommand;
  /** `null` until the visitor reports; the first report wins. */
  result: CommandResult | null;
  /** When the visitor marked it read (`POST .../read`); absent until then, the first mark wins. */
  readAt?: string;
}

/** Someone typing (Engage Digital's typing.start), until `until` (epoch ms) unless a stop comes first. */
export interface TypingState {
  preview: string | undefined;
  until: number;
}

export interface EngagementRecord {
  engagementId: string;
  subEngagementId: string;
  visitorToken: string;
  operatorToken: string;
  events: EngagementEvent[];
  /** Idempotency-Key → the event it created. */
  eventsByKey: Map<string, EngagementEvent>;
  /** In `seq` order: `commands[i].seq === i + 1`. */
  commands: StoredCommand[];
  /** The same entries by command id (lower case: UUIDs compare case-insensitively). */
  commandsById: Map<string, StoredCommand>;
  /** Free-form metadata: `/set key value` merges into it (ChatShipper). */
  meta: Record<string, unknown>;
  /** `/set @property value` (ChatShipper). */
  properties: EngagementProperties;
  /** Who is typing now, by role. */
  typing: Partial<Record<Role, TypingState>>;
  /** The times (epoch ms) of each role's recent typing requests: the rate limit's window. */
  typingRequests: Record<Role, number[]>;
}

/** What `createEngagement()` returns: everything a visitor and an operator need. */
export interface EngagementCredentials {
  engagementId: string;
  subEngagementId: string;
  visitorToken: string;
  operatorToken: string;
}

export interface Store {
  engagements: Map<string, EngagementRecord>;
  tokens: Map<string, TokenGrant>;
  create(init?: Partial<EngagementCredentials>): EngagementRecord;
  clear(): void;
}

export function createStore(): Store {
  const engagements = new Map<string, EngagementRecord>();
  const tokens = new Map<string, TokenGrant>();
  return {
    engagements,
    tokens,
    create(init = {}) {
      const engagementId = init.engagementId ?? uuidv4();
      if (engagements.has(engagementId)) {
        throw new Error(`createEngagement: engagement "${engagementId}" exists already`);
      }
      const record: EngagementRecord = {
        engagementId,
        subEngagementId: init.subEngagementId ?? uuidv4(),
        visitorToken: init.visitorToken ?? `visitor-${uuidv4()}`,
        operatorToken: init.operatorToken ?? `operator-${uuidv4()}`,
        events: [],
        eventsByKey: new Map(),
        commands: [],
        commandsById: new Map(),
        meta: {},
        properties: {},
        typing: {},
        typingRequests: { visitor: [], operator: [] },
      };
      for (const token of [record.visitorToken, record.operatorToken]) {
        if (tokens.has(token)) throw new Error(`createEngagement: token "${token}" is in use already`);
      }
      engagements.set(engagementId, record);
      tokens.set(record.visitorToken, { role: 'visitor', engagementId });
      tokens.set(record.operatorToken, { role: 'operator', engagementId });
      return record;
    },
    clear() {
      engagements.clear();
      tokens.clear();
    },
  };
}
