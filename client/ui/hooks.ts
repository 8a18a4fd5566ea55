// Small hooks shared by the apps.
import { useEffect, useState } from 'preact/hooks';

/** The current time, refreshed every `ms`. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => { const t = setInterval(() => setNow(Date.now()), ms); return () => clearInterval(t); }, [ms]);
  return now;
}
