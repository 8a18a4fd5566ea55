// A TCP load balancer in front of several control instances, as a deployment
// puts one: each new connection goes to the next backend in turn, and to the
// one after it when that backend refuses (a dead instance); bytes are piped
// both ways untouched (websockets included).
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Balancer {
  url: string;
  /** Live connections per backend port. */
  connections(): Map<number, number>;
  close(): Promise<void>;
}

export async function startBalancer(backends: number[]): Promise<Balancer> {
  let next = 0;
  const live = new Map<number, Set<Socket>>(backends.map((p) => [p, new Set()]));
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const tryBackend = (left: number) => {
      if (left === 0) { client.destroy(); return; }
      const port = backends[next++ % backends.length]!;
      const up = connect(port, '127.0.0.1');
      let connected = false;
      up.on('error', () => { if (!connected) tryBackend(left - 1); else client.destroy(); });
      up.once('connect', () => {
        connected = true;
        live.get(port)!.add(up);
        up.once('close', () => { live.get(port)!.delete(up); client.destroy(); });
        client.once('close', () => up.destroy());
        client.pipe(up).pipe(client);
        client.resume();
      });
    };
    tryBackend(backends.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => new Map([...live].map(([p, s]) => [p, s.size])),
    async close() {
      for (const s of sockets) s.destroy();
      for (const set of live.values()) for (const s of set) s.destroy();
      await new Promise((r) => server.close(() => r(null)));
    },
  };
}
