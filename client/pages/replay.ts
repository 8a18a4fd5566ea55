// Replay page ("học tập lại") on the hall display: ?site=&token= (the token leaves the address bar at once).
import { takeLinkToken } from '../media/link-token.js';
import { mountReplay } from '../ui/replay/app.js';

mountReplay(document.getElementById('app') as HTMLElement, takeLinkToken(), new URLSearchParams(location.search).get('site'));
