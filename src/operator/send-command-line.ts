import type { CustomCommand, EngagementMeta } from '../protocol/wire.js';
import { parseCommandLine, type ParsedCommandLine } from './command-line.js';
import type { Operator } from './create-operator.js';

/** What `sendCommandLine` did: the command it sent, or the engagement's state after a `/set`. */
export type CommandLineResult =
  | { kind: 'bot'; parsed: Extract<ParsedCommandLine, { kind: 'bot' }>; command: CustomCommand }
  | { kind: 'set-meta' | 'set-property'; parsed: Extract<ParsedCommandLine, { kind: 'set-meta' | 'set-property' }>; state: EngagementMeta };

/**
 * Runs one line typed in an operator console (ChatShipper's command messages):
 *
 * - `>name key=value ...` sends a custom command with properties
 *   `{ name, key: value, ... }` (`operator.sendCustomCommand`); the visitor's
 *   `name` handler runs it. With ` -- text` at the end, `text` is the
 *   command's `content`, which the visitor's transcript shows (without it,
 *   the transcript's fallback text).
 * - `/set key value`, `/set {...}` merge into the engagement's metadata;
 *   `/set @name|@category|@touchpoint|@language value` change a property
 *   (`operator.setMeta`). The visitor sees them as `visitor.meta`.
 *
 * A function of the client rather than a method, so that a bot that never
 * reads typed lines does not ship the parser.
 *
 * @throws (rejects with) the `CommandLineError` of `parseCommandLine`, saying
 *   what was expected at which column, before anything is sent; or the
 *   client's HTTP errors.
 */
export async function sendCommandLine(operator: Operator, engagementId: string, line: string): Promise<CommandLineResult> {
  const parsed = parseCommandLine(line);
  if (parsed.kind === 'bot') {
    const { properties, content } = parsed;
    return { kind: 'bot', parsed, command: await operator.sendCustomCommand({ engagementId, properties, content }) };
  }
  const change =
    parsed.kind === 'set-meta' ? { meta: parsed.meta } : { properties: { [parsed.property]: parsed.value } };
  return { kind: parsed.kind, parsed, state: await operator.setMeta(engagementId, change) } as CommandLineResult;
}
