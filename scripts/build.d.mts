// Types of scripts/build.mjs, for its test (TypeScript).

/** The record of a build: a hash of its inputs, and the size and time of each output. */
export interface BuildStamp {
  inputs: string;
  outputs: Record<string, string>;
}

export declare const INPUTS: readonly string[];
export declare const OUTPUTS: readonly string[];

/** A hash of the inputs' paths and contents (tests next to the sources left out). */
export declare function inputsHash(root?: string, inputs?: readonly string[]): string;

/** Size and modification time of every file below `outputs`. */
export declare function outputsState(root?: string, outputs?: readonly string[]): Record<string, string>;

/** True when `stamp` still describes the inputs and the outputs: `--if-stale` then skips the build. */
export declare function isUpToDate(stamp: unknown, root?: string, inputs?: readonly string[], outputs?: readonly string[]): boolean;
