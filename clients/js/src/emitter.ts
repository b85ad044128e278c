/** A minimal typed event emitter: `on` returns the function that unsubscribes. */
export class Emitter<Events extends { [name: string]: unknown }> {
  private readonly handlers = new Map<keyof Events, Set<(value: never) => void>>();

  on<Name extends keyof Events>(name: Name, handler: (value: Events[Name]) => void): () => void {
    let set = this.handlers.get(name);
    if (!set) this.handlers.set(name, (set = new Set()));
    set.add(handler as (value: never) => void);
    return () => {
      set.delete(handler as (value: never) => void);
    };
  }

  /** Calls each handler; one that throws does not keep the others from the event, and is reported asynchronously. */
  emit<Name extends keyof Events>(name: Name, value: Events[Name]): void {
    for (const handler of [...(this.handlers.get(name) ?? [])]) {
      try {
        (handler as (value: Events[Name]) => void)(value);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  count(name: keyof Events): number {
    return this.handlers.get(name)?.size ?? 0;
  }
}
