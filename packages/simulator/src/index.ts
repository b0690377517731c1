export { startSimulator } from './server/simulator.js';
export type {
  ChatRequestRecord,
  ConnectionHandler,
  ConnectionRecord,
  Endpoint,
  Fault,
  SimConnection,
  Simulator,
  SimulatorLog,
  SimulatorOptions,
} from './server/types.js';
export { FaultError, validateFault } from './server/faults.js';
export { SPLIT_ARGS_MARKER } from './chat/responder.js';
export * from './voice/index.js';
