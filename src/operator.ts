/**
 * `engagekit/operator`: the operator side, for consoles, bots and servers.
 * The demo's console uses it.
 */
export { createOperator } from './operator/create-operator.js';
export type {
  Operator,
  OperatorOptions,
  OperatorTyping,
  SendCustomCommandInput,
} from './operator/create-operator.js';
export type {
  CustomCommand,
  CommandResult,
  CommandStatus,
  CommandWithResult,
  EngagementMeta,
  EngagementProperties,
  EngagementProperty,
  MetaChange,
  TypingStatus,
  TypingView,
} from './protocol/wire.js';
export { ENGAGEMENT_PROPERTIES, TOUCHPOINTS } from './protocol/wire.js';
export {
  parseCommandLine,
  formatCommandLineError,
  isCommandLineError,
  type ParsedCommandLine,
  type CommandLineError,
  type CommandLineValue,
  type JsonValue,
} from './operator/command-line.js';
export { sendCommandLine, type CommandLineResult } from './operator/send-command-line.js';
