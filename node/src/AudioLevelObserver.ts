import type * as flatbuffers from 'flatbuffers';
import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger } from './Logger';
import type { Channel } from './Channel';
import type {
	AudioLevelObserver,
	AudioLevelObserverEvents,
	AudioLevelObserverObserver,
	AudioLevelObserverObserverEvents,
	AudioLevelObserverVolume,
} from './AudioLevelObserverTypes';
import { RtpObserverImpl, type RtpObserverInternal, toUint16 } from './RtpObserver';
import { optionsRecord, validateAppData } from './validation';
import type { AppData } from './typesGeneric';
import type { Notification } from './fbs/notification/notification';
import { Event } from './fbs/notification/event';
import { AudioLevelObserverOptions as FbsAudioLevelObserverOptions } from './fbs/audio-level-observer/audio-level-observer-options';
import { VolumesNotification as FbsVolumesNotification } from './fbs/audio-level-observer/volumes-notification';
import { CreateAudioLevelObserverRequest as FbsCreateAudioLevelObserverRequest } from './fbs/router/create-audio-level-observer-request';

const logger = new Logger('AudioLevelObserver');

export type NormalizedAudioLevelObserverOptions = {
	maxEntries: number;
	threshold: number;
	interval: number;
	appData?: AppData;
};

export class AudioLevelObserverImpl<AudioLevelObserverAppData extends AppData = AppData>
	extends RtpObserverImpl<
		AudioLevelObserverAppData,
		AudioLevelObserverEvents,
		AudioLevelObserverObserver
	>
	implements AudioLevelObserver<AudioLevelObserverAppData>
{
	constructor({
		internal,
		channel,
		appData,
	}: {
		internal: RtpObserverInternal;
		channel: Channel;
		appData?: AudioLevelObserverAppData;
	}) {
		super({
			internal,
			channel,
			appData,
			observer: new EnhancedEventEmitter<AudioLevelObserverObserverEvents>(),
		});

		logger.debug('constructor()');

		this.#handleWorkerNotifications();
	}

	get type(): 'audiolevel' {
		return 'audiolevel';
	}

	#handleWorkerNotifications(): void {
		this.channel.on(this.id, (event: Event, notification: Notification) => {
			switch (event) {
				case Event.AUDIOLEVELOBSERVER_VOLUMES: {
					const body = new FbsVolumesNotification();

					notification.body(body);

					const volumes: AudioLevelObserverVolume[] = [];

					for (let i = 0; i < body.volumesLength(); ++i) {
						const entry = body.volumes(i)!;
						const producer = this.getProducerById(entry.producerId()!);

						// Closed meanwhile: nothing to tell about it.
						if (producer) {
							volumes.push({ producer, volume: entry.volume() });
						}
					}

					if (volumes.length > 0) {
						// Each emitter gets its own array: a listener editing it cannot
						// change what the other one sees.
						this.safeEmit('volumes', [...volumes]);
						this.observer.safeEmit('volumes', [...volumes]);
					}

					break;
				}

				case Event.AUDIOLEVELOBSERVER_SILENCE: {
					this.safeEmit('silence');
					this.observer.safeEmit('silence');

					break;
				}

				default: {
					logger.error(`ignoring unknown event "${event}"`);
				}
			}
		});
	}
}

/**
 * Checks the options of Router.createAudioLevelObserver() and fills in the
 * defaults. Throws TypeError naming the bad field.
 */
export function normalizeAudioLevelObserverOptions(
	options: unknown
): NormalizedAudioLevelObserverOptions {
	const o = optionsRecord(options, true);
	const { maxEntries = 1, threshold = -80, interval = 1000, appData } = o;

	if (typeof maxEntries !== 'number' || Number.isNaN(maxEntries) || maxEntries <= 0) {
		throw new TypeError('if given, maxEntries must be a positive number');
	}

	if (
		typeof threshold !== 'number' ||
		Number.isNaN(threshold) ||
		threshold < -127 ||
		threshold > 0
	) {
		throw new TypeError('if given, threshold must be a number in -127..0');
	}

	if (typeof interval !== 'number' || Number.isNaN(interval)) {
		throw new TypeError('if given, interval must be a number');
	}

	validateAppData(appData);

	return {
		maxEntries,
		threshold,
		interval,
		appData: appData as AppData | undefined,
	};
}

/**
 * The worker takes integers: maxEntries in 1..65535 (more cannot be told
 * apart from "all of them"), the threshold truncated, the interval as a
 * uint16 it clamps to its own range.
 */
export function serializeCreateAudioLevelObserverRequest(
	builder: flatbuffers.Builder,
	rtpObserverId: string,
	options: NormalizedAudioLevelObserverOptions
): number {
	const rtpObserverIdOffset = builder.createString(rtpObserverId);
	const optionsOffset = FbsAudioLevelObserverOptions.createAudioLevelObserverOptions(
		builder,
		Math.max(toUint16(options.maxEntries), 1),
		Math.trunc(options.threshold),
		toUint16(options.interval)
	);

	FbsCreateAudioLevelObserverRequest.startCreateAudioLevelObserverRequest(builder);
	FbsCreateAudioLevelObserverRequest.addRtpObserverId(builder, rtpObserverIdOffset);
	FbsCreateAudioLevelObserverRequest.addOptions(builder, optionsOffset);

	return FbsCreateAudioLevelObserverRequest.endCreateAudioLevelObserverRequest(builder);
}
