// In-process notifications between the core and the doors that push to
// people (the bot). Emitters never wait for listeners, and a listener's
// failure never reaches the emitter: a message that cannot be delivered
// must not affect a deployment.
import { EventEmitter } from "node:events";

export interface BerthEvents {
  /** A deployment was queued: the job runner wakes up. */
  "deployment.queued": { deploymentId: string };
  /** A row was added to a deployment's event log. */
  "deployment.event": {
    deploymentId: string;
    event: {
      id: string;
      type: string;
      status: string | null;
      message: string;
      data: unknown;
      at: Date;
    };
  };
  /** A deployment reached RUNNING or FAILED. */
  "deployment.finished": {
    deploymentId: string;
    jobId: string;
    environmentId: string;
    environmentName: string;
    serviceName: string;
    ownerId: string;
    status: "RUNNING" | "FAILED";
    errorMessage: string | null;
  };
  /** A public environment's certificate was issued or failed. */
  "certificate.changed": {
    environmentId: string;
    environmentName: string;
    ownerId: string;
    domain: string;
    status: "ACTIVE" | "CERT_FAILED";
    error: string | null;
  };
}

type Listener<K extends keyof BerthEvents> = (event: BerthEvents[K]) => void | Promise<void>;

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor(private readonly onListenerError: (error: unknown) => void) {
    this.emitter.setMaxListeners(0); // one listener per open event stream
  }

  on<K extends keyof BerthEvents>(name: K, listener: Listener<K>): () => void {
    const wrapped = (event: BerthEvents[K]) => {
      try {
        void Promise.resolve(listener(event)).catch(this.onListenerError);
      } catch (error) {
        this.onListenerError(error);
      }
    };
    this.emitter.on(name, wrapped);
    return () => this.emitter.off(name, wrapped);
  }

  emit<K extends keyof BerthEvents>(name: K, event: BerthEvents[K]): void {
    this.emitter.emit(name, event);
  }
}
