export type { AudioInput, AudioOutput, PlayoutResult } from './audio-output.js';
