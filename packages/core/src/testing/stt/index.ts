export { FakeSTT, type FakeSTTOptions, type FakeTranscript, type FakeConnectionRecord } from './fake-stt.js';
export { sttConformanceChecks, type STTConformanceSetup, type STTConformanceCheck } from './conformance.js';
