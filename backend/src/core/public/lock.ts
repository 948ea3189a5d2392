// One change to an environment's public route at a time (publish, unpublish,
// teardown), so a removal never races an issuance that would put it back.
import { serialised } from "../../proxy/serial.js";

export function withPublicLock<T>(environmentId: string, work: () => Promise<T>): Promise<T> {
  return serialised(`public:${environmentId}`, work);
}
