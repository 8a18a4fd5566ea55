// Our worker build against a real WebRTC peer (werift, DTLS client): ICE,
// the DTLS handshake (the BIO callback fix in infra/worker/patches) and SCTP
// data over it, end to end on loopback. mediasoup's own suite never completes
// a DTLS handshake, so this is the check that the patched worker does.
import { onTestFinished, test } from 'vitest';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as mediasoup from 'mediasoup';
import { RTCPeerConnection } from 'werift';

const LOOPBACK = '127.0.0.1';

/** An ICE-lite, DTLS-server answer for the peer's data-only offer. */
function answerFor(offerSdp: string, transport: mediasoup.types.WebRtcTransport): string {
	const mLine = /^m=application \d+ (\S+) (.+)$/m.exec(offerSdp);
	const mid = /^a=mid:(\S+)$/m.exec(offerSdp)?.[1];
	assert.ok(mLine && mid, 'offer has a data m-line with a mid');
	const { usernameFragment, password } = transport.iceParameters;
	const fingerprint = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256');
	assert.ok(fingerprint, 'worker offers a sha-256 fingerprint');
	const candidates = transport.iceCandidates.map(
		(c) => `a=candidate:${c.foundation} 1 ${c.protocol} ${c.priority} ${c.address} ${c.port} typ ${c.type}`,
	);
	return [
		'v=0',
		'o=- 1 1 IN IP4 127.0.0.1',
		's=-',
		't=0 0',
		'a=ice-lite',
		`a=group:BUNDLE ${mid}`,
		`m=application ${transport.iceCandidates[0]?.port ?? 9} ${mLine[1]} ${mLine[2]}`,
		`c=IN IP4 ${LOOPBACK}`,
		`a=mid:${mid}`,
		`a=ice-ufrag:${usernameFragment}`,
		`a=ice-pwd:${password}`,
		`a=fingerprint:sha-256 ${fingerprint.value}`,
		'a=setup:passive',
		'a=sctp-port:5000',
		'a=max-message-size:262144',
		...candidates,
		'a=end-of-candidates',
		'',
	].join('\r\n');
}

function fingerprintOf(sdp: string): string {
	const value = /^a=fingerprint:sha-256 (\S+)$/m.exec(sdp)?.[1];
	assert.ok(value, 'peer offer has a sha-256 fingerprint');
	return value;
}

test('a WebRTC peer completes ICE and DTLS with our worker and sends data over SCTP', async () => {
	const worker = await mediasoup.createWorker({ logLevel: 'warn' });
	onTestFinished(() => worker.close());

	const router = await worker.createRouter();
	const transport = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: LOOPBACK }],
		enableSctp: true,
	});

	// No STUN servers and only loopback pairs: nothing leaves the machine.
	const pc = new RTCPeerConnection({
		iceServers: [],
		iceUseIpv6: false,
		iceAdditionalHostAddresses: [LOOPBACK],
		iceFilterCandidatePair: (pair) => pair.localCandidate.host === LOOPBACK,
	});
	onTestFinished(() => pc.close());
	// Pre-negotiated channel on an even stream id (the DTLS client's side).
	const channel = pc.createDataChannel('probe', { negotiated: true, id: 0, ordered: true });

	// Fails fast if the worker crashes during the handshake (it did at its
	// first DTLS write before the BIO fix).
	const dtlsConnected = new Promise<void>((resolve, reject) => {
		worker.on('died', (error) => reject(new Error(`worker died: ${error.message}`)));
		transport.on('dtlsstatechange', (state) => {
			if (state === 'connected') resolve();
			if (state === 'failed' || state === 'closed') reject(new Error(`DTLS ${state}`));
		});
	});

	const offer = await pc.createOffer();
	await pc.setLocalDescription(offer);
	const offerSdp = pc.localDescription?.sdp ?? offer.sdp;
	await transport.connect({
		dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: fingerprintOf(offerSdp) }] },
	});
	await pc.setRemoteDescription({ type: 'answer', sdp: answerFor(offerSdp, transport) });

	await withTimeout(dtlsConnected, 15_000, 'DTLS did not connect');
	assert.equal(transport.dtlsState, 'connected');
	assert.ok(['connected', 'completed'].includes(transport.iceState), `ICE state ${transport.iceState}`);
	assert.ok(transport.dtlsRemoteCert?.includes('BEGIN CERTIFICATE'), 'worker saw the peer certificate');

	// Data from the peer reaches a consumer on a DirectTransport.
	const dataProducer = await transport.produceData({
		sctpStreamParameters: { streamId: 0, ordered: true },
		label: 'probe',
	});
	const direct = await router.createDirectTransport();
	const dataConsumer = await direct.consumeData({ dataProducerId: dataProducer.id });
	const received = once(dataConsumer, 'message');

	if (channel.readyState !== 'open') {
		await withTimeout(
			new Promise<void>((resolve) => channel.stateChanged.subscribe((s) => s === 'open' && resolve())),
			15_000,
			'data channel did not open',
		);
	}
	channel.send('xin chào / hello');
	const [message] = (await withTimeout(received, 10_000, 'no SCTP message reached the worker')) as [Buffer];
	assert.equal(message.toString('utf8'), 'xin chào / hello');
	assert.equal(worker.died, false, 'worker stayed alive');
});

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([
			promise,
			new Promise<never>((_, reject) => {
				timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
			}),
		]);
	} finally {
		clearTimeout(timer);
	}
}
