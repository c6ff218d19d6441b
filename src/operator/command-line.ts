import { ENGAGEMENT_PROPERTIES, TOUCHPOINTS, type EngagementProperty } from '../protocol/wire.js';
import { InvalidArgumentError, isEngageKitError } from '../shared/errors.js';

/**
 * The operator's command line, after ChatShipper's command messages: `>name
 * key=value ...` sends a bot command, `/set` changes the engagement's
 * metadata or properties. Parsing only; sending is the operator client's.
 *
 * Columns are 1-based and count code points, so an emoji is one column.
 */

/** A `key=value` value: quoted text is a string, bare words are typed. */
export type CommandLineValue = string | number | boolean | null;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type ParsedCommandLine =
  /**
   * `>name key=value ... -- content`: a custom command with properties
   * `{ name, key: value, ... }`, and `content` (what the visitor's transcript
   * shows) when the line has ` -- `.
   */
  | { kind: 'bot'; name: string; properties: { name: string } & Record<string, CommandLineValue>; content?: string }
  /** `/set key value` or `/set {...}`: merged into the engagement's metadata. */
  | { kind: 'set-meta'; meta: Record<string, JsonValue> }
  /** `/set @property value`: changes an engagement property. */
  | { kind: 'set-property'; property: EngagementProperty; value: string | number };

/** A command line that could not be parsed: what was expected, and at which column. */
export type CommandLineError = InvalidArgumentError & {
  /** 1-based, in code points. */
  readonly column: number;
  /** What the parser expected there, e.g. `'=' after key "colour"`. */
  readonly expected: string;
};

/** True for the error `parseCommandLine` throws, also from another copy of the SDK. */
export function isCommandLineError(value: unknown): value is CommandLineError {
  return (
    isEngageKitError(value, 'ERR_INVALID_ARGUMENT') &&
    (value as { argument?: unknown }).argument === 'line' &&
    typeof (value as { column?: unknown }).column === 'number' &&
    typeof (value as { expected?: unknown }).expected === 'string'
  );
}

/** The system commands of ChatShipper that EngageKit does not support: named as such in the error. */
const SEED_COMMANDS = new Set(['notify', 'assign', 'join', 'accept', 'leave', 'close', 'block', 'action', 'send', 'import']);
const IDENT_START = /^[A-Za-z_]$/;
const IDENT_PART = /^[A-Za-z0-9_.-]$/;
const LINE_BREAK = /^[\n\r\u2028\u2029]$/;
const SPACE = /^\s$/;
/** A number as JSON writes it. */
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const COMMAND = "'>name' or '/set'";
const ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const JSON_ESCAPES = '\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX';

/**
 * Parses one operator command line.
 *
 * - `>name key=value ...`: keys are `[A-Za-z_][A-Za-z0-9_.-]*` (so is the
 *   name), each at most once and never `name`; no spaces around `=`. Values in
 *   `"..."` or `'...'` are strings (JSON's escapes, and `\'`); bare
 *   words are typed: JSON numbers, `true`, `false`, `null`, else strings.
 *   Integers beyond 2^53 and numbers beyond the double range stay strings.
 * - `>name key=value ... -- content`: a `--` where a key could start, alone
 *   (a space or the end after it), ends the properties; the rest of the line
 *   is the command's `content`, the text the visitor's transcript shows:
 *   as typed (trailing spaces dropped), or one quoted string for exact text
 *   with escapes (`-- "Line 1\nLine 2"`). No key starts with `-`, so `--`
 *   cannot be mistaken for one; inside a value (`x=--`, `"a -- b"`) it is
 *   part of the value. `>showMessage message="Still there?" -- Your agent
 *   asked if you are still there.`
 * - `/set key value`: the value is the rest of the line, typed as a bare word
 *   when it is one word, a string when it is one quoted string, else the text.
 * - `/set {...}`: a JSON object on the rest of the line, merged into metadata.
 * - `/set @name text`, `@category` (digits: the zero-based index, else a
 *   name), `@touchpoint` (web, email, sms, facebook), `@language` (two
 *   lowercase letters).
 *
 * @throws CommandLineError saying what was expected and at which column.
 */
export function parseCommandLine(line: string): ParsedCommandLine {
  if (typeof line !== 'string') {
    throw commandLineError(1, 'a command line string', line === null ? 'null' : typeof line);
  }
  return createParser(line).parse();
}

/**
 * The error's message, the line, and a caret under the column, for a
 * console; any other error is rendered as its message. A tab before the column is kept so the caret lines up; wide
 * characters (CJK, some emoji) may shift it.
 */
export function formatCommandLineError(line: string, caught: unknown): string {
  if (!isCommandLineError(caught)) return caught instanceof Error ? caught.message : String(caught);
  const chars = Array.from(line);
  const shown = chars.map((c) => (LINE_BREAK.test(c) ? '↵' : c)).join('');
  const indent = chars
    .slice(0, caught.column - 1)
    .map((c) => (c === '\t' ? '\t' : ' '))
    .join('');
  return `${caught.message}\n${shown}\n${indent}^`;
}

function commandLineError(column: number, expected: string, got: string): CommandLineError {
  const error = new InvalidArgumentError('line', `command line, column ${column}: expected ${expected}, got ${got}`);
  return Object.assign(error, { column, expected });
}

/** Sets an own property, also for `__proto__`, which plain assignment would turn into a prototype change. */
function define<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function describeChar(c: string | undefined): string {
  if (c === undefined) return 'end of line';
  if (c === ' ') return 'a space';
  if (c === '\t') return 'a tab';
  if (c === "'") return `"'"`;
  if (SPACE.test(c) || /^\p{C}$/u.test(c)) return `U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${c}'`;
}

/** A bare word's value: JSON numbers, `true`, `false` and `null` are typed; anything that would lose information stays a string. */
function typeBare(text: string): CommandLineValue {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (!NUMBER.test(text)) return text;
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  if (/^-?\d+$/.test(text) && !Number.isSafeInteger(n)) return text;
  return n === 0 ? 0 : n;
}

function createParser(line: string) {
  const chars = Array.from(line);
  let pos = 0;

  const fail = (at: number, expected: string, got: string = describeChar(chars[at])): CommandLineError =>
    commandLineError(at + 1, expected, got);
  const isSpace = (c: string | undefined) => c !== undefined && SPACE.test(c);
  const skipSpaces = () => {
    while (isSpace(chars[pos])) pos++;
  };
  const atEnd = () => pos >= chars.length;
  const readIdent = (): string => {
    const start = pos;
    if (chars[pos] === undefined || !IDENT_START.test(chars[pos] as string)) return '';
    pos++;
    while (chars[pos] !== undefined && IDENT_PART.test(chars[pos] as string)) pos++;
    return chars.slice(start, pos).join('');
  };
  /** The rest of the line from `pos`, without trailing whitespace. */
  const restEnd = () => {
    let end = chars.length;
    while (end > pos && isSpace(chars[end - 1])) end--;
    return end;
  };

  /**
   * A quoted string at `pos`; leaves `pos` after the closing quote. Escapes
   * are JSON's, so any JSON string is a valid value; the command line also
   * takes `\'` and raw control characters, JSON does not.
   */
  const readString = (json: boolean): string => {
    const quote = chars[pos] as string;
    const open = pos;
    pos++;
    let out = '';
    for (;;) {
      const c = chars[pos];
      if (c === undefined) throw fail(pos, `a closing ${quote} for the ${json ? 'JSON ' : ''}string opened at column ${open + 1}`);
      if (c === quote) {
        pos++;
        return out;
      }
      if (json && (c.codePointAt(0) as number) < 0x20) {
        throw fail(pos, 'an escape such as \\t instead of a control character in a JSON string');
      }
      if (c !== '\\') {
        out += c;
        pos++;
        continue;
      }
      const e = chars[pos + 1];
      if (e !== undefined && Object.prototype.hasOwnProperty.call(ESCAPES, e) && (e !== "'" || !json)) {
        out += ESCAPES[e];
        pos += 2;
      } else if (e === 'u') {
        for (let i = 2; i < 6; i++) {
          if (!/^[0-9A-Fa-f]$/.test(chars[pos + i] ?? '')) throw fail(pos + i, "4 hex digits after '\\u'");
        }
        out += String.fromCharCode(parseInt(chars.slice(pos + 2, pos + 6).join(''), 16));
        pos += 6;
      } else {
        throw fail(pos + 1, `an escape after '\\': ${json ? '' : "\\' "}${JSON_ESCAPES}`);
      }
    }
  };
  const readQuoted = () => readString(false);

  /**
   * The text from `pos` to the end of the line: one quoted string, or the
   * words as typed (trailing spaces dropped).
   */
  const readText = (what: string): { text: string; quoted: boolean } => {
    if (atEnd()) throw fail(pos, what);
    if (chars[pos] === '"' || chars[pos] === "'") {
      const text = readQuoted();
      skipSpaces();
      if (!atEnd()) throw fail(pos, 'end of line after the closing quote (quote the whole value)');
      return { text, quoted: true };
    }
    const end = restEnd();
    const text = chars.slice(pos, end).join('');
    pos = chars.length;
    return { text, quoted: false };
  };

  const parseBot = (): ParsedCommandLine => {
    pos++; // '>'
    const name = readIdent();
    if (name === '') throw fail(pos, "a command name right after '>' (a letter or '_' first)");
    const properties: Record<string, CommandLineValue> = { name };
    const columns = new Map<string, number>();
    // A value always ends at a space or the end of the line (readValue sees to it).
    if (!atEnd() && !isSpace(chars[pos])) throw fail(pos, `a space or end of line after command name "${name}"`);
    let content: string | undefined;
    for (;;) {
      skipSpaces();
      if (atEnd()) break;
      const keyAt = pos;
      if (chars[pos] === '-' && chars[pos + 1] === '-') {
        pos += 2;
        if (!atEnd() && !isSpace(chars[pos])) throw fail(pos, "a space after '--' (the command's content follows it)");
        skipSpaces();
        content = readText(`the command's content after '--' (text, or "..." for exact text)`).text;
        break;
      }
      const key = readIdent();
      if (key === '') throw fail(pos, "a key=value pair (a key starts with a letter or '_')");
      if (key === 'name') {
        throw fail(keyAt, `a key other than "name" (the command name "${name}" comes after '>')`, '"name"');
      }
      const first = columns.get(key);
      if (first !== undefined) throw fail(keyAt, 'each key once', `"${key}" again (first at column ${first})`);
      if (chars[pos] !== '=') throw fail(pos, `'=' after key "${key}"`);
      pos++;
      define(properties, key, readValue(key));
      columns.set(key, keyAt + 1);
    }
    const bot = { kind: 'bot' as const, name, properties: properties as { name: string } & Record<string, CommandLineValue> };
    return content === undefined ? bot : { ...bot, content };
  };

  /** The value after `key=`; leaves `pos` after it. */
  const readValue = (key: string): CommandLineValue => {
    const c = chars[pos];
    if (c === undefined || isSpace(c)) throw fail(pos, `a value after "${key}=" (use "" for an empty string)`);
    if (c === '"' || c === "'") {
      const text = readQuoted();
      if (!atEnd() && !isSpace(chars[pos])) throw fail(pos, 'a space or end of line after the closing quote');
      return text;
    }
    const start = pos;
    while (!atEnd() && !isSpace(chars[pos])) {
      if (chars[pos] === '"' || chars[pos] === "'") {
        throw fail(pos, 'no quote inside an unquoted value (quote the whole value instead)');
      }
      pos++;
    }
    return typeBare(chars.slice(start, pos).join(''));
  };

  const parseSet = (): ParsedCommandLine => {
    skipSpaces();
    const c = chars[pos];
    if (c === '{') {
      const meta = parseJson() as Record<string, JsonValue>;
      skipSpaces();
      if (!atEnd()) throw fail(pos, 'end of line after the JSON object');
      return { kind: 'set-meta', meta };
    }
    if (c === '@') return parseProperty();
    const keyAt = pos;
    const key = readIdent();
    if (key === '') throw fail(keyAt, "a key and a value, '@property value' or a JSON object after /set");
    if (atEnd()) throw fail(pos, `a value after key "${key}"`);
    if (!isSpace(chars[pos])) throw fail(pos, `a space and a value after key "${key}"`);
    skipSpaces();
    const { text, quoted } = readText(`a value after key "${key}"`);
    const meta: Record<string, JsonValue> = {};
    define<JsonValue>(meta, key, quoted || /\s/.test(text) ? text : typeBare(text));
    return { kind: 'set-meta', meta };
  };

  const parseProperty = (): ParsedCommandLine => {
    const at = pos;
    pos++; // '@'
    const word = readIdent();
    const allowed = ENGAGEMENT_PROPERTIES.map((p) => `@${p}`).join(', ');
    if (!(ENGAGEMENT_PROPERTIES as readonly string[]).includes(word)) {
      const got = word !== '' ? `"@${word}"` : atEnd() ? "'@' alone" : `'@' followed by ${describeChar(chars[pos])}`;
      throw fail(at, `one of ${allowed}`, got);
    }
    const property = word as EngagementProperty;
    if (!atEnd() && !isSpace(chars[pos])) throw fail(pos, `a space and a value after @${property}`);
    skipSpaces();
    const valueAt = pos;
    const { text, quoted } = readText(`a value after @${property}`);
    const got = JSON.stringify(text);
    switch (property) {
      case 'name':
        if (text === '') throw fail(valueAt, 'a name that is not empty', '""');
        return { kind: 'set-property', property, value: text };
      case 'category': {
        // ChatShipper: digits are the zero-based index of the category slot, anything else its name.
        const index = !quoted && /^\d+$/.test(text) ? Number(text) : NaN;
        if (text === '') throw fail(valueAt, 'a category name or index that is not empty', '""');
        return { kind: 'set-property', property, value: Number.isSafeInteger(index) ? index : text };
      }
      case 'touchpoint':
        if (!(TOUCHPOINTS as readonly string[]).includes(text)) throw fail(valueAt, `one of ${TOUCHPOINTS.join(', ')}`, got);
        return { kind: 'set-property', property, value: text };
      case 'language':
        if (!/^[a-z]{2}$/.test(text)) throw fail(valueAt, 'a two-letter lowercase language code such as de', got);
        return { kind: 'set-property', property, value: text };
    }
  };

  /** A JSON value at `pos` with the exact column of any mistake; the caller checks the rest of the line. */
  const parseJson = (): JsonValue => {
    const skip = () => {
      while (chars[pos] === ' ' || chars[pos] === '\t') pos++;
    };
    const value = (): JsonValue => {
      skip();
      const c = chars[pos];
      if (c === '{') return object();
      if (c === '[') return array();
      if (c === '"') return string();
      if (c === '-' || (c !== undefined && /^\d$/.test(c))) return number();
      const start = pos;
      while (chars[pos] !== undefined && /^[A-Za-z]$/.test(chars[pos] as string)) pos++;
      const word = chars.slice(start, pos).join('');
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
      throw fail(start, 'a JSON value (object, array, string, number, true, false or null)', word === '' ? describeChar(c) : `"${word}"`);
    };
    const object = (): Record<string, JsonValue> => {
      const result: Record<string, JsonValue> = {};
      const columns = new Map<string, number>();
      pos++; // '{'
      skip();
      if (chars[pos] === '}') {
        pos++;
        return result;
      }
      for (;;) {
        skip();
        const keyAt = pos;
        if (chars[pos] !== '"') throw fail(pos, 'a "quoted" key in the JSON object');
        const key = string();
        const first = columns.get(key);
        if (first !== undefined) throw fail(keyAt, 'each key once in a JSON object', `${JSON.stringify(key)} again (first at column ${first})`);
        columns.set(key, keyAt + 1);
        skip();
        if (chars[pos] !== ':') throw fail(pos, `':' after key ${JSON.stringify(key)}`);
        pos++;
        define(result, key, value());
        skip();
        if (chars[pos] === '}') {
          pos++;
          return result;
        }
        if (chars[pos] !== ',') throw fail(pos, "',' or '}' in the JSON object");
        pos++;
      }
    };
    const array = (): JsonValue[] => {
      const result: JsonValue[] = [];
      pos++; // '['
      skip();
      if (chars[pos] === ']') {
        pos++;
        return result;
      }
      for (;;) {
        result.push(value());
        skip();
        if (chars[pos] === ']') {
          pos++;
          return result;
        }
        if (chars[pos] !== ',') throw fail(pos, "',' or ']' in the JSON array");
        pos++;
      }
    };
    const string = () => readString(true);
    const number = (): number => {
      const start = pos;
      while (chars[pos] !== undefined && /^[-+.eE0-9]$/.test(chars[pos] as string)) pos++;
      const text = chars.slice(start, pos).join('');
      if (!NUMBER.test(text)) throw fail(start, 'a JSON number', JSON.stringify(text));
      const n = Number(text);
      if (!Number.isFinite(n)) throw fail(start, 'a number within the double range', text);
      return n;
    };
    return value();
  };

  return {
    parse(): ParsedCommandLine {
      const broken = chars.findIndex((c) => LINE_BREAK.test(c));
      if (broken !== -1) throw fail(broken, 'a single line', 'a line break');
      skipSpaces();
      const c = chars[pos];
      if (c === '>') return parseBot();
      if (c !== '/') throw fail(pos, COMMAND);
      const at = pos;
      pos++;
      const start = pos;
      while (chars[pos] !== undefined && /^[A-Za-z]$/.test(chars[pos] as string)) pos++;
      const word = chars.slice(start, pos).join('');
      if (word === 'set') {
        if (!atEnd() && !isSpace(chars[pos])) throw fail(pos, 'a space after /set');
        return parseSet();
      }
      const got = SEED_COMMANDS.has(word)
        ? `"/${word}" (a conversation command EngageKit does not support)`
        : word === ''
          ? `'/' followed by ${describeChar(chars[pos])}`
          : `"/${word}" (not a command)`;
      throw fail(at, COMMAND, got);
    },
  };
}
