// Plain JS, so the fixture environment (fixtures/seeds/kinds.mjs, run by `npm run demo`
// without a TypeScript loader) probes its servers the same way the tests do.
import { connect } from 'node:net';

/** Whether something accepts TCP connections on 127.0.0.1:port now. */
export function acceptsConnections(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** SIGTERM to a server the test started, and wait for it to exit (a no-op when it already has). */
export async function stopServerProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}
