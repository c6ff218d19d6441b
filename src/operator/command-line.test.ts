// @vitest-environment node
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, isEngageKitError } from '../shared/errors.js';
import {
  formatCommandLineError,
  isCommandLineError,
  parseCommandLine,
  type CommandLineError,
} from './command-line.js';

function errorOf(line: string): CommandLineError {
  try {
    parseCommandLine(line);
  } catch (error) {
    if (isCommandLineError(error)) return error;
    throw error;
  }
  throw new Error(`parseCommandLine(${JSON.stringify(line)}) did not throw`);
}

/** The line fails at `column`, expecting `expected`, having got `got`. */
function expectError(line: string, column: number, expected: string, got: string) {
  const error = errorOf(line);
  expect(error.message).toBe(`command line, column ${column}: expected ${expected}, got ${got}`);
  expect(error.column).toBe(column);
  expect(error.expected).toBe(expected);
}

const bot = (line: string) => {
  const parsed = parseCommandLine(line);
  if (parsed.kind !== 'bot') throw new Error(`not a bot command: ${parsed.kind}`);
  return parsed.properties;
};
const setMeta = (line: string) => {
  const parsed = parseCommandLine(line);
  if (parsed.kind !== 'set-meta') throw new Error(`not /set meta: ${parsed.kind}`);
  return parsed.meta;
};

const ESCAPE_LIST = `\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX`;

describe('>name key=value: bot commands', () => {
  it('reads the documented API example: a name and no properties', () => {
    expect(parseCommandLine('>onboard')).toEqual({ kind: 'bot', name: 'onboard', properties: { name: 'onboard' } });
  });

  it('types bare values: JSON numbers, true, false, null; other words are strings', () => {
    expect(bot('>paint colour=red size=12 ratio=-1.5e3 small=0.25 on=true off=false none=null zero=0')).toEqual({
      name: 'paint',
      colour: 'red',
      size: 12,
      ratio: -1500,
      small: 0.25,
      on: true,
      off: false,
      none: null,
      zero: 0,
    });
    expect(Object.is(bot('>x z=-0').z, 0)).toBe(true);
  });

  it('keeps as strings the bare words that would lose information as numbers, or are not JSON numbers', () => {
    expect(
      bot('>x id=12345678901234567890 zip=007 huge=1e999 plus=+5 dot=.5 trail=1. hex=0x10 cap=True nan=NaN inf=Infinity'),
    ).toEqual({
      name: 'x',
      id: '12345678901234567890',
      zip: '007',
      huge: '1e999',
      plus: '+5',
      dot: '.5',
      trail: '1.',
      hex: '0x10',
      cap: 'True',
      nan: 'NaN',
      inf: 'Infinity',
    });
    expect(bot('>x safe=9007199254740991 neg=-9007199254740991')).toEqual({ name: 'x', safe: 9007199254740991, neg: -9007199254740991 });
  });

  it('quoted values are always strings, with JSON escapes and \\\'', () => {
    expect(bot(`>say n="5" t='true' e="" e2='' text="hello world = 1"`)).toEqual({
      name: 'say',
      n: '5',
      t: 'true',
      e: '',
      e2: '',
      text: 'hello world = 1',
    });
    expect(bot(String.raw`>say a="say \"hi\"\n" b='it\'s' c="C:\\dir\/x" d="\t\r\b\f" e='"' f="'" g="\u00e9\u00C9"`)).toEqual({
      name: 'say',
      a: 'say "hi"\n',
      b: "it's",
      c: 'C:\\dir/x',
      d: '\t\r\b\f',
      e: '"',
      f: "'",
      g: 'éÉ',
    });
  });

  it('takes unicode in values, and \\u surrogate pairs', () => {
    expect(bot(String.raw`>greet city=Zürich who="李 😀" pair="\ud83d\ude00" tab="a	b"`)).toEqual({
      name: 'greet',
      city: 'Zürich',
      who: '李 😀',
      pair: '😀',
      tab: 'a\tb',
    });
  });

  it('takes keys with letters, digits, _, . and - (literally, no nesting) and = inside a bare value', () => {
    expect(bot('>open-chat_2 a.b=1 _c=2 d-e=3 url=https://x.test/?a=b&c=d list=1,2')).toEqual({
      name: 'open-chat_2',
      'a.b': 1,
      _c: 2,
      'd-e': 3,
      url: 'https://x.test/?a=b&c=d',
      list: '1,2',
    });
  });

  it('ignores surrounding whitespace and takes any run of spaces or tabs between pairs', () => {
    expect(parseCommandLine(' \t >x   a=1\t\tb="2"  \u00a0c=3 \t ')).toEqual({ kind: 'bot', name: 'x', properties: { name: 'x', a: 1, b: '2', c: 3 } });
  });

  it('makes __proto__ an own property, never a prototype change', () => {
    const properties = bot('>x __proto__=1 constructor=2');
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
    expect(Object.keys(properties)).toEqual(['name', '__proto__', 'constructor']);
    expect(JSON.parse(JSON.stringify(properties))).toEqual(JSON.parse('{"name":"x","__proto__":1,"constructor":2}'));
  });

  it('reads back any properties written as key=JSON (property)', () => {
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,8}$/).filter((k) => k !== 'name');
    const value = fc.oneof(fc.string({ unit: 'grapheme' }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(fc.dictionary(key, value), (properties) => {
        const line = `>cmd ${Object.entries(properties)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(' ')}`;
        fc.pre(!/[\n\r\u2028\u2029]/.test(line));
        // Integers beyond 2^53 stay strings: tested above.
        fc.pre(Object.values(properties).every((v) => typeof v !== 'number' || !Number.isInteger(v) || Number.isSafeInteger(v)));
        // JSON writes -0 as 0.
        expect(bot(line)).toEqual({ name: 'cmd', ...JSON.parse(JSON.stringify(properties)) });
      }),
    );
  });
});

describe('>name key=value -- content: the text the visitor sees', () => {
  it('takes the rest of the line after a lone -- as the content, trailing spaces dropped', () => {
    expect(parseCommandLine('>showMessage message="hi" -- Your agent says hi.  ')).toEqual({
      kind: 'bot',
      name: 'showMessage',
      properties: { name: 'showMessage', message: 'hi' },
      content: 'Your agent says hi.',
    });
    expect(parseCommandLine('>onboard -- Welcome aboard')).toEqual({
      kind: 'bot',
      name: 'onboard',
      properties: { name: 'onboard' },
      content: 'Welcome aboard',
    });
    expect(parseCommandLine('>onboard\t--\t  Welcome')).toMatchObject({ content: 'Welcome' });
  });

  it('has no content key without --, so a line without it parses as before', () => {
    expect(Object.keys(parseCommandLine('>paint colour=red'))).toEqual(['kind', 'name', 'properties']);
  });

  it('keeps the content as typed: =, quotes, -- and spaces inside it are text', () => {
    expect(parseCommandLine(`>x a=1 -- it's a=b -- "really"  here`)).toMatchObject({
      properties: { name: 'x', a: 1 },
      content: `it's a=b -- "really"  here`,
    });
  });

  it('takes one quoted string for exact text, with escapes (a line break, leading spaces)', () => {
    expect(parseCommandLine(String.raw`>x -- "  Line 1\nLine 2 "`)).toMatchObject({ content: '  Line 1\nLine 2 ' });
    expect(parseCommandLine(`>x -- ''`)).toMatchObject({ content: '' });
  });

  it('is -- only where a key could start: inside a value it is part of the value', () => {
    expect(parseCommandLine('>x a=-- b="c -- d"')).toEqual({ kind: 'bot', name: 'x', properties: { name: 'x', a: '--', b: 'c -- d' } });
    // A property named content is a property like any other.
    expect(parseCommandLine('>x content=hi')).toEqual({ kind: 'bot', name: 'x', properties: { name: 'x', content: 'hi' } });
  });

  it.each([
    ['>x --', 6, `the command's content after '--' (text, or "..." for exact text)`, 'end of line'],
    ['>x a=1 --   ', 13, `the command's content after '--' (text, or "..." for exact text)`, 'end of line'],
    ['>x --text', 6, "a space after '--' (the command's content follows it)", "'t'"],
    ['>x -- "a" b', 11, 'end of line after the closing quote (quote the whole value)', "'b'"],
    ['>x -- "a', 9, 'a closing " for the string opened at column 7', 'end of line'],
    ['>x -a=1', 4, "a key=value pair (a key starts with a letter or '_')", "'-'"],
  ])('%j: column %i', (line, column, expected, got) => {
    expectError(line, column, expected, got);
  });

  it('reads back any content written after -- as JSON (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (content) => {
        const line = `>say -- ${JSON.stringify(content)}`;
        fc.pre(!/[\n\r\u2028\u2029]/.test(line));
        expect(parseCommandLine(line)).toMatchObject({ content });
      }),
    );
  });
});

describe('>name key=value: errors say what was expected and at which column', () => {
  it.each([
    ['>', 2, "a command name right after '>' (a letter or '_' first)", 'end of line'],
    ['> onboard', 2, "a command name right after '>' (a letter or '_' first)", 'a space'],
    ['>9lives', 2, "a command name right after '>' (a letter or '_' first)", "'9'"],
    ['>paint! a=1', 7, 'a space or end of line after command name "paint"', "'!'"],
    ['>paint colour', 14, `'=' after key "colour"`, 'end of line'],
    ['>paint colour =red', 14, `'=' after key "colour"`, 'a space'],
    ['>paint colour:red', 14, `'=' after key "colour"`, "':'"],
    ['>paint colour= red', 15, 'a value after "colour=" (use "" for an empty string)', 'a space'],
    ['>paint colour=', 15, 'a value after "colour=" (use "" for an empty string)', 'end of line'],
    ['>paint 9=1', 8, "a key=value pair (a key starts with a letter or '_')", "'9'"],
    ['>paint =1', 8, "a key=value pair (a key starts with a letter or '_')", "'='"],
    ['>paint "a"=1', 8, "a key=value pair (a key starts with a letter or '_')", `'"'`],
    ['>paint name=x', 8, 'a key other than "name" (the command name "paint" comes after \'>\')', '"name"'],
    ['>paint a=1 b=2 a=3', 16, 'each key once', '"a" again (first at column 8)'],
    ['>paint a="x', 12, 'a closing " for the string opened at column 10', 'end of line'],
    [">paint a='x", 12, "a closing ' for the string opened at column 10", 'end of line'],
    [`>paint a="x'`, 13, 'a closing " for the string opened at column 10', 'end of line'],
    ['>paint a="x"y', 13, 'a space or end of line after the closing quote', "'y'"],
    [">paint a='x'y=2", 13, 'a space or end of line after the closing quote', "'y'"],
    ['>paint a=b"c', 11, 'no quote inside an unquoted value (quote the whole value instead)', `'"'`],
    [">paint a=it's", 12, 'no quote inside an unquoted value (quote the whole value instead)', `"'"`],
    [String.raw`>paint a="\q"`, 12, `an escape after '\\': \\' ${ESCAPE_LIST}`, "'q'"],
    ['>paint a="x\\', 13, `an escape after '\\': \\' ${ESCAPE_LIST}`, 'end of line'],
    [String.raw`>paint a="\u12g4"`, 15, "4 hex digits after '\\u'", "'g'"],
    [String.raw`>paint a="\u12"`, 15, "4 hex digits after '\\u'", `'"'`],
    ['>paint a=1 b', 13, `'=' after key "b"`, 'end of line'],
    ['>paint a=1\nb=2', 11, 'a single line', 'a line break'],
    ['>paint a="x\r"', 12, 'a single line', 'a line break'],
    ['>paint a=1\u2028', 11, 'a single line', 'a line break'],
    ['>paint a=\u00a0', 10, 'a value after "a=" (use "" for an empty string)', 'U+00A0'],
    ['>paint\u0001', 7, 'a space or end of line after command name "paint"', 'U+0001'],
  ])('%j: column %i', (line, column, expected, got) => {
    expectError(line, column, expected, got);
  });

  it('counts columns in code points, so an emoji is one column', () => {
    expectError('>greet who="😀" x', 17, `'=' after key "x"`, 'end of line');
    expectError('>greet who=😀"', 13, 'no quote inside an unquoted value (quote the whole value instead)', `'"'`);
  });
});

describe('/set: metadata', () => {
  it('reads the documented API example: /set engagement high', () => {
    expect(parseCommandLine('/set engagement high')).toEqual({ kind: 'set-meta', meta: { engagement: 'high' } });
  });

  it('types a one-word value like a bare word, keeps several words as text, and a quoted value as a string', () => {
    expect(setMeta('/set score 8')).toEqual({ score: 8 });
    expect(setMeta('/set ratio -0.5')).toEqual({ ratio: -0.5 });
    expect(setMeta('/set vip true')).toEqual({ vip: true });
    expect(setMeta('/set owner null')).toEqual({ owner: null });
    expect(setMeta('/set zip 007')).toEqual({ zip: '007' });
    expect(setMeta('/set note call back  tomorrow \t ')).toEqual({ note: 'call back  tomorrow' });
    expect(setMeta("/set note it's 5 o'clock")).toEqual({ note: "it's 5 o'clock" });
    expect(setMeta('/set label "8"')).toEqual({ label: '8' });
    expect(setMeta(String.raw`/set label 'it\'s "ok"'  `)).toEqual({ label: `it's "ok"` });
    expect(setMeta('/set label ""')).toEqual({ label: '' });
    expect(setMeta('/set a.b 1')).toEqual({ 'a.b': 1 });
    expect(setMeta('  /set\tmood   😀 ok')).toEqual({ mood: '😀 ok' });
  });

  it("reads the documented meta object as JSON on the line", () => {
    expect(parseCommandLine('/set {"engagement":"high","scores":[8,7,6.5]}')).toEqual({
      kind: 'set-meta',
      meta: { engagement: 'high', scores: [8, 7, 6.5] },
    });
    expect(setMeta('/set   { "a" : { "b" : [ true , false , null , -1e2 , "\\u00e9\\/\\"" ] } , "c":{} , "d":[] }  ')).toEqual({
      a: { b: [true, false, null, -100, 'é/"'] },
      c: {},
      d: [],
    });
    expect(setMeta('/set {}')).toEqual({});
    expect(setMeta('/set {"city":"Zürich 😀"}')).toEqual({ city: 'Zürich 😀' });
    const meta = setMeta('/set {"__proto__":{"x":1}}');
    expect(Object.getPrototypeOf(meta)).toBe(Object.prototype);
    expect(Object.keys(meta)).toEqual(['__proto__']);
  });

  it('reads any JSON object as JSON.parse does (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()), (object) => {
        const text = JSON.stringify(object);
        fc.pre(!/[\u2028\u2029]/.test(text));
        expect(setMeta(`/set ${text}`)).toEqual(JSON.parse(text));
      }),
    );
  });
});

describe('/set @property: engagement properties', () => {
  const property = (line: string) => {
    const parsed = parseCommandLine(line);
    if (parsed.kind !== 'set-property') throw new Error(`not /set @property: ${parsed.kind}`);
    return [parsed.property, parsed.value];
  };

  it('@name takes the rest of the line, trimmed, or one quoted string', () => {
    expect(parseCommandLine('/set @name Account Review')).toEqual({ kind: 'set-property', property: 'name', value: 'Account Review' });
    expect(property('/set   @name   Bob\'s  shop  ')).toEqual(['name', "Bob's  shop"]);
    expect(property('/set @name "Account Review"')).toEqual(['name', 'Account Review']);
    expect(property('/set @name 42')).toEqual(['name', '42']);
  });

  it('@category takes digits as the zero-based index and anything else as a name', () => {
    expect(property('/set @category Used Car')).toEqual(['category', 'Used Car']);
    expect(property('/set @category 1')).toEqual(['category', 1]);
    expect(property('/set @category 0')).toEqual(['category', 0]);
    expect(property('/set @category "1"')).toEqual(['category', '1']);
    expect(property('/set @category -1')).toEqual(['category', '-1']);
    expect(property('/set @category 1.5')).toEqual(['category', '1.5']);
    expect(property('/set @category 99999999999999999999')).toEqual(['category', '99999999999999999999']);
  });

  it("@touchpoint takes the documented four touchpoints", () => {
    for (const touchpoint of ['web', 'email', 'sms', 'facebook']) {
      expect(property(`/set @touchpoint ${touchpoint}`)).toEqual(['touchpoint', touchpoint]);
    }
    expect(property('/set @touchpoint "sms"')).toEqual(['touchpoint', 'sms']);
  });

  it('@language takes a two-letter lowercase code', () => {
    expect(property('/set @language de')).toEqual(['language', 'de']);
  });

  it.each([
    ['/set @foo x', 6, 'one of @name, @category, @touchpoint, @language', '"@foo"'],
    ['/set @Name x', 6, 'one of @name, @category, @touchpoint, @language', '"@Name"'],
    ['/set @', 6, 'one of @name, @category, @touchpoint, @language', "'@' alone"],
    ['/set @ name x', 6, 'one of @name, @category, @touchpoint, @language', "'@' followed by a space"],
    ['/set @name', 11, 'a value after @name', 'end of line'],
    ['/set @name   ', 14, 'a value after @name', 'end of line'],
    ['/set @name:x', 11, 'a space and a value after @name', "':'"],
    ['/set @name ""', 12, 'a name that is not empty', '""'],
    ['/set @name "Account" Review', 22, 'end of line after the closing quote (quote the whole value)', "'R'"],
    ['/set @category ""', 16, 'a category name or index that is not empty', '""'],
    ['/set @touchpoint fax', 18, 'one of web, email, sms, facebook', '"fax"'],
    ['/set @touchpoint Email', 18, 'one of web, email, sms, facebook', '"Email"'],
    ['/set @touchpoint web email', 18, 'one of web, email, sms, facebook', '"web email"'],
    ['/set @language DE', 16, 'a two-letter lowercase language code such as de', '"DE"'],
    ['/set @language deu', 16, 'a two-letter lowercase language code such as de', '"deu"'],
    ['/set @language d', 16, 'a two-letter lowercase language code such as de', '"d"'],
  ])('%j: column %i', (line, column, expected, got) => {
    expectError(line, column, expected, got);
  });
});

describe('/set and other commands: errors', () => {
  it.each([
    ['', 1, "'>name' or '/set'", 'end of line'],
    ['   ', 4, "'>name' or '/set'", 'end of line'],
    ['hello', 1, "'>name' or '/set'", "'h'"],
    ['  set a 1', 3, "'>name' or '/set'", "'s'"],
    ['/', 1, "'>name' or '/set'", "'/' followed by end of line"],
    ['/ set a 1', 1, "'>name' or '/set'", "'/' followed by a space"],
    ['/foo', 1, "'>name' or '/set'", '"/foo" (not a command)'],
    ['/SET a 1', 1, "'>name' or '/set'", '"/SET" (not a command)'],
    ['/setx a 1', 1, "'>name' or '/set'", '"/setx" (not a command)'],
    ['/set:a 1', 5, 'a space after /set', "':'"],
    ['/set{"a":1}', 5, 'a space after /set', "'{'"],
    ['/set', 5, "a key and a value, '@property value' or a JSON object after /set", 'end of line'],
    ['/set  ', 7, "a key and a value, '@property value' or a JSON object after /set", 'end of line'],
    ['/set [1,2]', 6, "a key and a value, '@property value' or a JSON object after /set", "'['"],
    ['/set "a" 1', 6, "a key and a value, '@property value' or a JSON object after /set", `'"'`],
    ['/set engagement', 16, 'a value after key "engagement"', 'end of line'],
    ['/set engagement   ', 19, 'a value after key "engagement"', 'end of line'],
    ['/set a=b', 7, 'a space and a value after key "a"', "'='"],
    ['/set note "a" b', 15, 'end of line after the closing quote (quote the whole value)', "'b'"],
    ['/set note "abc', 15, 'a closing " for the string opened at column 11', 'end of line'],
    ['/set {', 7, 'a "quoted" key in the JSON object', 'end of line'],
    ['/set {"a":1,}', 13, 'a "quoted" key in the JSON object', "'}'"],
    ['/set {a:1}', 7, 'a "quoted" key in the JSON object', "'a'"],
    ["/set {'a':1}", 7, 'a "quoted" key in the JSON object', `"'"`],
    ['/set {"a" 1}', 11, `':' after key "a"`, "'1'"],
    ['/set {"a":1 "b":2}', 13, "',' or '}' in the JSON object", `'"'`],
    ['/set {"a":1', 12, "',' or '}' in the JSON object", 'end of line'],
    ['/set {"a":}', 11, 'a JSON value (object, array, string, number, true, false or null)', "'}'"],
    ['/set {"a":tru}', 11, 'a JSON value (object, array, string, number, true, false or null)', '"tru"'],
    ['/set {"a":True}', 11, 'a JSON value (object, array, string, number, true, false or null)', '"True"'],
    ["/set {\"a\":'x'}", 11, 'a JSON value (object, array, string, number, true, false or null)', `"'"`],
    ['/set {"a":01}', 11, 'a JSON number', '"01"'],
    ['/set {"a":-}', 11, 'a JSON number', '"-"'],
    ['/set {"a":1.}', 11, 'a JSON number', '"1."'],
    ['/set {"a":+1}', 11, 'a JSON value (object, array, string, number, true, false or null)', "'+'"],
    ['/set {"a":1e999}', 11, 'a number within the double range', '1e999'],
    ['/set {"a":[1,2}', 15, "',' or ']' in the JSON array", "'}'"],
    ['/set {"a":[1,]}', 14, 'a JSON value (object, array, string, number, true, false or null)', "']'"],
    ['/set {"a":"x', 13, 'a closing " for the JSON string opened at column 11', 'end of line'],
    [String.raw`/set {"a":"\x"}`, 13, `an escape after '\\': ${ESCAPE_LIST}`, "'x'"],
    [String.raw`/set {"a":"\'"}`, 13, `an escape after '\\': ${ESCAPE_LIST}`, `"'"`],
    [String.raw`/set {"a":"\u00"}`, 16, "4 hex digits after '\\u'", `'"'`],
    ['/set {"a":"\t"}', 12, 'an escape such as \\t instead of a control character in a JSON string', 'a tab'],
    ['/set {"a":1,"a":2}', 13, 'each key once in a JSON object', '"a" again (first at column 7)'],
    ['/set {"a":1} x', 14, 'end of line after the JSON object', "'x'"],
    ['/set {"a":1}}', 13, 'end of line after the JSON object', "'}'"],
  ])('%j: column %i', (line, column, expected, got) => {
    expectError(line, column, expected, got);
  });

  it.each(['notify', 'assign', 'join', 'accept', 'leave', 'close', 'block', 'action', 'send', 'import'])(
    "names ChatShipper's /%s as unsupported",
    (command) => {
      expectError(` /${command} x`, 2, "'>name' or '/set'", `"/${command}" (a conversation command EngageKit does not support)`);
    },
  );

  it('throws an InvalidArgumentError for the argument "line", also for a value that is not a string', () => {
    const error = errorOf('>paint colour');
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(isEngageKitError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(error.argument).toBe('line');
    expect(error.name).toBe('InvalidArgumentError');
    expect(() => parseCommandLine(undefined as unknown as string)).toThrow(
      'command line, column 1: expected a command line string, got undefined',
    );
    expect(() => parseCommandLine(null as unknown as string)).toThrow('command line, column 1: expected a command line string, got null');
  });

  it('isCommandLineError tells its errors from others', () => {
    expect(isCommandLineError(errorOf('/'))).toBe(true);
    expect(isCommandLineError(new InvalidArgumentError('line', 'no column'))).toBe(false);
    expect(isCommandLineError(Object.assign(new InvalidArgumentError('fireAt', 'x'), { column: 1, expected: 'y' }))).toBe(false);
    expect(isCommandLineError(new Error('x'))).toBe(false);
    expect(isCommandLineError({ column: 1, expected: 'x', argument: 'line' })).toBe(false);
  });
});

describe('formatCommandLineError', () => {
  const format = (line: string) => formatCommandLineError(line, errorOf(line));

  it('puts a caret under the column, past the end for a missing piece', () => {
    expect(format('>paint colour')).toBe(
      [`command line, column 14: expected '=' after key "colour", got end of line`, '>paint colour', '             ^'].join('\n'),
    );
    expect(format('hello')).toBe([`command line, column 1: expected '>name' or '/set', got 'h'`, 'hello', '^'].join('\n'));
  });

  it('keeps tabs before the column and counts an emoji as one column', () => {
    expect(format('\t>x a="😀"b').split('\n').slice(1)).toEqual(['\t>x a="😀"b', '\t        ^']);
  });

  it('shows a line break as ↵ so the caret stays on one line', () => {
    expect(format('>x a=1\nb=2').split('\n').slice(1)).toEqual(['>x a=1↵b=2', '      ^']);
  });

  it('renders any other error as its message', () => {
    expect(formatCommandLineError('>x', new Error('boom'))).toBe('boom');
    expect(formatCommandLineError('>x', 'text')).toBe('text');
  });
});
