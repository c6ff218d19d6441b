/**
 * The defaults that are not options. Each option's default is in the table
 * of options (options.ts, `rules()`), beside its check; its TSDoc repeats it.
 */
export const DEFAULTS = Object.freeze({
  /**
   * `visitor.typing`: at most one `typing.start` per `throttle` ms, and a
   * `typing.stop` `idle` ms after the last `start()`. With the reference
   * server's limit of 10 typing requests per 10 s per sender, that is at most
   * 8 (4 starts, 4 stops): normal typing never gets a 429.
   */
  typing: { throttle: 3_000, idle: 5_000 },
});
