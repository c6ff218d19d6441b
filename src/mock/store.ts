import type { EngagementEvent } from '../core/protocol.js';
import { uuidv4 } from './ids.js';

export type Role = 'visitor' | 'operator';

export interface TokenGrant {
  role: Role;
  engagementId: string;
}

export interface EngagementRecord {
  engagementId: string;
  subEngagementId: string;
  visitorToken: string;
  operatorToken: string;
  events: EngagementEvent[];
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
