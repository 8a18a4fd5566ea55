// Structured logs (pino, JSON lines on stderr so stdout stays for the ready line).
import { pino, type Logger } from 'pino';

export function makeLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { svc: 'control', ...bindings } }, pino.destination(2));
}
