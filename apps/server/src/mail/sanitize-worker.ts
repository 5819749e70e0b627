// A worker thread of the HTML sanitizing pool (see html-renderer.ts). Built as its own entry
// (dist/sanitize-worker.js); under vitest and tsx it runs from source with tsx's loader.
import { workerData } from 'node:worker_threads';
import { ImageProxySigner } from './remote-images';
import { runSanitizeTask, type SanitizeOutcome, type SanitizeTask } from './sanitize-task';

const { secretKey } = workerData as { secretKey: Uint8Array };
const signer = new ImageProxySigner(Buffer.from(secretKey));

export default function sanitize(task: SanitizeTask): SanitizeOutcome {
  if (task.started) {
    Atomics.store(task.started, 0, 1);
    Atomics.notify(task.started, 0);
  }
  return runSanitizeTask(task, signer);
}
