export {
  createTranscript,
  DEFAULT_FALLBACK_TEXT,
  type Transcript,
  type TranscriptController,
  type TranscriptEntry,
  type TranscriptListener,
  type TranscriptOptions,
  type TypingIndicator,
} from './transcript.js';
export { mountTranscript, type MountTranscriptOptions } from './render.js';
