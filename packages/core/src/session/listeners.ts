import type { EventMap, TypedEventEmitter } from '../events/typed-emitter.js';

/** Attaches listeners to one emitter, remembering them for `ComponentListeners.removeAll()`. */
export interface ListenerBinding<Events extends EventMap> {
  on<E extends keyof Events & string>(event: E, listener: Events[E]): void;
}

/** Listeners the session attached to its components, removed together on close. */
export class ComponentListeners {
  #detach: Array<() => void> = [];

  /** `bind<STTEvents>(stt).on('transcript', …)`: the event map is named once per component. */
  bind<Events extends EventMap>(emitter: TypedEventEmitter<Events>): ListenerBinding<Events> {
    return {
      on: (event, listener) => {
        emitter.on(event, listener);
        this.#detach.push(() => emitter.off(event, listener));
      },
    };
  }

  removeAll(): void {
    for (const detach of this.#detach.splice(0)) detach();
  }
}
