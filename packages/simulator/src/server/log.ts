import type { ChatRequestRecord, ConnectionRecord, SimulatorLog } from './types.js';

export class MemoryLog implements SimulatorLog {
  readonly chatRequests: ChatRequestRecord[] = [];
  readonly connections: ConnectionRecord[] = [];

  clear(): void {
    this.chatRequests.length = 0;
    this.connections.length = 0;
  }
}
