// Browser side of the media spine: a reusable hall receiver and a publisher.
export { HallReceiver, type HallReceiverOptions, type HallStats, type HallTimeline } from './receiver.js';
export { Publisher, SIMULCAST, type PublisherOptions, type PublisherStats } from './publisher.js';
export { STATUS, renderStatus, type Phase, type StatusText } from './status.js';
export { RpcError } from './rpc.js';
