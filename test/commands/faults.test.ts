// Nothing lost, nothing doubled: the SDK against the reference server with faults injected.
// Each scenario prints its figures; the assertions demand zero lost and zero duplicated.
import { describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../../src/shared/storage.js';
import { createVisitor } from '../../src/index.js';
import { figures, quiet } from '../support/fixtures.js';
import { seededRandom } from '../support/random.js';
import { useReferenceServer } from '../support/server.js';
import { FAST_REALTIME, useVisitors, waitForConnection } from '../support/visitor.js';

const SEED = Number(process.env.ENGAGEKIT_FAULT_SEED ?? 20261121);
const { backend } = useReferenceServer();
const { open } = useVisitors(backend);

const FAST_QUEUE = { backoff: { initialDelay: 1, maxDelay: 20 } };


describe('commands under faults', () => {
  it('10,000 commands with socket drops, duplicated and reordered frames: every handler runs exactly once', async () => {
    const random = seededRandom(SEED + 1);
    backend.setFaults({ wsDropRate: 0.002, wsDuplicateRate: 0.1, wsReorderRate: 0.05, httpFailureRate: 0.1, random });
    const engagement = backend.createEngagement();
    const runs = new Map<string, number>();
    const visitor = createVisitor({
      baseUrl: backend.baseUrl,
      engagementId: engagement.engagementId,
      token: engagement.visitorToken,
      storage: createMemoryStorage(),
      logger: quiet,
      realtime: FAST_REALTIME,
      queue: FAST_QUEUE,
      handlers: { '*': (_p, { command }) => void runs.set(command.id, (runs.get(command.id) ?? 0) + 1) },
    });
    open.push(visitor);
    await waitForConnection(visitor, { status: 'open' });

    const TOTAL = 10_000;
    const ids: string[] = [];
    for (let i = 0; i < TOTAL; i++) {
      ids.push(backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'n', i } }).id);
      if (i % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 0)); // let the socket breathe
    }
    await vi.waitFor(() => expect(runs.size).toBe(TOTAL), { timeout: 60_000, interval: 50 });
    await vi.waitFor(
      () => expect(backend.getCommands(engagement.engagementId).filter((c) => c.result !== null).length).toBe(TOTAL),
      { timeout: 60_000, interval: 50 },
    );
    const repeated = [...runs.values()].filter((n) => n > 1).length;
    figures('commands under faults', {
      'commands sent': TOTAL,
      'socket drops': backend.faultCounts.wsDrops,
      'duplicated frames': backend.faultCounts.wsDuplicates,
      'reordered frames': backend.faultCounts.wsReorders,
      'HTTP faults (result reports)': JSON.stringify(backend.faultCounts.http),
      'commands executed': runs.size,
      repeated,
      lost: ids.filter((id) => !runs.has(id)).length,
      'results on the server': backend.getCommands(engagement.engagementId).filter((c) => c.result !== null).length,
    });
    expect(repeated).toBe(0);
    expect(ids.every((id) => runs.get(id) === 1)).toBe(true);
    expect(backend.faultCounts.wsDrops).toBeGreaterThan(3);
    expect(backend.faultCounts.wsDuplicates).toBeGreaterThan(500);
  }, 180_000);
});
